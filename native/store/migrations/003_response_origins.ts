/**
 * Which player (a model, or a checkpoint of a run) generated a stored response, so that human votes
 * on generated responses can be counted per player (the tournament's human judge). One text can
 * come from several players, so origins live beside `responses` rather than in it; `responses.source`
 * and `responses.model_id` keep the first origin for readers that need only one.
 *
 * Tournaments gain what a finished job leaves: the full result (matrix, intervals, ratings, the
 * maximal lottery), the error of a failed one, and when it ended.
 */
export const up = `
CREATE TABLE response_origins (
  response_id   INTEGER NOT NULL REFERENCES responses(id) ON DELETE CASCADE,
  -- 'model:<id>' or 'checkpoint:<id>'
  player        TEXT NOT NULL,
  model_id      INTEGER REFERENCES models(id) ON DELETE CASCADE,
  checkpoint_id INTEGER REFERENCES checkpoints(id) ON DELETE CASCADE,
  -- sampling settings as JSON (temperature, top_p, seed, ...)
  settings      TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(settings)),
  created_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  PRIMARY KEY (response_id, player)
) STRICT;
CREATE INDEX response_origins_player ON response_origins(player);

ALTER TABLE tournaments ADD COLUMN result TEXT CHECK (result IS NULL OR json_valid(result));
ALTER TABLE tournaments ADD COLUMN error TEXT;
ALTER TABLE tournaments ADD COLUMN finished_at TEXT;
`
