/**
 * Datasets at scale: conversational structure, unpaired feedback, kept counts, full-text search
 * and an undo log for curation.
 *
 * - `messages` on prompts and responses keeps the message list of conversational rows (TRL's
 *   `[{role, content}]`); `text` stays the readable rendering that search and display use.
 * - `feedback` holds unpaired judgements (TRL's prompt/completion/label): one response, one label.
 * - `dataset_counts` is kept by triggers so that listing a dataset of a million rows, with its
 *   outcome and flag counts, costs one primary-key read, whoever writes the rows (imports, votes,
 *   other features). Comparisons' counts ride on the one UPDATE their trigger runs anyway.
 *   Responses are counted through their prompt: a prompt's delete subtracts its responses before
 *   the cascade removes them (SQLite deletes the parent before its cascaded children, so the
 *   child trigger then finds no prompt and does nothing).
 * - `comparison_search` and `feedback_search` are contentless FTS5 indexes (the texts live once,
 *   in prompts and responses), one document per judgement, so a search pages in rowid order and
 *   stops at the page's end. Tokenizing costs about as much as the rest of an import together, so
 *   imports do not index: an indexer adds new rows in small steps after the import commits, and
 *   `search_index_state` marks how far it got (triggers keep rows at or below the mark in step).
 * - `dataset_edits` records every curation edit with the values before it; `batch` groups the
 *   edits that one action made, and undo reverts the newest batch not yet undone.
 * - No indexes on comparisons' response columns: they would cost an import a tenth of its time,
 *   and responses are deleted only with their dataset, which deletes its judgements first (see
 *   DatasetRepository.delete).
 */
