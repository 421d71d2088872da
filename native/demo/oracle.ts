import type { Judge } from '../eval/tournament'
import { raterTypes, type Option } from './restaurants'
import { Rng } from '../runtime/rng'

/** Which recommendation a response makes, by its keywords (null when it makes none or several). */
export function recommendation(text: string): Option | null {
  const lower = text.toLowerCase()
  const found = (['sushi', 'pasta', 'tacos'] as Option[]).filter((o) =>
    o === 'sushi' ? /sushi|kaito|omakase/.test(lower) : o === 'pasta' ? /pasta|trattoria|bella/.test(lower) : /taco|al pastor/.test(lower),
  )
  return found.length === 1 ? found[0] : null
}

/**
 * The demo's rater population as a judge: each judgement draws one rater (foodie, family or
 * student, equally likely) who prefers by their ranking. Every rater prefers a response that
 * makes exactly one recommendation over one that makes none; two such responses tie.
 */
export function restaurantOracle(): Judge {
  return {
    name: 'oracle',
    antisymmetric: true,
    async prefer(pairs, seed) {
      const rng = Rng.fromSeed(seed)
      const random = () => rng.float()
      return pairs.map(({ a, b }) => {
        const ra = recommendation(a)
        const rb = recommendation(b)
        const rater = raterTypes[Math.floor(random() * raterTypes.length)]
        if (ra === null || rb === null) return ra === rb ? 0.5 : ra !== null ? 1 : 0
        if (ra === rb) return 0.5
        return rater.ranking.indexOf(ra) < rater.ranking.indexOf(rb) ? 1 : 0
      })
    },
  }
}
