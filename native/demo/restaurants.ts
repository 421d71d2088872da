/**
 * The restaurant example behind the demo's first dataset: three recommendations and three equally
 * common kinds of rater whose rankings form a cycle. Each pairwise majority is 2/3 — sushi beats
 * pasta, pasta beats tacos, tacos beat sushi — so no single score orders them, and the population's
 * Nash equilibrium is the uniform mixture.
 */
import { Rng } from '../runtime/rng'

export const options = {
  sushi: 'Try Kaito for sushi: the omakase is fresh and the room is quiet enough to talk.',
  pasta: 'Go to Trattoria Bella: handmade pasta, generous portions, and they take walk-ins.',
  tacos: 'Head to the taco stand on 5th: fast, cheap, and the al pastor is excellent.',
} as const

export type Option = keyof typeof options

/** Each rater type's ranking, best first. */
export const raterTypes: { name: string; ranking: Option[] }[] = [
  { name: 'foodie', ranking: ['sushi', 'pasta', 'tacos'] },
  { name: 'family', ranking: ['pasta', 'tacos', 'sushi'] },
  { name: 'student', ranking: ['tacos', 'sushi', 'pasta'] },
]

export const prompts = [
  'Where should we go for dinner tonight?',
  'Can you recommend a restaurant near downtown?',
  'I have friends visiting. Where should we eat?',
  'What is a good place for a casual dinner?',
]

export interface DemoRow {
  prompt: string
  chosen: string
  rejected: string
  annotator: string
}

/** `count` judgements: a random prompt, a random pair, a random rater who picks by their ranking. */
export function restaurantComparisons(count: number, seed = 7): DemoRow[] {
  const rng = Rng.fromSeed(seed)
  const random = () => rng.float()
  const keys = Object.keys(options) as Option[]
  const rows: DemoRow[] = []
  for (let i = 0; i < count; i++) {
    const prompt = prompts[Math.floor(random() * prompts.length)]
    const x = Math.floor(random() * 3)
    const y = (x + 1 + Math.floor(random() * 2)) % 3
    const rater = raterTypes[Math.floor(random() * raterTypes.length)]
    const [a, b] = [keys[x], keys[y]]
    const aWins = rater.ranking.indexOf(a) < rater.ranking.indexOf(b)
    rows.push({ prompt, chosen: options[aWins ? a : b], rejected: options[aWins ? b : a], annotator: `${rater.name}-${1 + Math.floor(random() * 5)}` })
  }
  return rows
}
