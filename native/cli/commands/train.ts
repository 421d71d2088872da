import type { GenerateResult, TrainStarted } from '../../api/contract'
import { NashlabError } from '../../api/errors'
import { numberFlag, requiredFlag, stringFlag } from '../args'
import type { CliCommand, CliContext, ParsedArgs } from '../command'
import { modelArgument } from './models'

/** Optimisation flags shared by the trainers (each maps to a field of native/train/train-config.ts). */
const numeric: [flag: string, field: string][] = [
  ['steps', 'steps'],
  ['batch', 'batch'],
  ['micro-batch', 'microBatch'],
  ['lr', 'lr'],
  ['min-lr', 'minLr'],
  ['warmup', 'warmup'],
  ['weight-decay', 'weightDecay'],
  ['momentum', 'momentum'],
  ['clip', 'clipNorm'],
  ['seed', 'seed'],
  ['holdout', 'holdout'],
  ['eval-every', 'evalEvery'],
  ['checkpoint-every', 'checkpointEvery'],
  ['keep-checkpoints', 'keepCheckpoints'],
  ['sequence', 'sequence'],
  ['threads', 'threads'],
]
const settingsUsage = '[--steps N] [--lr X] [--batch N] [--micro-batch N] [--optimizer adamw|sgd] [--schedule cosine|linear|constant] [--warmup N] [--seed N] [--sequence N] [--device cpu|auto|cuda|dml|webgpu]'

function settings(args: ParsedArgs): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const [flag, field] of numeric) {
    const value = numberFlag(args, flag)
    if (value !== undefined) out[field] = value
  }
  const optimizer = stringFlag(args, 'optimizer')
  if (optimizer !== undefined) out.optimizer = optimizer
  const schedule = stringFlag(args, 'schedule')
  if (schedule !== undefined) out.schedule = schedule
  const device = stringFlag(args, 'device')
  if (device !== undefined) out.device = device
  return out
}

/** Run a training call that waits, showing the job's progress bar. */
async function withProgress<T>(ctx: CliContext, call: () => Promise<T>): Promise<T> {
  const engine = ctx.engine()
  const off = engine.events.on('jobs.progress', (p) => {
    if (p.kind.startsWith('train.') || p.kind === 'generate') ctx.progress(p)
  })
  try {
    return await call()
  } finally {
    off()
  }
}

function trained(r: TrainStarted): string {
  const m = r.model
  return `Run ${r.run.id} (${r.run.algorithm}) ${r.run.status} after ${r.run.lastStep === null ? 0 : r.run.lastStep + 1} steps.` + (m ? ` Registered ${m.kind} model ${m.name} (id ${m.id}).` : '')
}

