import fs from 'node:fs'
import path from 'node:path'
import type { CreatedModel, ExportResult, ModelDetail, ModelSummary } from '../../api/contract'
import { NashlabError } from '../../api/errors'
import { numberFlag, requiredFlag, requiredPositional, stringFlag } from '../args'
import type { CliCommand } from '../command'

/** A model as `--model` names it: an id (digits) or a name. */
export function modelArgument(value: string): number | string {
  return /^\d+$/.test(value) ? Number(value) : value
}

const line = (m: ModelSummary) =>
  `${String(m.id).padStart(4)}  ${m.name.padEnd(28)} ${m.kind.padEnd(10)} ${m.parameters === null ? '' : formatCount(m.parameters).padStart(7)}  ${m.architecture}`

function formatCount(n: number): string {
  return n >= 1e6 ? `${(n / 1e6).toFixed(1)}M` : n >= 1e3 ? `${(n / 1e3).toFixed(1)}k` : String(n)
}

function lineage(m: ModelSummary): string {
  const parts = [m.parent ? `from ${m.parent.name}` : null, m.run ? `run ${m.run.id} (${m.run.algorithm}, ${m.run.status})` : null, m.dataset ? `data ${m.dataset.name}` : null].filter(Boolean)
  return parts.length ? parts.join(', ') : 'created from scratch'
}

/** The JSON file of `models create --config`: an architecture, or {architecture, tokenizer, template, seed}. */
function readConfig(file: string): Record<string, unknown> {
  let value: unknown
  try {
    value = JSON.parse(fs.readFileSync(path.resolve(file), 'utf8'))
  } catch (error) {
    throw new NashlabError('bad_file', `${file} could not be read as JSON: ${(error as Error).message}`, { file })
  }
  if (typeof value !== 'object' || value === null) throw new NashlabError('bad_file', `${file} must hold a JSON object.`, { file })
  const o = value as Record<string, unknown>
  return 'architecture' in o ? o : { architecture: o }
}

export const modelCommands: CliCommand[] = [
  {
    words: ['models', 'list'],
    usage: 'nashlab models list [--json]',
    summary: 'List models: kind, size, architecture',
    run: (_args, ctx) => ctx.engine().call('models.list', {}),
    format: (rows: ModelSummary[]) => (rows.length === 0 ? 'No models yet.' : rows.map(line).join('\n')),
  },
  {
    words: ['models', 'show'],
    usage: 'nashlab models show MODEL [--json]',
    summary: 'Show a model: lineage, checkpoints, graph',
    run: (args, ctx) => ctx.engine().call('models.show', { model: modelArgument(requiredPositional(args, 0, 'model')) }),
    format: (m: ModelDetail) =>
      [
        line(m),
        `      ${lineage(m)}`,
        `      folder ${m.folder}`,
        ...(m.children.length ? [`      fine-tuned into ${m.children.map((c) => c.name).join(', ')}`] : []),
        ...m.checkpoints.map((c) => `      checkpoint ${c.id}: run ${c.run} step ${c.step}`),
        ...(m.graph?.uncoveredOps.length ? [`      no gradient rule for: ${m.graph.uncoveredOps.join(', ')}`] : []),
      ].join('\n'),
  },
  {
    words: ['models', 'create'],
    usage: 'nashlab models create --config FILE --name NAME [--dataset D [--vocab N] | --tokenizer tokenizer.json] [--seed N] [--json]',
    summary: 'Create a policy decoder from an architecture JSON, with a tokenizer trained on a dataset (or given, or bytes)',
    run: (args, ctx) => {
      const config = readConfig(requiredFlag(args, 'config'))
      const dataset = stringFlag(args, 'dataset')
      const file = stringFlag(args, 'tokenizer')
      const tokenizer = dataset ? { dataset, vocabSize: numberFlag(args, 'vocab') ?? 512 } : file ? { file: path.resolve(file) } : (config.tokenizer ?? { bytes: true })
      return ctx.engine().call('models.create', {
        ...config,
        name: requiredFlag(args, 'name'),
        tokenizer,
        ...(numberFlag(args, 'seed') !== undefined ? { seed: numberFlag(args, 'seed') } : {}),
      } as never)
    },
    format: (m: CreatedModel) =>
      `Created ${m.name} (${formatCount(m.parameters ?? 0)} parameters, vocabulary ${m.vocabSize}): ${m.architecture}.` +
      (m.tokenizerTraining ? ` Tokenizer trained on ${m.dataset?.name}: ${m.tokenizerTraining.merges} merges from ${m.tokenizerTraining.words} words.` : ''),
  },
  {
    words: ['models', 'import'],
    usage: 'nashlab models import FILE.onnx [--tokenizer tokenizer.json] [--name NAME] [--json]',
    summary: 'Register an ONNX decoder with the standard I/O names for generation and comparison',
    run: (args, ctx) =>
      ctx.engine().call('models.import', {
        path: path.resolve(requiredPositional(args, 0, 'ONNX file')),
        ...(stringFlag(args, 'tokenizer') ? { tokenizer: path.resolve(stringFlag(args, 'tokenizer')!) } : {}),
        ...(stringFlag(args, 'name') ? { name: stringFlag(args, 'name') } : {}),
      }),
    format: (m: ModelSummary) =>
      `Imported ${m.name}: ${m.architecture}.` + (m.trainable ? ' Nashlab can fine-tune it.' : ' It can generate and be compared; Nashlab cannot fine-tune it.'),
  },
  {
    words: ['models', 'export'],
    usage: 'nashlab models export (--checkpoint ID | --model MODEL) --out DIR [--external-threshold BYTES] [--json]',
    summary: 'Write model.onnx (weights inside, standard decoder I/O), tokenizer.json and config.json',
    run: (args, ctx) => {
      const checkpoint = numberFlag(args, 'checkpoint')
      const model = stringFlag(args, 'model')
      return ctx.engine().call('models.export', {
        ...(checkpoint !== undefined ? { checkpoint } : {}),
        ...(model !== undefined ? { model: modelArgument(model) } : {}),
        out: path.resolve(requiredFlag(args, 'out')),
        ...(numberFlag(args, 'external-threshold') !== undefined ? { externalThreshold: numberFlag(args, 'external-threshold') } : {}),
      })
    },
    format: (r: ExportResult) => `Exported to ${r.folder}: ${r.files.map((f) => path.basename(f)).join(', ')} (${(r.bytes / 1024 ** 2).toFixed(1)} MiB${r.external ? ', weights in model.onnx.data' : ''}).`,
  },
  {
    words: ['models', 'delete'],
    usage: 'nashlab models delete MODEL [--json]',
    summary: 'Delete a model and its folder (runs and their checkpoints stay)',
    run: (args, ctx) => ctx.engine().call('models.delete', { model: modelArgument(requiredPositional(args, 0, 'model')) }),
    format: (r: { deleted: string }) => `Deleted model ${r.deleted}.`,
  },
]
