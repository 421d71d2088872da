/**
 * Kept counts for every filter of a dataset's comparisons, so that a filtered page never counts
 * its rows (counting one outcome's flagged rows of a million read them all: about 0.3 s a page).
 *
 * - `dataset_counts.flagged_a`, `flagged_b`, `flagged_ties`, `flagged_both_bad`: the flagged
 *   comparisons of each outcome; an outcome's unflagged ones are its count less these. They ride
 *   on the UPDATE the comparisons' count triggers (005's) run anyway.
 * - `comparison_annotator_counts`: comparisons by annotator, outcome and flag, so that any filter
 *   naming an annotator sums at most eight rows of one primary-key range. `named` is 0 for
 *   judgements without an annotator (their `annotator` here is ''), so that a real '' stays apart.
 *   A row whose count falls to zero is removed, so that an edit and its undo leave the table as
 *   it was.
 * - Partial indexes of the flagged comparisons, the ties, the both-bad ones and the B wins, by
 *   dataset and id: the few rows such a filter selects among a million are found without reading
 *   the rest (a first page of five flagged rows read every row of the dataset). Rows arrive
 *   unflagged, and chosen/rejected formats (TRL, HH-RLHF) import every judgement as an A win, so
 *   those imports write none of them; files that name a winner (summarize-from-feedback's
 *   `choice`, an outcome column) write their B wins and ties.
 *   A wins and unflagged rows, which most rows are, have no index of their own: their pages find
 *   rows at once. Queries name the flag and the outcome as literals, which is what lets SQLite
 *   use these indexes.
 */
