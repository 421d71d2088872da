import type { CompareResult } from '../../api/contract'
import { requiredFlag, stringFlag } from '../args'
import type { CliCommand } from '../command'
import { samplingFlags } from './tournament'

function formatCompare(r: CompareResult): string {
  const lines = [`PROMPT: ${r.prompt}`]
  r.responses.forEach((resp, i) => {
    const reference = resp.referenceLogprob !== null ? ` · log μ ${resp.referenceLogprob.toFixed(2)} under ${r.reference!.label}` : ''
    lines.push('', `[${i + 1}] ${resp.label} — ${resp.tokens} tokens, ${resp.characters} characters, ended by ${resp.finishReason} · log π ${resp.logprob.toFixed(2)}${reference}`, resp.text)
  })
  if (r.preference) {
    lines.push('', `P(row ≻ column) under ${r.preference.label}:`)
    for (const p of r.pairs) lines.push(`  [${p.a + 1}] ≻ [${p.b + 1}]: ${(100 * p.p).toFixed(1)}%`)
  }
  for (const w of r.warnings) lines.push(`warning: ${w}`)
  return lines.join('\n')
}

export const compareCommands: CliCommand[] = [
  {
    words: ['compare'],
    usage:
      'nashlab compare --prompt TEXT --players A,B[,C,D] [--reference MODEL] [--preference MODEL] [--max-tokens N] [--temperature T] [--top-p P] [--top-k K] [--seed N] [--json]',
    summary: 'Generate one response per model to a prompt side by side, with lengths, log-probs under a reference and P(a ≻ b)',
    run: (args, ctx) =>
      ctx.engine().call(
        'compare.run',
        {
          prompt: requiredFlag(args, 'prompt'),
          players: requiredFlag(args, 'players')
            .split(',')
            .map((s) => s.trim())
            .filter(Boolean),
          reference: stringFlag(args, 'reference'),
          preference: stringFlag(args, 'preference'),
          settings: samplingFlags(args),
        },
        { signal: ctx.signal },
      ),
    format: formatCompare,
  },
  {
    words: ['votes', 'export'],
    usage: 'nashlab votes export --dataset DATASET --out FILE.jsonl [--annotator NAME] [--json]',
    summary: "Write a dataset's human votes as TRL prompt/chosen/rejected JSONL (ties and both-bad votes skipped)",
    run: (args, ctx) => ctx.engine().call('votes.export', { dataset: requiredFlag(args, 'dataset'), path: requiredFlag(args, 'out'), annotator: stringFlag(args, 'annotator') }),
    format: (r: { path: string; rows: number; skipped: { ties: number; bothBad: number } }) =>
      `Wrote ${r.rows} preference rows to ${r.path} (skipped ${r.skipped.ties} ties and ${r.skipped.bothBad} both-bad votes).`,
  },
]
