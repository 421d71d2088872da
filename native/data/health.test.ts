import { afterEach, beforeEach, describe, expect, test } from 'vitest'
import { countTriads, wilson } from './health'
import { openBench, type TestBench } from './testing'

describe('wilson interval', () => {
  test('matches the closed form at n = 10 and stays inside [0, 1]', () => {
    const r = wilson(5, 10)
    expect(r.rate).toBe(0.5)
    expect(r.low).toBeCloseTo(0.2366, 4)
    expect(r.high).toBeCloseTo(0.7634, 4)
    expect(wilson(0, 3)).toMatchObject({ rate: 0, low: 0 })
    expect(wilson(3, 3).high).toBe(1)
    expect(wilson(0, 0)).toEqual({ count: 0, of: 0, rate: null, low: null, high: null })
  })
})

describe('triads', () => {
  test('a rock-paper-scissors cycle is one cyclic triad', () => {
    const t = countTriads([
      { winner: 1, loser: 2 },
      { winner: 2, loser: 3 },
      { winner: 3, loser: 1 },
    ])
    expect(t).toEqual({ triads: 1, cyclic: 1, example: [1, 2, 3] })
  })

  test('majorities decide each pair; ties and unjudged pairs make no triad', () => {
    const transitive = countTriads([
      { winner: 1, loser: 2 },
      { winner: 2, loser: 3 },
      { winner: 1, loser: 3 },
      { winner: 3, loser: 1 },
      { winner: 1, loser: 3 },
    ])
    expect(transitive).toEqual({ triads: 1, cyclic: 0, example: null })
    expect(countTriads([{ winner: 1, loser: 2 }, { winner: 2, loser: 3 }]).triads).toBe(0)
    expect(countTriads([{ winner: 1, loser: 2 }, { winner: 2, loser: 1 }, { winner: 2, loser: 3 }, { winner: 3, loser: 1 }]).triads).toBe(0)
  })

  test('four responses in a full cycle order give the known count of cyclic triads', () => {
    // 1>2>3>4>1 plus 1>3 and 2>4: every pair decided; the cyclic triads counted by brute force.
    const wins = [
      [1, 2],
      [2, 3],
      [3, 4],
      [4, 1],
      [1, 3],
      [2, 4],
    ].map(([winner, loser]) => ({ winner, loser }))
    const beats = (x: number, y: number) => wins.some((w) => w.winner === x && w.loser === y)
    let cyclic = 0
    const ids = [1, 2, 3, 4]
    for (let i = 0; i < 4; i++)
      for (let j = i + 1; j < 4; j++)
        for (let k = j + 1; k < 4; k++) {
          const [x, y, z] = [ids[i], ids[j], ids[k]]
          if ((beats(x, y) && beats(y, z) && beats(z, x)) || (beats(y, x) && beats(z, y) && beats(x, z))) cyclic++
        }
    expect(countTriads(wins)).toMatchObject({ triads: 4, cyclic })
  })
})

