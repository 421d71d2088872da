import type { Db } from './db'

/** A response a model or checkpoint generated, to be stored with where it came from. */
export interface GeneratedResponse {
  /** `model:<id>` or `checkpoint:<id>`. */
  player: string
  modelId: number
  checkpointId: number | null
  text: string
  /** Sampling settings it was drawn with. */
  settings?: Record<string, unknown>
}

/**
 * Store generated responses to one prompt in a dataset, each with its origin (response_origins).
 * A text already stored for the prompt keeps its row (and its first source); the new origin is
 * added beside it. Returns the response ids, in order. The caller owns the transaction.
 */
export function storeGeneratedResponses(db: Db, datasetId: number, prompt: string, responses: readonly GeneratedResponse[]): { promptId: number; responseIds: number[] } {
  db.prepare('INSERT INTO prompts (dataset_id, text) VALUES (?, ?) ON CONFLICT DO NOTHING').run(datasetId, prompt)
  const promptId = db.prepare('SELECT id FROM prompts WHERE dataset_id = ? AND text = ?').pluck().get(datasetId, prompt) as number
  const insertResponse = db.prepare('INSERT INTO responses (prompt_id, text, source, model_id) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING')
  const selectResponse = db.prepare('SELECT id FROM responses WHERE prompt_id = ? AND text = ?').pluck()
  const insertOrigin = db.prepare('INSERT INTO response_origins (response_id, player, model_id, checkpoint_id, settings) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING')
  const responseIds = responses.map((r) => {
    insertResponse.run(promptId, r.text, r.player.startsWith('checkpoint:') ? r.player : `model:${r.modelId}`, r.modelId)
    const id = selectResponse.get(promptId, r.text) as number
    insertOrigin.run(id, r.player, r.modelId, r.checkpointId, JSON.stringify(r.settings ?? {}))
    return id
  })
  return { promptId, responseIds }
}
