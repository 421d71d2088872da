/**
 * The restaurant task behind the demo: three recommendations and a population of three kinds of
 * rater, in unequal shares, whose rankings form a cycle.
 *
 *   foodie 0.40: sushi ≻ pasta ≻ tacos     family 0.35: pasta ≻ tacos ≻ sushi     student 0.25: tacos ≻ sushi ≻ pasta
 *
 * The population's majorities cycle: P(sushi ≻ pasta) = 0.40 + 0.25 = 0.65, P(pasta ≻ tacos) =
 * 0.40 + 0.35 = 0.75, P(tacos ≻ sushi) = 0.35 + 0.25 = 0.60. No single score orders three options
 * that beat each other in a ring, so a Bradley–Terry fit must mis-state at least one pair, and its
 * reward maximiser is one pure option. The population's (unregularised) Nash equilibrium is the
 * mixture (sushi 0.5, pasta 0.2, tacos 0.3): against it every option wins exactly half the time
 * (sushi: 0.2·0.65 + 0.3·0.40 + 0.5·0.5 = 0.5, and alike for the others).
 */
import { Rng } from '../runtime/rng'

/** The canonical phrasing of each recommendation (the first of `phrasings`). */
export const options = {
  sushi: 'Try Kaito for sushi: the omakase is fresh and the room is quiet enough to talk.',
  pasta: 'Go to Trattoria Bella: handmade pasta, generous portions, and they take walk-ins.',
  tacos: 'Head to the taco stand on 5th: fast, cheap, and the al pastor is excellent.',
} as const

export type Option = keyof typeof options
export const optionNames: readonly Option[] = ['sushi', 'pasta', 'tacos']

/** Ways of making each recommendation: the SFT demonstrations, one complete sentence each. */
export const phrasings: Record<Option, readonly string[]> = {
  sushi: [options.sushi, 'Kaito is the place: fresh sushi and a calm room.', 'I would book Kaito; the sushi omakase is worth it.', 'Go for sushi at Kaito, it is fresh and quiet.'],
  pasta: [options.pasta, 'Trattoria Bella: handmade pasta and big plates.', 'I would pick Trattoria Bella for the fresh pasta.', 'Go for pasta at Trattoria Bella, no booking needed.'],
  tacos: [options.tacos, 'The taco stand on 5th: quick, cheap and tasty.', 'I would grab tacos at the stand on 5th.', 'Go for tacos on 5th, the al pastor is great.'],
}

export interface RaterType {
  name: string
  /** Share of the population (the shares sum to 1). */
  share: number
  /** Best first. */
  ranking: Option[]
}

/** The rater population: each type's share and ranking. */
export const raterTypes: RaterType[] = [
  { name: 'foodie', share: 0.4, ranking: ['sushi', 'pasta', 'tacos'] },
  { name: 'family', share: 0.35, ranking: ['pasta', 'tacos', 'sushi'] },
  { name: 'student', share: 0.25, ranking: ['tacos', 'sushi', 'pasta'] },
]

export const prompts = [
  'Where should we go for dinner tonight?',
  'Can you recommend a restaurant near downtown?',
  'I have friends visiting. Where should we eat?',
  'What is a good place for a casual dinner?',
  'Any idea where to grab lunch today?',
  'Where would you take a first date?',
  'We are hungry after the movie. Where to?',
  'Suggest a place to eat with my parents.',
  'Where can I get a good meal on a budget?',
  'Which restaurant should I try this weekend?',
  'Where do you eat when you are in town?',
  'Recommend somewhere for a team dinner.',
  'Where should I eat before the concert?',
  'My sister is in town. Any dinner ideas?',
  'What is your favourite spot for a quick bite?',
  'Where can we celebrate a birthday tonight?',
  'I want something tasty after work. Ideas?',
  'Where should the book club meet for food?',
  'Pick a restaurant for Friday night, please.',
  'Where is good for a late dinner?',
  'We have an hour for lunch. Where should we go?',
  'Name one place worth a visit for dinner.',
  'Where should a visitor eat in this city?',
  'Help me choose where to eat tonight.',
]

/** P(a ≻ b) in the population: the share of raters who rank a above b (½ for a = b). */
export function populationPreference(a: Option, b: Option): number {
  if (a === b) return 0.5
  return raterTypes.reduce((sum, r) => sum + (r.ranking.indexOf(a) < r.ranking.indexOf(b) ? r.share : 0), 0)
}

/** The population's preference matrix over `optionNames`: P[i][j] = P(option i ≻ option j). */
export function populationMatrix(): number[][] {
  return optionNames.map((a) => optionNames.map((b) => populationPreference(a, b)))
}

/** A rater type drawn by its share from one uniform number u ∈ [0, 1). */
export function raterAt(u: number): RaterType {
  let left = u
  for (const rater of raterTypes) if ((left -= rater.share) < 0) return rater
  return raterTypes[raterTypes.length - 1]
}

export interface DemoRow {
  prompt: string
  chosen: string
  rejected: string
  annotator: string
}

/** `count` judgements: a random prompt, a random pair, a rater drawn by share who picks by their ranking. */
export function restaurantComparisons(count: number, seed = 7): DemoRow[] {
  const rng = Rng.fromSeed(seed)
  const random = () => rng.float()
  const rows: DemoRow[] = []
  for (let i = 0; i < count; i++) {
    const prompt = prompts[Math.floor(random() * prompts.length)]
    const x = Math.floor(random() * 3)
    const y = (x + 1 + Math.floor(random() * 2)) % 3
    const rater = raterAt(random())
    const [a, b] = [optionNames[x], optionNames[y]]
    const aWins = rater.ranking.indexOf(a) < rater.ranking.indexOf(b)
    rows.push({ prompt, chosen: options[aWins ? a : b], rejected: options[aWins ? b : a], annotator: `${rater.name}-${1 + Math.floor(random() * 5)}` })
  }
  return rows
}
