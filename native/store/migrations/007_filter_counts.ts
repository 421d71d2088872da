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
/**
 * The comparison counts of `dataset_counts` and what one row adds to each, as SQL on the row `r`
 * (`new` or `old` in a trigger). The count triggers below are written from it, and so is the
 * import's one-pass count that stands in for the insert trigger (bulk-counts.ts).
 */
export const comparisonCounts: readonly (readonly [column: string, added: (r: string) => string])[] = [
  ['comparisons', () => '1'],
  ['outcome_a', (r) => `(${r}.outcome = 'a')`],
  ['outcome_b', (r) => `(${r}.outcome = 'b')`],
  ['ties', (r) => `(${r}.outcome = 'tie')`],
  ['both_bad', (r) => `(${r}.outcome = 'both_bad')`],
  ['flagged', (r) => `${r}.flagged`],
  ['flagged_a', (r) => `(${r}.flagged AND ${r}.outcome = 'a')`],
  ['flagged_b', (r) => `(${r}.flagged AND ${r}.outcome = 'b')`],
  ['flagged_ties', (r) => `(${r}.flagged AND ${r}.outcome = 'tie')`],
  ['flagged_both_bad', (r) => `(${r}.flagged AND ${r}.outcome = 'both_bad')`],
]

/** `dataset_counts` assignments that add (`+`) or take away (`-`) row `r`. */
const counted = (sign: '+' | '-', r: string) => comparisonCounts.map(([column, added]) => `${column} = ${column} ${sign} ${added(r)}`).join(',\n         ')

/** The key of row `r`'s `comparison_annotator_counts` row. */
const annotatorKey = (r: string) => `dataset_id = ${r}.dataset_id AND named = (${r}.annotator IS NOT NULL) AND annotator = coalesce(${r}.annotator, '')
     AND outcome = ${r}.outcome AND flagged = ${r}.flagged`

/** Count row `r` in `comparison_annotator_counts`. */
const annotatorAdd = (r: string) => `INSERT INTO comparison_annotator_counts (dataset_id, named, annotator, outcome, flagged, n)
  VALUES (${r}.dataset_id, ${r}.annotator IS NOT NULL, coalesce(${r}.annotator, ''), ${r}.outcome, ${r}.flagged, 1)
  ON CONFLICT DO UPDATE SET n = n + 1;`

/** Uncount row `r`, removing a count that falls to zero. */
const annotatorTake = (r: string) => `UPDATE comparison_annotator_counts SET n = n - 1 WHERE ${annotatorKey(r)};
  DELETE FROM comparison_annotator_counts WHERE ${annotatorKey(r)} AND n = 0;`

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
     SET ${counted('+', 'new')}
   WHERE dataset_id = new.dataset_id;
  ${annotatorAdd('new')}
END;

DROP TRIGGER comparisons_counts_delete;
CREATE TRIGGER comparisons_counts_delete AFTER DELETE ON comparisons BEGIN
  UPDATE dataset_counts
     SET ${counted('-', 'old')},
         order_version = order_version + 1
   WHERE dataset_id = old.dataset_id;
  ${annotatorTake('old')}
END;

DROP TRIGGER comparisons_counts_update;
CREATE TRIGGER comparisons_counts_update AFTER UPDATE OF outcome, flagged, dataset_id ON comparisons BEGIN
  UPDATE dataset_counts
     SET ${counted('-', 'old')},
         order_version = order_version + (old.dataset_id != new.dataset_id)
   WHERE dataset_id = old.dataset_id;
  UPDATE dataset_counts
     SET ${counted('+', 'new')},
         order_version = order_version + (old.dataset_id != new.dataset_id)
   WHERE dataset_id = new.dataset_id;
END;

CREATE TRIGGER comparisons_annotator_counts_update AFTER UPDATE OF outcome, flagged, annotator, dataset_id ON comparisons
WHEN old.outcome IS NOT new.outcome OR old.flagged IS NOT new.flagged OR old.annotator IS NOT new.annotator OR old.dataset_id != new.dataset_id BEGIN
  ${annotatorTake('old')}
  ${annotatorAdd('new')}
END;
`
