import type { Outcome } from '../../../../native/api/contract'

/** How an outcome reads in the datasets views. */
export const outcomeLabels: Record<Outcome, string> = { a: 'A wins', b: 'B wins', tie: 'Tie', both_bad: 'Both bad' }

/** The outcome buttons of the detail pane, with their keys. */
export const outcomeKeys: { outcome: Outcome; key: string }[] = [
  { outcome: 'a', key: '1' },
  { outcome: 'b', key: '2' },
  { outcome: 'tie', key: '3' },
  { outcome: 'both_bad', key: '4' },
]
