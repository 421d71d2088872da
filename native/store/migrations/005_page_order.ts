/**
 * Constant-time pages after deletes: `dataset_counts.order_version` counts the comparisons that
 * left a dataset (deleted, or moved to another) or joined it other than at the end (moved in).
 * Rows appended by an insert take ids above every id there is, so they never shift the position
 * of an older row; while the version holds still, the positions the engine noted for a dataset's
 * rows (see page-anchors.ts) are exact. Undo, the one writer that puts old ids back, bumps it
 * itself. The triggers are 004's with the version added to the UPDATE they run anyway.
 */
export const up = `
ALTER TABLE dataset_counts ADD COLUMN order_version INTEGER NOT NULL DEFAULT 0;

DROP TRIGGER comparisons_counts_delete;
CREATE TRIGGER comparisons_counts_delete AFTER DELETE ON comparisons BEGIN
  UPDATE dataset_counts
     SET comparisons = comparisons - 1,
         outcome_a = outcome_a - (old.outcome = 'a'), outcome_b = outcome_b - (old.outcome = 'b'),
         ties = ties - (old.outcome = 'tie'), both_bad = both_bad - (old.outcome = 'both_bad'),
         flagged = flagged - old.flagged,
         order_version = order_version + 1
   WHERE dataset_id = old.dataset_id;
END;

DROP TRIGGER comparisons_counts_update;
CREATE TRIGGER comparisons_counts_update AFTER UPDATE OF outcome, flagged, dataset_id ON comparisons BEGIN
  UPDATE dataset_counts
     SET comparisons = comparisons - 1,
         outcome_a = outcome_a - (old.outcome = 'a'), outcome_b = outcome_b - (old.outcome = 'b'),
         ties = ties - (old.outcome = 'tie'), both_bad = both_bad - (old.outcome = 'both_bad'),
         flagged = flagged - old.flagged,
         order_version = order_version + (old.dataset_id != new.dataset_id)
   WHERE dataset_id = old.dataset_id;
  UPDATE dataset_counts
     SET comparisons = comparisons + 1,
         outcome_a = outcome_a + (new.outcome = 'a'), outcome_b = outcome_b + (new.outcome = 'b'),
         ties = ties + (new.outcome = 'tie'), both_bad = both_bad + (new.outcome = 'both_bad'),
         flagged = flagged + new.flagged,
         order_version = order_version + (old.dataset_id != new.dataset_id)
   WHERE dataset_id = new.dataset_id;
END;
`