export const up = `
ALTER TABLE prompts ADD COLUMN messages TEXT CHECK (messages IS NULL OR json_valid(messages));
ALTER TABLE responses ADD COLUMN messages TEXT CHECK (messages IS NULL OR json_valid(messages));

CREATE TABLE feedback (
  id          INTEGER PRIMARY KEY,
  dataset_id  INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
  prompt_id   INTEGER NOT NULL REFERENCES prompts(id) ON DELETE CASCADE,
  response_id INTEGER NOT NULL REFERENCES responses(id) ON DELETE CASCADE,
  -- 1: the response is desirable (TRL label true), 0: undesirable
  label       INTEGER NOT NULL CHECK (label IN (0, 1)),
  annotator   TEXT,
  source      TEXT NOT NULL DEFAULT 'import',
  flagged     INTEGER NOT NULL DEFAULT 0 CHECK (flagged IN (0, 1)),
  created_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
) STRICT;
CREATE INDEX feedback_dataset ON feedback(dataset_id, id);
CREATE INDEX feedback_prompt ON feedback(prompt_id);
CREATE INDEX feedback_response ON feedback(response_id);

CREATE TABLE dataset_counts (
  dataset_id  INTEGER PRIMARY KEY REFERENCES datasets(id) ON DELETE CASCADE,
  prompts     INTEGER NOT NULL DEFAULT 0,
  responses   INTEGER NOT NULL DEFAULT 0,
  comparisons INTEGER NOT NULL DEFAULT 0,
  feedback    INTEGER NOT NULL DEFAULT 0,
  -- comparisons by outcome, and flagged ones
  outcome_a   INTEGER NOT NULL DEFAULT 0,
  outcome_b   INTEGER NOT NULL DEFAULT 0,
  ties        INTEGER NOT NULL DEFAULT 0,
  both_bad    INTEGER NOT NULL DEFAULT 0,
  flagged     INTEGER NOT NULL DEFAULT 0
) STRICT;
INSERT INTO dataset_counts (dataset_id, prompts, responses, comparisons, feedback, outcome_a, outcome_b, ties, both_bad, flagged)
SELECT d.id,
       (SELECT count(*) FROM prompts p WHERE p.dataset_id = d.id),
       (SELECT count(*) FROM responses r JOIN prompts p ON p.id = r.prompt_id WHERE p.dataset_id = d.id),
       (SELECT count(*) FROM comparisons c WHERE c.dataset_id = d.id),
       0,
       (SELECT count(*) FROM comparisons c WHERE c.dataset_id = d.id AND c.outcome = 'a'),
       (SELECT count(*) FROM comparisons c WHERE c.dataset_id = d.id AND c.outcome = 'b'),
       (SELECT count(*) FROM comparisons c WHERE c.dataset_id = d.id AND c.outcome = 'tie'),
       (SELECT count(*) FROM comparisons c WHERE c.dataset_id = d.id AND c.outcome = 'both_bad'),
       (SELECT count(*) FROM comparisons c WHERE c.dataset_id = d.id AND c.flagged = 1)
  FROM datasets d;

CREATE TRIGGER datasets_counts_insert AFTER INSERT ON datasets BEGIN
  INSERT INTO dataset_counts (dataset_id) VALUES (new.id);
END;
CREATE TRIGGER prompts_counts_insert AFTER INSERT ON prompts BEGIN
  UPDATE dataset_counts SET prompts = prompts + 1 WHERE dataset_id = new.dataset_id;
END;
CREATE TRIGGER prompts_counts_delete BEFORE DELETE ON prompts BEGIN
  UPDATE dataset_counts
     SET prompts = prompts - 1,
         responses = responses - (SELECT count(*) FROM responses WHERE prompt_id = old.id)
   WHERE dataset_id = old.dataset_id;
END;
CREATE TRIGGER responses_counts_insert AFTER INSERT ON responses BEGIN
  UPDATE dataset_counts SET responses = responses + 1
   WHERE dataset_id = (SELECT dataset_id FROM prompts WHERE id = new.prompt_id);
END;
CREATE TRIGGER responses_counts_delete AFTER DELETE ON responses BEGIN
  UPDATE dataset_counts SET responses = responses - 1
   WHERE dataset_id = (SELECT dataset_id FROM prompts WHERE id = old.prompt_id);
END;
CREATE TRIGGER comparisons_counts_insert AFTER INSERT ON comparisons BEGIN
  UPDATE dataset_counts
     SET comparisons = comparisons + 1,
         outcome_a = outcome_a + (new.outcome = 'a'), outcome_b = outcome_b + (new.outcome = 'b'),
         ties = ties + (new.outcome = 'tie'), both_bad = both_bad + (new.outcome = 'both_bad'),
         flagged = flagged + new.flagged
   WHERE dataset_id = new.dataset_id;
END;
CREATE TRIGGER comparisons_counts_delete AFTER DELETE ON comparisons BEGIN
  UPDATE dataset_counts
     SET comparisons = comparisons - 1,
         outcome_a = outcome_a - (old.outcome = 'a'), outcome_b = outcome_b - (old.outcome = 'b'),
         ties = ties - (old.outcome = 'tie'), both_bad = both_bad - (old.outcome = 'both_bad'),
         flagged = flagged - old.flagged
   WHERE dataset_id = old.dataset_id;
END;
CREATE TRIGGER comparisons_counts_update AFTER UPDATE OF outcome, flagged, dataset_id ON comparisons BEGIN
  UPDATE dataset_counts
     SET comparisons = comparisons - 1,
         outcome_a = outcome_a - (old.outcome = 'a'), outcome_b = outcome_b - (old.outcome = 'b'),
         ties = ties - (old.outcome = 'tie'), both_bad = both_bad - (old.outcome = 'both_bad'),
         flagged = flagged - old.flagged
   WHERE dataset_id = old.dataset_id;
  UPDATE dataset_counts
     SET comparisons = comparisons + 1,
         outcome_a = outcome_a + (new.outcome = 'a'), outcome_b = outcome_b + (new.outcome = 'b'),
         ties = ties + (new.outcome = 'tie'), both_bad = both_bad + (new.outcome = 'both_bad'),
         flagged = flagged + new.flagged
   WHERE dataset_id = new.dataset_id;
END;
CREATE TRIGGER feedback_counts_insert AFTER INSERT ON feedback BEGIN
  UPDATE dataset_counts SET feedback = feedback + 1 WHERE dataset_id = new.dataset_id;
END;
CREATE TRIGGER feedback_counts_delete AFTER DELETE ON feedback BEGIN
  UPDATE dataset_counts SET feedback = feedback - 1 WHERE dataset_id = old.dataset_id;
END;

CREATE VIRTUAL TABLE comparison_search USING fts5(
  prompt, a, b,
  content = '', contentless_delete = 1,
  tokenize = 'unicode61 remove_diacritics 2'
);
CREATE VIRTUAL TABLE feedback_search USING fts5(
  prompt, completion,
  content = '', contentless_delete = 1,
  tokenize = 'unicode61 remove_diacritics 2'
);
-- Rows up to indexed_upto are in the search index. The indexer adds the rest in small steps after
-- an import commits; rows written or restored at or below the mark are kept by the triggers.
CREATE TABLE search_index_state (
  name         TEXT PRIMARY KEY CHECK (name IN ('comparison_search', 'feedback_search')),
  indexed_upto INTEGER NOT NULL DEFAULT 0
) STRICT;
INSERT INTO search_index_state (name) VALUES ('comparison_search'), ('feedback_search');

CREATE TRIGGER comparisons_search_insert AFTER INSERT ON comparisons
WHEN new.id <= (SELECT indexed_upto FROM search_index_state WHERE name = 'comparison_search') BEGIN
  INSERT INTO comparison_search (rowid, prompt, a, b) VALUES (
    new.id,
    (SELECT text FROM prompts WHERE id = new.prompt_id),
    (SELECT text FROM responses WHERE id = new.response_a),
    (SELECT text FROM responses WHERE id = new.response_b));
END;
CREATE TRIGGER comparisons_search_delete AFTER DELETE ON comparisons
WHEN old.id <= (SELECT indexed_upto FROM search_index_state WHERE name = 'comparison_search') BEGIN
  DELETE FROM comparison_search WHERE rowid = old.id;
END;
CREATE TRIGGER feedback_search_insert AFTER INSERT ON feedback
WHEN new.id <= (SELECT indexed_upto FROM search_index_state WHERE name = 'feedback_search') BEGIN
  INSERT INTO feedback_search (rowid, prompt, completion) VALUES (
    new.id,
    (SELECT text FROM prompts WHERE id = new.prompt_id),
    (SELECT text FROM responses WHERE id = new.response_id));
END;
CREATE TRIGGER feedback_search_delete AFTER DELETE ON feedback
WHEN old.id <= (SELECT indexed_upto FROM search_index_state WHERE name = 'feedback_search') BEGIN
  DELETE FROM feedback_search WHERE rowid = old.id;
END;

CREATE TABLE dataset_edits (
  id            INTEGER PRIMARY KEY,
  dataset_id    INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
  -- the edits one user action made share a batch; undo reverts a whole batch
  batch         INTEGER NOT NULL,
  -- no foreign key: a deleted comparison is restored from 'before'
  comparison_id INTEGER NOT NULL,
  action        TEXT NOT NULL CHECK (action IN ('outcome', 'flag', 'delete')),
  -- the row's values before the edit (the whole row for 'delete') and the edit's new values
  before        TEXT NOT NULL CHECK (json_valid(before)),
  after         TEXT NOT NULL CHECK (json_valid(after)),
  created_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  undone_at     TEXT
) STRICT;
CREATE INDEX dataset_edits_batch ON dataset_edits(dataset_id, batch);
`
