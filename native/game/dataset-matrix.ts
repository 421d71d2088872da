import type { DataMatrix, PromptChoice } from '../api/game'
import { NashlabError } from '../api/errors'
import { DatasetRepository } from '../store/datasets'
import type { Db } from '../store/db'
import { PairTally } from './empirical'

/** Prompts of a dataset with at least two responses, most compared first. */
export function datasetPrompts(db: Db, dataset: string, limit: number): PromptChoice[] {
  const { id } = new DatasetRepository(db).get(dataset)
  return db
    .prepare(
      `SELECT p.id, p.text,
              (SELECT count(*) FROM responses r WHERE r.prompt_id = p.id) AS responses,
              (SELECT count(*) FROM comparisons c WHERE c.prompt_id = p.id AND c.dataset_id = p.dataset_id) AS comparisons
         FROM prompts p
        WHERE p.dataset_id = ? AND responses >= 2
        ORDER BY comparisons DESC, p.id
        LIMIT ?`,
    )
    .all(id, limit) as PromptChoice[]
}

/**
 * The empirical preference matrix among all responses of one prompt, from the comparisons table:
 * outcome 'a' is a win for response a, 'b' for response b, 'tie' counts ½ to each; 'both_bad'
 * says nothing about which is preferred and is left out (counted in `ignored`). Responses are in id
 * order; pairs never compared get ½ and are listed in `missing`. Without a prompt id, the prompt with
 * the most comparisons is used.
 */
export function datasetMatrix(db: Db, dataset: string, promptId?: number): DataMatrix {
  const { id: datasetId } = new DatasetRepository(db).get(dataset)
  let prompt: { id: number; text: string } | undefined
  if (promptId === undefined) {
    const best = datasetPrompts(db, dataset, 1)[0]
    if (!best) throw new NashlabError('not_found', `The dataset "${dataset}" has no prompt with two or more responses.`, { dataset })
    prompt = best
  } else {
    prompt = db.prepare('SELECT id, text FROM prompts WHERE id = ? AND dataset_id = ?').get(promptId, datasetId) as typeof prompt
    if (!prompt) throw new NashlabError('not_found', `The dataset "${dataset}" has no prompt with id ${promptId}.`, { dataset, prompt: promptId })
  }
  const responses = db.prepare('SELECT id, text FROM responses WHERE prompt_id = ? ORDER BY id').all(prompt.id) as { id: number; text: string }[]
  if (responses.length < 2) {
    throw new NashlabError('invalid_input', `Prompt ${prompt.id} of "${dataset}" has ${responses.length} response; a game needs at least two.`, {
      dataset,
      prompt: prompt.id,
    })
  }
  const index = new Map(responses.map((r, i) => [r.id, i]))
  const tally = new PairTally(responses.length)
  const rows = db
    .prepare('SELECT response_a AS a, response_b AS b, outcome FROM comparisons WHERE prompt_id = ? AND dataset_id = ? ORDER BY id')
    .all(prompt.id, datasetId) as { a: number; b: number; outcome: string }[]
  let judgements = 0
  let ignored = 0
  for (const row of rows) {
    const i = index.get(row.a)
    const j = index.get(row.b)
    if (i === undefined || j === undefined || i === j || row.outcome === 'both_bad') {
      ignored++
      continue
    }
    tally.add(i, j, row.outcome === 'a' ? 1 : row.outcome === 'b' ? 0 : 0.5)
    judgements++
  }
  return {
    source: 'dataset',
    title: prompt.text,
    actions: responses.map((r) => r.text),
    ids: responses.map((r) => r.id),
    ...tally.matrix(),
    judgements,
    ignored,
  }
}
