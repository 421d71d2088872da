/**
 * The first schema. STRICT tables, foreign keys, timestamps as ISO-8601 UTC text.
 * Texts (prompts, responses) are stored once per dataset and referenced by id.
 */
export const up = `
CREATE TABLE datasets (
  id          INTEGER PRIMARY KEY,
  name        TEXT NOT NULL UNIQUE,
  description TEXT NOT NULL DEFAULT '',
  created_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
) STRICT;

CREATE TABLE prompts (
  id         INTEGER PRIMARY KEY,
  dataset_id INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
  text       TEXT NOT NULL,
  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  UNIQUE (dataset_id, text)
) STRICT;

CREATE TABLE responses (
  id           INTEGER PRIMARY KEY,
  prompt_id    INTEGER NOT NULL REFERENCES prompts(id) ON DELETE CASCADE,
  text         TEXT NOT NULL,
  -- where the text came from: 'import', 'human', or 'model:<id>'
  source       TEXT NOT NULL DEFAULT 'import',
  model_id     INTEGER REFERENCES models(id) ON DELETE SET NULL,
  created_at   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  UNIQUE (prompt_id, text)
) STRICT;

CREATE TABLE comparisons (
  id          INTEGER PRIMARY KEY,
  dataset_id  INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
  prompt_id   INTEGER NOT NULL REFERENCES prompts(id) ON DELETE CASCADE,
  response_a  INTEGER NOT NULL REFERENCES responses(id) ON DELETE CASCADE,
  response_b  INTEGER NOT NULL REFERENCES responses(id) ON DELETE CASCADE,
  outcome     TEXT NOT NULL CHECK (outcome IN ('a', 'b', 'tie', 'both_bad')),
  annotator   TEXT,
  -- 'import', 'human', 'oracle', 'model:<id>'
  source      TEXT NOT NULL DEFAULT 'import',
  -- which response was shown on the left to a human voter; NULL when nobody saw it side by side
  shown_left  TEXT CHECK (shown_left IN ('a', 'b')),
  flagged     INTEGER NOT NULL DEFAULT 0 CHECK (flagged IN (0, 1)),
  created_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
) STRICT;
CREATE INDEX comparisons_dataset ON comparisons(dataset_id, id);
CREATE INDEX comparisons_prompt ON comparisons(prompt_id);

CREATE TABLE models (
  id         INTEGER PRIMARY KEY,
  name       TEXT NOT NULL UNIQUE,
  -- 'policy', 'preference', 'reward', 'imported'
  kind       TEXT NOT NULL,
  -- path of the ONNX file or model folder, relative to the data folder when inside it
  file       TEXT,
  config     TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(config)),
  parent_id  INTEGER REFERENCES models(id) ON DELETE SET NULL,
  run_id     INTEGER REFERENCES runs(id) ON DELETE SET NULL,
  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
) STRICT;

CREATE TABLE runs (
  id          INTEGER PRIMARY KEY,
  algorithm   TEXT NOT NULL,
  -- the full resolved config, defaults included
  config      TEXT NOT NULL CHECK (json_valid(config)),
  status      TEXT NOT NULL CHECK (status IN ('queued', 'running', 'paused', 'cancelled', 'failed', 'completed')),
  error       TEXT,
  model_id    INTEGER REFERENCES models(id) ON DELETE SET NULL,
  dataset_id  INTEGER REFERENCES datasets(id) ON DELETE SET NULL,
  created_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  updated_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
) STRICT;

CREATE TABLE metrics (
  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  step   INTEGER NOT NULL,
  name   TEXT NOT NULL,
  value  REAL NOT NULL,
  PRIMARY KEY (run_id, name, step)
) STRICT, WITHOUT ROWID;

CREATE TABLE checkpoints (
  id         INTEGER PRIMARY KEY,
  run_id     INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  step       INTEGER NOT NULL,
  -- folder holding the checkpoint files, relative to the data folder when inside it
  path       TEXT NOT NULL,
  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  UNIQUE (run_id, step)
) STRICT;

CREATE TABLE generations (
  id          INTEGER PRIMARY KEY,
  model_id    INTEGER REFERENCES models(id) ON DELETE CASCADE,
  checkpoint_id INTEGER REFERENCES checkpoints(id) ON DELETE CASCADE,
  run_id      INTEGER REFERENCES runs(id) ON DELETE CASCADE,
  step        INTEGER,
  prompt      TEXT NOT NULL,
  completion  TEXT NOT NULL,
  -- sampling settings as JSON (temperature, top_p, seed, ...)
  settings    TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(settings)),
  created_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
) STRICT;

CREATE TABLE tournaments (
  id          INTEGER PRIMARY KEY,
  name        TEXT NOT NULL,
  -- judge: 'pref:<model id>', 'oracle', 'human'
  judge       TEXT NOT NULL,
  config      TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(config)),
  status      TEXT NOT NULL CHECK (status IN ('queued', 'running', 'cancelled', 'failed', 'completed')),
  created_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
) STRICT;

CREATE TABLE tournament_players (
  tournament_id INTEGER NOT NULL REFERENCES tournaments(id) ON DELETE CASCADE,
  position      INTEGER NOT NULL,
  label         TEXT NOT NULL,
  model_id      INTEGER REFERENCES models(id) ON DELETE SET NULL,
  checkpoint_id INTEGER REFERENCES checkpoints(id) ON DELETE SET NULL,
  PRIMARY KEY (tournament_id, position)
) STRICT;

-- one cell: how often the column player beat the row player
CREATE TABLE tournament_cells (
  tournament_id INTEGER NOT NULL REFERENCES tournaments(id) ON DELETE CASCADE,
  row_player    INTEGER NOT NULL,
  col_player    INTEGER NOT NULL,
  wins          REAL NOT NULL,
  n             INTEGER NOT NULL,
  PRIMARY KEY (tournament_id, row_player, col_player)
) STRICT;
`
