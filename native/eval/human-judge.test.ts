import { expect, test } from 'vitest'
import { ComparisonWriter, DatasetRepository } from '../store/datasets'
import { openDatabase } from '../store/db'
import { ModelRepository } from '../store/models'
import { storeGeneratedResponses } from '../store/response-origins'
import { humanResults } from './human-judge'
import { summarizeTournament } from './tournament'

test('human votes count per player: a win 1, a tie ½ each, both bad and one player’s own pair left out; a prompt set filters', () => {
  const db = openDatabase(':memory:')
  const models = new ModelRepository(db)
  const [a, b, c] = ['a', 'b', 'c'].map((name) => models.create({ name, kind: 'policy', config: {} }))
  const datasets = new DatasetRepository(db)
  const votes = datasets.ensure('votes')
  const origin = (id: number, text: string) => ({ player: `model:${id}`, modelId: id, checkpointId: null, text })
  // Two prompts; on the first, a and c happen to write the same text.
  storeGeneratedResponses(db, votes, 'p1', [origin(a, 'A1'), origin(b, 'B1'), origin(c, 'A1')])
  storeGeneratedResponses(db, votes, 'p2', [origin(a, 'A2'), origin(b, 'B2'), origin(b, 'B2x')])
  const writer = new ComparisonWriter(db, votes)
  const vote = (prompt: string, x: string, y: string, outcome: 'a' | 'b' | 'tie' | 'both_bad') => writer.add({ prompt, a: x, b: y, outcome, source: 'human', annotator: 'ada' })
  vote('p1', 'A1', 'B1', 'a') // a and c (same text) over b
  vote('p2', 'A2', 'B2', 'tie')
  vote('p2', 'B2', 'A2', 'both_bad')
  vote('p2', 'B2', 'B2x', 'a') // b against b
  writer.add({ prompt: 'p2', a: 'A2', b: 'B2', outcome: 'b', source: 'import' }) // not a human vote

  const all = humanResults(db, [`model:${a}`, `model:${b}`, `model:${c}`], null)
  expect(all.wins).toEqual([
    [0, 1.5, 0],
    [0.5, 0, 0],
    [0, 1, 0],
  ])
  expect(all.games).toEqual([
    [0, 2, 0],
    [2, 0, 1],
    [0, 1, 0],
  ])
  expect(all.judged).toBe(3)
  expect(all.skipped).toBe(2)

  const prompts = datasets.ensure('prompt set')
  new ComparisonWriter(db, prompts).prompt('p2')
  const filtered = humanResults(db, [`model:${a}`, `model:${b}`], prompts)
  expect(filtered.games).toEqual([
    [0, 1],
    [1, 0],
  ])

  // A pair never judged (a against c) is ½ with the whole interval.
  const summary = summarizeTournament(['a', 'b', 'c'], 'human', all, { bootstrap: 20 })
  expect(summary.matrix[0][2]).toBe(0.5)
  expect([summary.ci_low[0][2], summary.ci_high[0][2]]).toEqual([0, 1])
  expect(summary.matrix[0][1]).toBeCloseTo(0.25, 12)
  expect(summary.n[1][0]).toBe(2)
  db.close()
})
