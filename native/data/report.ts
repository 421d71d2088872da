import type { AnnotatorReport, AnnotatorStats, Outcome, PreferenceHealth } from '../api/contract'
import type { DatasetStatsQueries, ReportRow } from '../store/dataset-stats'
import { countTriads, wilson, type Win } from './health'

/** Prompts with more compared responses than this are left out of the O(k³) triad count. */
export const maxTriadResponses = 300
const maxExamples = 10

export interface DatasetReport {
  health: PreferenceHealth
  annotators: AnnotatorReport
}

interface Tally {
  comparisons: number
  outcomes: Record<Outcome, number>
  flagged: number
  shared: number
  agreed: number
}

/**
 * A dataset's preference health and annotator table, from one pass over its comparisons grouped
 * by prompt (memory: one prompt's comparisons and one tally per annotator).
 *
 * Health: tie and both-bad rates; position bias (among human votes with a recorded left side, how
 * often the left one won: ½ is unbiased); length bias (among decisive comparisons of responses of
 * different length in characters, how often the longer won: ½ is length-neutral); intransitivity
 * (among each prompt's responses, the triads whose pairwise majorities go round in a cycle — what
 * a scalar reward cannot represent and NLHF can). Every rate has its Wilson 95 % interval.
 *
 * Annotators: judgements, outcomes and flags per annotator, and agreement on pairs judged by
 * several annotators: each judgement becomes the pair {lo, hi} of response ids and the verdict
 * lo / hi / tie / both_bad, and every two judgements of one pair by different annotators is one
 * comparison of verdicts (counted for each of the two annotators).
 */
export function computeReport(queries: DatasetStatsQueries, datasetId: number): DatasetReport {
  const outcomes: Record<Outcome, number> = { a: 0, b: 0, tie: 0, both_bad: 0 }
  let comparisons = 0
  const left = { count: 0, of: 0 }
  const longer = { count: 0, of: 0 }
  let prompts = 0
  let triads = 0
  let cyclic = 0
  let promptsWithCycles = 0
  const skippedPrompts: number[] = []
  const found: { promptId: number; cycle: [number, number, number] }[] = []
  const tallies = new Map<string | null, Tally>()
  let sharedPairs = 0
  let pairsOfJudgements = 0
  let agreeingPairs = 0

  for (const group of queries.byPrompt(datasetId)) {
    const wins: Win[] = []
    const items = new Map<string, { annotator: string; verdict: string }[]>()
    for (const r of group) {
      comparisons++
      outcomes[r.outcome]++
      const tally = tallyOf(tallies, r.annotator)
      tally.comparisons++
      tally.outcomes[r.outcome]++
      tally.flagged += r.flagged
      const decisive = r.outcome === 'a' || r.outcome === 'b'
      if (decisive) {
        if (r.shownLeft !== null) {
          left.of++
          if (r.outcome === r.shownLeft) left.count++
        }
        if (r.lengthA !== r.lengthB) {
          longer.of++
          if ((r.outcome === 'a') === r.lengthA > r.lengthB) longer.count++
        }
        wins.push(r.outcome === 'a' ? { winner: r.a, loser: r.b } : { winner: r.b, loser: r.a })
      }
      if (r.annotator !== null) {
        const key = `${Math.min(r.a, r.b)}:${Math.max(r.a, r.b)}`
        let judged = items.get(key)
        if (!judged) items.set(key, (judged = []))
        judged.push({ annotator: r.annotator, verdict: verdictOf(r) })
      }
    }
    for (const judged of items.values()) {
      if (new Set(judged.map((j) => j.annotator)).size < 2) continue
      sharedPairs++
      for (let i = 0; i < judged.length; i++) {
        for (let j = i + 1; j < judged.length; j++) {
          const x = judged[i]
          const y = judged[j]
          if (x.annotator === y.annotator) continue
          const agree = x.verdict === y.verdict ? 1 : 0
          pairsOfJudgements++
          agreeingPairs += agree
          for (const who of [x.annotator, y.annotator]) {
            const t = tallyOf(tallies, who)
            t.shared++
            t.agreed += agree
          }
        }
      }
    }
    const responses = new Set(wins.flatMap((w) => [w.winner, w.loser]))
    if (responses.size < 3) continue
    if (responses.size > maxTriadResponses) {
      skippedPrompts.push(group[0].promptId)
      continue
    }
    const t = countTriads(wins)
    if (t.triads === 0) continue
    prompts++
    triads += t.triads
    cyclic += t.cyclic
    if (t.cyclic > 0) {
      promptsWithCycles++
      if (t.example && found.length < maxExamples) found.push({ promptId: group[0].promptId, cycle: t.example })
    }
  }

  const promptTexts = queries.texts(found.map((f) => f.promptId), 'prompts')
  const responseTexts = queries.texts(found.flatMap((f) => f.cycle), 'responses')
  const annotators: AnnotatorStats[] = [...tallies.entries()]
    .map(([annotator, t]) => ({
      annotator,
      comparisons: t.comparisons,
      outcomes: t.outcomes,
      flagged: t.flagged,
      sharedJudgements: t.shared,
      agreements: t.agreed,
      agreement: t.shared > 0 ? t.agreed / t.shared : null,
    }))
    .filter((a) => a.comparisons > 0)
    .sort((x, y) => y.comparisons - x.comparisons || (x.annotator ?? '').localeCompare(y.annotator ?? ''))
  return {
    health: {
      comparisons,
      ties: wilson(outcomes.tie, comparisons),
      bothBad: wilson(outcomes.both_bad, comparisons),
      leftWins: wilson(left.count, left.of),
      longerWins: wilson(longer.count, longer.of),
      intransitivity: {
        prompts,
        triads,
        cyclic,
        rate: triads > 0 ? cyclic / triads : null,
        promptsWithCycles,
        skippedPrompts,
        examples: found.map((f) => ({
          promptId: f.promptId,
          prompt: promptTexts.get(f.promptId) ?? '',
          cycle: f.cycle.map((id) => ({ id, text: responseTexts.get(id) ?? '' })),
        })),
      },
    },
    annotators: { annotators, sharedPairs, agreement: pairsOfJudgements > 0 ? agreeingPairs / pairsOfJudgements : null },
  }
}

function tallyOf(tallies: Map<string | null, Tally>, annotator: string | null): Tally {
  let t = tallies.get(annotator)
  if (!t) tallies.set(annotator, (t = { comparisons: 0, outcomes: { a: 0, b: 0, tie: 0, both_bad: 0 }, flagged: 0, shared: 0, agreed: 0 }))
  return t
}

/** The verdict on the unordered pair: which of the lower and higher response id won, or tie / both bad. */
function verdictOf(r: ReportRow): string {
  if (r.outcome === 'tie' || r.outcome === 'both_bad') return r.outcome
  const winner = r.outcome === 'a' ? r.a : r.b
  return winner === Math.min(r.a, r.b) ? 'lo' : 'hi'
}
