import type { JudgedPrompt, PairJudge } from '../train/nashmd/judge'
import { oraclePreference } from './oracle'

/**
 * The demo's rater population as a run's judge (the held-out win rate): the exact expected
 * preference P(a ≻ b) of the population (native/demo/oracle.ts) between the decoded completions,
 * so a win rate against the reference carries no judging noise, only the sampling of completions.
 */
export class OracleJudge implements PairJudge {
  readonly antisymmetric = true

  /** `decode`: the policy's ids of a completion → its text (special tokens such as EOS left out). */
  constructor(private readonly decode: (ids: readonly number[]) => string) {}

  async judge(prompts: readonly JudgedPrompt[], a: readonly (readonly number[])[], b: readonly (readonly number[])[]): Promise<Float64Array> {
    return Float64Array.from(prompts, (_, i) => oraclePreference(this.decode(a[i]), this.decode(b[i])))
  }

  async release(): Promise<void> {}
}
