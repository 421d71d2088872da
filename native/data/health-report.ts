import type { PreferenceHealth } from '../api/contract'
import type { DatasetStatsQueries } from '../store/dataset-stats'
import { countTriads, wilson } from './health'

/** Prompts with more compared responses than this are left out of the O(k³) triad count. */
export const maxTriadResponses = 300
const maxExamples = 10

/**
 * A dataset's preference health:
 * - tie rate (and both-bad rate) over all comparisons;
 * - position bias: among human votes with a recorded left side, how often the left one won
 *   (½ is unbiased);
 * - length bias: among decisive comparisons of responses of different length, how often the
 *   longer one won (½ is length-neutral);
 * - intransitivity: among the responses of each prompt, the triads whose pairwise majorities form
 *   a cycle, with examples. Cycles are what a scalar reward cannot represent and NLHF can.
 * Every rate comes with its Wilson 95 % interval.
 */
export function preferenceHealth(stats: DatasetStatsQueries, datasetId: number, comparisons: number): PreferenceHealth {
  const { outcomes } = stats.outcomes(datasetId)
  const left = stats.leftWins(datasetId)
  const longer = stats.longerWins(datasetId)
  let prompts = 0
  let triads = 0
  let cyclic = 0
  let promptsWithCycles = 0
  const skippedPrompts: number[] = []
  const found: { promptId: number; cycle: [number, number, number] }[] = []
  for (const group of stats.decisiveByPrompt(datasetId)) {
    const responses = new Set(group.wins.flatMap((w) => [w.winner, w.loser]))
    if (responses.size < 3) continue
    if (responses.size > maxTriadResponses) {
      skippedPrompts.push(group.promptId)
      continue
    }
    const t = countTriads(group.wins)
    if (t.triads === 0) continue
    prompts++
    triads += t.triads
    cyclic += t.cyclic
    if (t.cyclic > 0) {
      promptsWithCycles++
      if (t.example && found.length < maxExamples) found.push({ promptId: group.promptId, cycle: t.example })
    }
  }
  const promptTexts = stats.texts(found.map((f) => f.promptId), 'prompts')
  const responseTexts = stats.texts(found.flatMap((f) => f.cycle), 'responses')
  const rate = wilson(cyclic, triads)
  return {
    comparisons,
    ties: wilson(outcomes.tie, comparisons),
    bothBad: wilson(outcomes.both_bad, comparisons),
    leftWins: wilson(left.count, left.of),
    longerWins: wilson(longer.count, longer.of),
    intransitivity: {
      prompts,
      triads,
      cyclic,
      rate: rate.rate,
      promptsWithCycles,
      skippedPrompts,
      examples: found.map((f) => ({
        promptId: f.promptId,
        prompt: promptTexts.get(f.promptId) ?? '',
        cycle: f.cycle.map((id) => ({ id, text: responseTexts.get(id) ?? '' })),
      })),
    },
  }
}
