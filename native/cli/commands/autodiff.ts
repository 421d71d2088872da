import { resolve } from 'node:path'
import { NashlabError } from '../../api/errors'
import { autodiff, type GradientOutput } from '../../autodiff/autodiff'
import { loadModel, saveModel } from '../../onnx/external'
import { numberFlag, requiredFlag, stringFlag } from '../args'
import type { CliCommand } from '../command'

export interface AutodiffCliResult {
  model: string
  files: string[]
  loss: string
  gradients: GradientOutput[]
  opsetRaised?: { from: number; to: number }
  nodes: { forward: number; total: number }
}

const list = (v: string | undefined) => (v ? v.split(',').map((s) => s.trim()).filter(Boolean) : [])

/** `--dim batch=2,sequence=16` → { batch: 2, sequence: 16 }. */
function parseDims(v: string | undefined): Record<string, number> {
  const dims: Record<string, number> = {}
  for (const part of list(v)) {
    const [name, size] = part.split('=')
    const n = Number(size)
    if (!name || !Number.isInteger(n) || n <= 0) throw new NashlabError('invalid_input', `--dim expects NAME=SIZE pairs, got "${part}".`, { flag: 'dim' })
    dims[name] = n
  }
  return dims
}

export const autodiffCommands: CliCommand[] = [
  {
    words: ['autodiff'],
    usage: 'nashlab autodiff --model IN.onnx --loss NAME --wrt NAME[,NAME…]|all --out OUT.onnx [--stop NAME,…] [--dim NAME=SIZE,…] [--external-threshold BYTES] [--json]',
    summary: 'Add reverse-mode gradients to an ONNX model: outputs <name>_grad for each --wrt tensor (all = every float initializer)',
    run: async (args): Promise<AutodiffCliResult> => {
      const input = resolve(requiredFlag(args, 'model'))
      const loss = requiredFlag(args, 'loss')
      const wrtFlag = requiredFlag(args, 'wrt')
      const out = resolve(requiredFlag(args, 'out'))
      const threshold = numberFlag(args, 'external-threshold') ?? 1024 * 1024 * 1024
      let model
      try {
        model = await loadModel(input)
      } catch (error) {
        throw new NashlabError('bad_file', `Cannot read ${input}: ${(error as Error).message}`, { file: input })
      }
      const result = autodiff(model, {
        loss,
        wrt: wrtFlag === 'all' ? 'all' : list(wrtFlag),
        stopGradient: list(stringFlag(args, 'stop')),
        dims: parseDims(stringFlag(args, 'dim')),
      })
      const files = await saveModel(out, result.model, threshold)
      return {
        model: out,
        files,
        loss,
        gradients: result.gradients,
        ...(result.opsetRaised ? { opsetRaised: result.opsetRaised } : {}),
        nodes: { forward: model.graph.nodes.length, total: result.model.graph.nodes.length },
      }
    },
    format: (r: AutodiffCliResult) =>
      [
        `Wrote ${r.files.join(' and ')}: ${r.gradients.length} gradient outputs of "${r.loss}" (${r.nodes.forward} forward nodes, ${r.nodes.total} in all).`,
        ...r.gradients.map((g) => `  ${g.gradient} [${g.shape.map((d) => d ?? '?').join(', ')}]${g.reached ? '' : ' (zeros: the loss does not depend on it)'}`),
        ...(r.opsetRaised ? [`  ai.onnx opset raised from ${r.opsetRaised.from} to ${r.opsetRaised.to} for the gradient ops.`] : []),
      ].join('\n'),
  },
]