describe('dataset health and annotators', () => {
  let bench: TestBench
  beforeEach(async () => {
    bench = openBench()
    const rows = [
      // A cycle among the answers to "rps": rock beats scissors beats paper beats rock.
      ['rps', 'rock', 'scissors', 'a', 'ann1', 'a'],
      ['rps', 'scissors', 'paper', 'a', 'ann1', 'a'],
      ['rps', 'paper', 'rock', 'a', 'ann2', 'b'],
      // Transitive: long > mid > short.
      ['order', 'a long answer', 'mid answer', 'a', 'ann2', 'a'],
      ['order', 'mid answer', 'short', 'a', 'ann2', ''],
      ['order', 'a long answer', 'short', 'a', 'ann2', ''],
      // One pair judged by three annotators; ann3 disagrees (ann2 saw it the other way round).
      ['pair', 'u', 'vv', 'a', 'ann1', ''],
      ['pair', 'vv', 'u', 'b', 'ann2', ''],
      ['pair', 'u', 'vv', 'b', 'ann3', ''],
      ['pair', 'u', 'vv', 'tie', 'ann3', ''],
    ]
    const csv = 'prompt,a,b,outcome,annotator,left\n' + rows.map((r) => r.join(',')).join('\n') + '\n'
    await bench.engine.call('datasets.import', {
      dataset: 'h',
      path: bench.file('h.csv', csv),
      format: 'map',
      map: { prompt: 'prompt', responseA: 'a', responseB: 'b', outcome: 'outcome', annotator: 'annotator', shownLeft: 'left' },
    })
  })
  afterEach(() => bench.close())

  test('tie rate, position bias, length bias and cycles', async () => {
    const h = await bench.engine.call('datasets.health', { name: 'h' })
    expect(h.comparisons).toBe(10)
    expect(h.ties).toMatchObject({ count: 1, of: 10, rate: 0.1 })
    expect(h.bothBad).toMatchObject({ count: 0, of: 10 })
    // Left shown: rows 1, 2, 4 had a on the left and a won; row 3 had b on the left and a won.
    expect(h.leftWins).toMatchObject({ count: 3, of: 4, rate: 0.75 })
    // Decisive pairs of different length: rock/scissors (shorter won), scissors/paper (longer won),
    // paper/rock (longer won), the three "order" rows (longer won) and the three decisive "pair" rows.
    expect(h.longerWins).toMatchObject({ of: 9, count: 6 })
    expect(h.intransitivity).toMatchObject({ prompts: 2, triads: 2, cyclic: 1, rate: 0.5, promptsWithCycles: 1, skippedPrompts: [] })
    const example = h.intransitivity.examples[0]
    expect(example.prompt).toBe('rps')
    expect(example.cycle.map((c) => c.text)).toEqual(['rock', 'scissors', 'paper'])
  })

  test('per-annotator counts and agreement on shared pairs', async () => {
    const r = await bench.engine.call('datasets.annotators', { name: 'h' })
    expect(r.sharedPairs).toBe(1)
    const by = Object.fromEntries(r.annotators.map((a) => [a.annotator, a]))
    expect(by.ann2).toMatchObject({ comparisons: 5, outcomes: { a: 4, b: 1, tie: 0, both_bad: 0 } })
    // Judgements of the shared pair: ann1 u, ann2 u, ann3 vv and tie. Pairs by different
    // annotators: ann1–ann2 agree; ann1–ann3 ×2 and ann2–ann3 ×2 disagree: 1 of 5. Seen from
    // ann1: three comparisons of verdicts (one with ann2, two with ann3), one agreeing.
    expect(by.ann1).toMatchObject({ sharedJudgements: 3, agreements: 1 })
    expect(by.ann1.agreement).toBeCloseTo(1 / 3, 10)
    expect(by.ann3).toMatchObject({ sharedJudgements: 4, agreements: 0, agreement: 0 })
    expect(r.agreement).toBeCloseTo(1 / 5, 10)
    const stats = await bench.engine.call('datasets.stats', { name: 'h' })
    expect(stats).toMatchObject({ outcomes: { a: 7, b: 2, tie: 1, both_bad: 0 }, flagged: 0 })
    expect(r.annotators).toHaveLength(3)
  })
})

describe('reports over a large dataset', () => {
  test('are computed in a worker thread and match the in-place pass', async () => {
    const bench = openBench()
    try {
      // Above the in-place limit: 51,000 comparisons over 17,000 prompts, three responses each.
      const lines: string[] = []
      for (let p = 0; p < 17_000; p++) {
        const [x, y, z] = [`x${p}`, `yy${p}`, `zzz${p}`]
        const cyc = p % 4 === 0
        lines.push(`q${p},${x},${y},a,ann${p % 3},a`, `q${p},${y},${z},a,ann${(p + 1) % 3},`, `q${p},${x},${z},${cyc ? 'b' : 'a'},ann${(p + 2) % 3},b`)
      }
      await bench.engine.call('datasets.import', {
        dataset: 'big',
        path: bench.file('big.csv', `prompt,a,b,outcome,annotator,left\n${lines.join('\n')}\n`),
        format: 'map',
        map: { prompt: 'prompt', responseA: 'a', responseB: 'b', outcome: 'outcome', annotator: 'annotator', shownLeft: 'left' },
      })
      const health = await bench.engine.call('datasets.health', { name: 'big' })
      expect(health.intransitivity).toMatchObject({ prompts: 17_000, triads: 17_000, cyclic: 4_250, promptsWithCycles: 4_250 })
      // Left shown on the first pair (a, which won) and the third (b, which won in the cyclic quarter).
      expect(health.leftWins).toMatchObject({ of: 34_000, count: 17_000 + 4_250 })
      const { computeReport } = await import('./report')
      const { DatasetStatsQueries } = await import('../store/dataset-stats')
      const id = (await bench.engine.call('datasets.show', { name: 'big' })).id
      expect(computeReport(new DatasetStatsQueries(bench.engine.db), id).health).toEqual(health)
      expect((await bench.engine.call('datasets.annotators', { name: 'big' })).annotators.map((a) => a.comparisons)).toEqual([17_000, 17_000, 17_000])
    } finally {
      await bench.close()
    }
  })
})
