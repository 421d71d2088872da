/**
 * Constant-time pages of feedback and prompts, as 005 gave comparisons: each kind of row has its
 * own order version in `dataset_counts`, counting the rows that left a dataset (deleted, or moved
 * to another) or joined it other than at the end (moved in); while it holds still, the positions
 * the engine noted (see page-anchors.ts) are exact.
 *
 * - `prompts_dataset` orders a dataset's prompts by id (the unique index on their texts does not),
 *   so that a page, the first and last id, and an anchor's walk read the index alone. Prompts are
 *   appended in id order, so keeping it costs an import an append per new prompt.
 * - A feedback row or prompt moved to another dataset now moves its counts too (004 counted only
 *   inserts and deletes); a moved prompt takes its responses' count with it.
 * - `filter_version` counts the changes of a comparison's outcome, flag or annotator: the rows a
 *   filter (an outcome, flagged only) selects keep their positions while it and `order_version`
 *   hold still, so filtered pages have anchors too.
 */
export const up = `
ALTER TABLE dataset_counts ADD COLUMN feedback_order_version INTEGER NOT NULL DEFAULT 0;
ALTER TABLE dataset_counts ADD COLUMN prompts_order_version INTEGER NOT NULL DEFAULT 0;
ALTER TABLE dataset_counts ADD COLUMN filter_version INTEGER NOT NULL DEFAULT 0;

CREATE TRIGGER comparisons_filter_version AFTER UPDATE OF outcome, flagged, annotator ON comparisons
WHEN old.outcome IS NOT new.outcome OR old.flagged IS NOT new.flagged OR old.annotator IS NOT new.annotator BEGIN
  UPDATE dataset_counts SET filter_version = filter_version + 1 WHERE dataset_id = new.dataset_id;
END;

CREATE INDEX prompts_dataset ON prompts(dataset_id, id);

DROP TRIGGER feedback_counts_delete;
CREATE TRIGGER feedback_counts_delete AFTER DELETE ON feedback BEGIN
  UPDATE dataset_counts SET feedback = feedback - 1, feedback_order_version = feedback_order_version + 1
   WHERE dataset_id = old.dataset_id;
END;
CREATE TRIGGER feedback_counts_move AFTER UPDATE OF dataset_id ON feedback
WHEN old.dataset_id != new.dataset_id BEGIN
  UPDATE dataset_counts SET feedback = feedback - 1, feedback_order_version = feedback_order_version + 1
   WHERE dataset_id = old.dataset_id;
  UPDATE dataset_counts SET feedback = feedback + 1, feedback_order_version = feedback_order_version + 1
   WHERE dataset_id = new.dataset_id;
END;

DROP TRIGGER prompts_counts_delete;
CREATE TRIGGER prompts_counts_delete BEFORE DELETE ON prompts BEGIN
  UPDATE dataset_counts
     SET prompts = prompts - 1,
         responses = responses - (SELECT count(*) FROM responses WHERE prompt_id = old.id),
         prompts_order_version = prompts_order_version + 1
   WHERE dataset_id = old.dataset_id;
END;
CREATE TRIGGER prompts_counts_move AFTER UPDATE OF dataset_id ON prompts
WHEN old.dataset_id != new.dataset_id BEGIN
  UPDATE dataset_counts
     SET prompts = prompts - 1,
         responses = responses - (SELECT count(*) FROM responses WHERE prompt_id = new.id),
         prompts_order_version = prompts_order_version + 1
   WHERE dataset_id = old.dataset_id;
  UPDATE dataset_counts
     SET prompts = prompts + 1,
         responses = responses + (SELECT count(*) FROM responses WHERE prompt_id = new.id),
         prompts_order_version = prompts_order_version + 1
   WHERE dataset_id = new.dataset_id;
END;
`
