/**
 * Model lineage: which dataset a model's tokenizer (or training data) came from, and which
 * checkpoint holds its weights when a training run made it.
 */
export const up = `
ALTER TABLE models ADD COLUMN dataset_id INTEGER REFERENCES datasets(id) ON DELETE SET NULL;
ALTER TABLE models ADD COLUMN checkpoint_id INTEGER REFERENCES checkpoints(id) ON DELETE SET NULL;
ALTER TABLE models ADD COLUMN description TEXT NOT NULL DEFAULT '';
CREATE INDEX models_run ON models(run_id);
CREATE INDEX models_parent ON models(parent_id);
CREATE INDEX runs_model ON runs(model_id);
`
