import type { Judge } from '../eval/tournament'
import { Rng } from '../runtime/rng'
import { optionNames, populationPreference, raterAt, type Option } from './restaurants'

/**
 * The demo's ground truth: its rater population as a judge.
 *
 * A response is judged by what it recommends and whether it is well formed:
 * - `recommendation(text)`: the one option whose keywords it names (sushi: sushi, Kaito, omakase;
 *   pasta: pasta, Trattoria, Bella; tacos: taco, al pastor), or null when it names none or several;
 * - well formed: it makes exactly one recommendation and is a complete sentence (its trimmed text
 *   ends with ".", "!" or "?"); a completion cut off at the length limit before its EOS is not.
 *
 * Every rater agrees on the shared qualities: a well-formed response beats one that is not, and two
 * responses that are both not well formed, or make the same recommendation, tie. Between two
 * well-formed responses with different recommendations, a rater drawn from the population (foodie
 * 0.40, family 0.35, student 0.25) prefers by their ranking. So the exact preference is
 *   P(a ≻ b) = 1 or 0 (exactly one well formed), ½ (tie), or the population share of raters ranking
 *   a's option above b's (`populationPreference`),
 * and one judgement is a draw from it (`restaurantOracle`: 1, 0 or ½ per pair).
 */

/** Which recommendation a response makes, by its keywords (null when it makes none or several). */
export function recommendation(text: string): Option | null {
  const lower = text.toLowerCase()
  const found = optionNames.filter((o) => (o === 'sushi' ? /sushi|kaito|omakase/.test(lower) : o === 'pasta' ? /pasta|trattoria|bella/.test(lower) : /taco|al pastor/.test(lower)))
  return found.length === 1 ? found[0] : null
}

/** A complete sentence: the trimmed text ends with a sentence's final punctuation. */
export function completeSentence(text: string): boolean {
  return /[.!?]$/.test(text.trim())
}

/** The option of a well-formed response; null for a response that is not well formed. */
export function judgedOption(text: string): Option | null {
  const option = recommendation(text)
  return option !== null && completeSentence(text) ? option : null
}

/** The classes the oracle tells apart: the three options and "other" (not well formed). */
export type ResponseClass = Option | 'other'
export const responseClasses: readonly ResponseClass[] = [...optionNames, 'other']

export function responseClass(text: string): ResponseClass {
  return judgedOption(text) ?? 'other'
}

/** The exact P(a ≻ b) between two classes (see the module comment). */
export function classPreference(a: ResponseClass, b: ResponseClass): number {
  if (a === 'other' || b === 'other') return a === b ? 0.5 : a === 'other' ? 0 : 1
  return populationPreference(a, b)
}

/** The exact P(a ≻ b) of the population between two responses (the expectation of one judgement). */
export function oraclePreference(a: string, b: string): number {
  return classPreference(responseClass(a), responseClass(b))
}

/** The oracle's matrix over `responseClasses`: P[i][j] = P(class i ≻ class j). */
export function classMatrix(): number[][] {
  return responseClasses.map((a) => responseClasses.map((b) => classPreference(a, b)))
}

/**
 * The population as a tournament judge: each judgement draws one rater by share (one uniform number
 * per pair, from `seed`), who prefers the well-formed response, or by their ranking when both are;
 * ties are ½.
 */
export function restaurantOracle(): Judge {
  return {
    name: 'oracle',
    antisymmetric: true,
    async prefer(pairs, seed) {
      const rng = Rng.fromSeed(seed)
      return pairs.map(({ a, b }) => {
        const u = rng.float()
        const ca = responseClass(a)
        const cb = responseClass(b)
        if (ca === 'other' || cb === 'other' || ca === cb) return classPreference(ca, cb)
        const rater = raterAt(u)
        return rater.ranking.indexOf(ca) < rater.ranking.indexOf(cb) ? 1 : 0
      })
    },
  }
}