export const up = `
CREATE INDEX comparisons_flagged ON comparisons(dataset_id, id) WHERE flagged = 1;
CREATE INDEX comparisons_ties ON comparisons(dataset_id, id) WHERE outcome = 'tie';
CREATE INDEX comparisons_both_bad ON comparisons(dataset_id, id) WHERE outcome = 'both_bad';
CREATE INDEX comparisons_b_wins ON comparisons(dataset_id, id) WHERE outcome = 'b';

ALTER TABLE dataset_counts ADD COLUMN flagged_a INTEGER NOT NULL DEFAULT 0;
ALTER TABLE dataset_counts ADD COLUMN flagged_b INTEGER NOT NULL DEFAULT 0;
ALTER TABLE dataset_counts ADD COLUMN flagged_ties INTEGER NOT NULL DEFAULT 0;
ALTER TABLE dataset_counts ADD COLUMN flagged_both_bad INTEGER NOT NULL DEFAULT 0;
UPDATE dataset_counts SET
  flagged_a = (SELECT count(*) FROM comparisons c WHERE c.dataset_id = dataset_counts.dataset_id AND c.flagged = 1 AND c.outcome = 'a'),
  flagged_b = (SELECT count(*) FROM comparisons c WHERE c.dataset_id = dataset_counts.dataset_id AND c.flagged = 1 AND c.outcome = 'b'),
  flagged_ties = (SELECT count(*) FROM comparisons c WHERE c.dataset_id = dataset_counts.dataset_id AND c.flagged = 1 AND c.outcome = 'tie'),
  flagged_both_bad = (SELECT count(*) FROM comparisons c WHERE c.dataset_id = dataset_counts.dataset_id AND c.flagged = 1 AND c.outcome = 'both_bad');

CREATE TABLE comparison_annotator_counts (
  dataset_id INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
  named      INTEGER NOT NULL CHECK (named IN (0, 1)),
  annotator  TEXT NOT NULL,
  outcome    TEXT NOT NULL,
  flagged    INTEGER NOT NULL,
  n          INTEGER NOT NULL,
  PRIMARY KEY (dataset_id, named, annotator, outcome, flagged)
) STRICT, WITHOUT ROWID;
INSERT INTO comparison_annotator_counts (dataset_id, named, annotator, outcome, flagged, n)
SELECT dataset_id, annotator IS NOT NULL, coalesce(annotator, ''), outcome, flagged, count(*)
  FROM comparisons GROUP BY dataset_id, annotator IS NOT NULL, coalesce(annotator, ''), outcome, flagged;

DROP TRIGGER comparisons_counts_insert;
CREATE TRIGGER comparisons_counts_insert AFTER INSERT ON comparisons BEGIN
  UPDATE dataset_counts
     SET comparisons = comparisons + 1,
         outcome_a = outcome_a + (new.outcome = 'a'), outcome_b = outcome_b + (new.outcome = 'b'),
         ties = ties + (new.outcome = 'tie'), both_bad = both_bad + (new.outcome = 'both_bad'),
         flagged = flagged + new.flagged,
         flagged_a = flagged_a + (new.flagged AND new.outcome = 'a'), flagged_b = flagged_b + (new.flagged AND new.outcome = 'b'),
         flagged_ties = flagged_ties + (new.flagged AND new.outcome = 'tie'), flagged_both_bad = flagged_both_bad + (new.flagged AND new.outcome = 'both_bad')
   WHERE dataset_id = new.dataset_id;
  INSERT INTO comparison_annotator_counts (dataset_id, named, annotator, outcome, flagged, n)
  VALUES (new.dataset_id, new.annotator IS NOT NULL, coalesce(new.annotator, ''), new.outcome, new.flagged, 1)
  ON CONFLICT DO UPDATE SET n = n + 1;
END;

DROP TRIGGER comparisons_counts_delete;
CREATE TRIGGER comparisons_counts_delete AFTER DELETE ON comparisons BEGIN
  UPDATE dataset_counts
     SET comparisons = comparisons - 1,
         outcome_a = outcome_a - (old.outcome = 'a'), outcome_b = outcome_b - (old.outcome = 'b'),
         ties = ties - (old.outcome = 'tie'), both_bad = both_bad - (old.outcome = 'both_bad'),
         flagged = flagged - old.flagged,
         flagged_a = flagged_a - (old.flagged AND old.outcome = 'a'), flagged_b = flagged_b - (old.flagged AND old.outcome = 'b'),
         flagged_ties = flagged_ties - (old.flagged AND old.outcome = 'tie'), flagged_both_bad = flagged_both_bad - (old.flagged AND old.outcome = 'both_bad'),
         order_version = order_version + 1
   WHERE dataset_id = old.dataset_id;
  UPDATE comparison_annotator_counts SET n = n - 1
   WHERE dataset_id = old.dataset_id AND named = (old.annotator IS NOT NULL) AND annotator = coalesce(old.annotator, '')
     AND outcome = old.outcome AND flagged = old.flagged;
  DELETE FROM comparison_annotator_counts
   WHERE dataset_id = old.dataset_id AND named = (old.annotator IS NOT NULL) AND annotator = coalesce(old.annotator, '')
     AND outcome = old.outcome AND flagged = old.flagged AND n = 0;
END;

DROP TRIGGER comparisons_counts_update;
CREATE TRIGGER comparisons_counts_update AFTER UPDATE OF outcome, flagged, dataset_id ON comparisons BEGIN
  UPDATE dataset_counts
     SET comparisons = comparisons - 1,
         outcome_a = outcome_a - (old.outcome = 'a'), outcome_b = outcome_b - (old.outcome = 'b'),
         ties = ties - (old.outcome = 'tie'), both_bad = both_bad - (old.outcome = 'both_bad'),
         flagged = flagged - old.flagged,
         flagged_a = flagged_a - (old.flagged AND old.outcome = 'a'), flagged_b = flagged_b - (old.flagged AND old.outcome = 'b'),
         flagged_ties = flagged_ties - (old.flagged AND old.outcome = 'tie'), flagged_both_bad = flagged_both_bad - (old.flagged AND old.outcome = 'both_bad'),
         order_version = order_version + (old.dataset_id != new.dataset_id)
   WHERE dataset_id = old.dataset_id;
  UPDATE dataset_counts
     SET comparisons = comparisons + 1,
         outcome_a = outcome_a + (new.outcome = 'a'), outcome_b = outcome_b + (new.outcome = 'b'),
         ties = ties + (new.outcome = 'tie'), both_bad = both_bad + (new.outcome = 'both_bad'),
         flagged = flagged + new.flagged,
         flagged_a = flagged_a + (new.flagged AND new.outcome = 'a'), flagged_b = flagged_b + (new.flagged AND new.outcome = 'b'),
         flagged_ties = flagged_ties + (new.flagged AND new.outcome = 'tie'), flagged_both_bad = flagged_both_bad + (new.flagged AND new.outcome = 'both_bad'),
         order_version = order_version + (old.dataset_id != new.dataset_id)
   WHERE dataset_id = new.dataset_id;
END;

CREATE TRIGGER comparisons_annotator_counts_update AFTER UPDATE OF outcome, flagged, annotator, dataset_id ON comparisons
WHEN old.outcome IS NOT new.outcome OR old.flagged IS NOT new.flagged OR old.annotator IS NOT new.annotator OR old.dataset_id != new.dataset_id BEGIN
  UPDATE comparison_annotator_counts SET n = n - 1
   WHERE dataset_id = old.dataset_id AND named = (old.annotator IS NOT NULL) AND annotator = coalesce(old.annotator, '')
     AND outcome = old.outcome AND flagged = old.flagged;
  DELETE FROM comparison_annotator_counts
   WHERE dataset_id = old.dataset_id AND named = (old.annotator IS NOT NULL) AND annotator = coalesce(old.annotator, '')
     AND outcome = old.outcome AND flagged = old.flagged AND n = 0;
  INSERT INTO comparison_annotator_counts (dataset_id, named, annotator, outcome, flagged, n)
  VALUES (new.dataset_id, new.annotator IS NOT NULL, coalesce(new.annotator, ''), new.outcome, new.flagged, 1)
  ON CONFLICT DO UPDATE SET n = n + 1;
END;
`