export const trainCommands: CliCommand[] = [
  {
    words: ['train', 'sft'],
    usage: `nashlab train sft --model M --dataset D ${settingsUsage} [--adapter full|lora] [--lora-rank R] [--examples preferred|responses] [--name N] [--json]`,
    summary: 'Fine-tune a policy (or an imported ONNX decoder) on a dataset: completion tokens only; all weights or LoRA; AdamW or SGD',
    run: (args, ctx) =>
      withProgress(ctx, () =>
        ctx.engine().call(
          'train.sft',
          {
            model: modelArgument(requiredFlag(args, 'model')),
            dataset: requiredFlag(args, 'dataset'),
            settings: settings(args),
            ...(stringFlag(args, 'examples') ? { examples: stringFlag(args, 'examples') as 'preferred' | 'responses' } : {}),
            ...(stringFlag(args, 'adapter') ? { adapter: stringFlag(args, 'adapter') as 'full' | 'lora' } : {}),
            ...(numberFlag(args, 'lora-rank') !== undefined ? { loraRank: numberFlag(args, 'lora-rank') } : {}),
            ...(stringFlag(args, 'name') ? { name: stringFlag(args, 'name') } : {}),
            wait: true,
          },
          { signal: ctx.signal },
        ),
      ),
    format: trained,
  },
  {
    words: ['train', 'pref'],
    usage: `nashlab train pref --dataset D [--kind pairwise|bt] [--from MODEL] [--vocab N] [--include-both-bad] ${settingsUsage} [--name N] [--json]`,
    summary: 'Train a pairwise preference model (or a Bradley–Terry reward model) on a dataset’s comparisons',
    run: (args, ctx) => {
      const kind = stringFlag(args, 'kind') ?? 'pairwise'
      if (kind !== 'pairwise' && kind !== 'bt') throw new NashlabError('invalid_input', `--kind must be pairwise or bt, got "${kind}".`, { flag: 'kind' })
      return withProgress(ctx, () =>
        ctx.engine().call(
          'train.preference',
          {
            dataset: requiredFlag(args, 'dataset'),
            kind,
            ...(stringFlag(args, 'from') ? { from: modelArgument(stringFlag(args, 'from')!) } : {}),
            ...(numberFlag(args, 'vocab') !== undefined ? { vocabSize: numberFlag(args, 'vocab') } : {}),
            includeBothBad: args.flags['include-both-bad'] === true,
            settings: settings(args),
            ...(stringFlag(args, 'name') ? { name: stringFlag(args, 'name') } : {}),
            wait: true,
          },
          { signal: ctx.signal },
        ),
      )
    },
    format: (r: TrainStarted) => `${trained(r)}${r.model?.description ? ` ${r.model.description}` : ''}`,
  },
  {
    words: ['train', 'resume'],
    usage: 'nashlab train resume RUN [--json]',
    summary: 'Continue a cancelled or failed run exactly from its last checkpoint',
    run: (args, ctx) => {
      const run = Number(args.positionals[0])
      if (!Number.isInteger(run) || run < 1) throw new NashlabError('invalid_input', 'Missing run id (a whole number).', { argument: 'run' })
      return withProgress(ctx, () => ctx.engine().call('train.resume', { run, wait: true }, { signal: ctx.signal }))
    },
    format: trained,
  },
  {
    words: ['generate'],
    usage: 'nashlab generate --model M --prompt TEXT [--n N] [--temperature T] [--top-p P] [--top-k K] [--min-p P] [--seed N] [--max-tokens N] [--json]',
    summary: 'Sample completions of a prompt (batched, KV cache); streams the text of a single sample',
    run: async (args, ctx) => {
      const engine = ctx.engine()
      const n = numberFlag(args, 'n') ?? 1
      const request = 'cli'
      // One sample streams as it is written; several are printed when done.
      const off = !ctx.json && n === 1 ? engine.events.on('generate.tokens', (e) => process.stdout.write(e.text)) : () => {}
      try {
        const result = await engine.call(
          'generate.run',
          {
            model: modelArgument(requiredFlag(args, 'model')),
            prompts: [requiredFlag(args, 'prompt')],
            n,
            settings: {
              ...(numberFlag(args, 'temperature') !== undefined ? { temperature: numberFlag(args, 'temperature') } : {}),
              ...(numberFlag(args, 'top-p') !== undefined ? { topP: numberFlag(args, 'top-p') } : {}),
              ...(numberFlag(args, 'top-k') !== undefined ? { topK: numberFlag(args, 'top-k') } : {}),
              ...(numberFlag(args, 'min-p') !== undefined ? { minP: numberFlag(args, 'min-p') } : {}),
              ...(numberFlag(args, 'seed') !== undefined ? { seed: numberFlag(args, 'seed') } : {}),
              ...(numberFlag(args, 'max-tokens') !== undefined ? { maxTokens: numberFlag(args, 'max-tokens') } : {}),
            },
            ...(!ctx.json && n === 1 ? { request } : {}),
          },
          { signal: ctx.signal },
        )
        if (!ctx.json && n === 1) process.stdout.write('\n')
        return result
      } finally {
        off()
      }
    },
    format: (r: GenerateResult) => {
      const tail = `[${r.model.name}: ${r.tokens} tokens in ${r.seconds.toFixed(2)} s]`
      if (r.completions.length === 1) return tail
      return [...r.completions.map((c, i) => `--- sample ${i + 1} (${c.finishReason}, ${c.tokens.length} tokens)\n${c.text}`), tail].join('\n')
    },
  },
]
