import path from 'node:path'
import type { DemoStage, DemoStatus } from '../../api/contract'
import { NashlabError } from '../../api/errors'
import { stringFlag } from '../args'
import type { CliCommand } from '../command'
import { formatSeconds } from '../progress'
import { DemoService } from '../../demo/service'

/** Print each stage as it starts (a numbered line) and its progress as a bar; the finished stage's time. */
function stagePrinter(ctx: Parameters<CliCommand['run']>[1]): (status: DemoStatus) => void {
  const announced = new Set<string>()
  const ended = new Set<string>()
  return (status) => {
    const total = status.stages.length
    status.stages.forEach((s: DemoStage, i) => {
      if (s.status !== 'pending' && !announced.has(s.id)) {
        announced.add(s.id)
        process.stderr.write(`[${i + 1}/${total}] ${s.label}\n`)
      }
      if (s.status === 'running' && s.progress) ctx.progress({ job: s.id, kind: `  ${s.id}`, done: s.progress.done, total: s.progress.total, unit: s.progress.unit, rate: null, etaSeconds: s.progress.etaSeconds, elapsedSeconds: 0, ...(s.progress.message ? { message: s.progress.message } : {}) })
      if ((s.status === 'done' || s.status === 'failed') && !ended.has(s.id)) {
        ended.add(s.id)
        process.stderr.write(`      ${s.status === 'done' ? 'done' : 'FAILED'} in ${formatSeconds(s.seconds ?? 0)}${s.detail ? `: ${s.detail}` : ''}\n`)
      }
    })
  }
}

export const demoCommands: CliCommand[] = [
  {
    words: ['demo'],
    usage: 'nashlab demo [--quick] [--out DIR] [--json]',
    summary: 'Run the embedded demo end to end (SFT, comparisons, preference and BT models, Nash-MD-PG at five β, Nash-EMA-PG, RLHF, tournaments) and write report.html, report.json and ONNX exports',
    run: async (args, ctx) => {
      const engine = ctx.engine()
      const mode = args.flags.quick ? 'quick' : 'full'
      const out = stringFlag(args, 'out')
      const print = ctx.json ? () => {} : stagePrinter(ctx)
      const off = engine.events.on('demo.changed', print)
      const abort = () => void engine.call('demo.cancel', {}).catch(() => {})
      ctx.signal.addEventListener('abort', abort, { once: true })
      try {
        await engine.call('demo.run', { mode, ...(out ? { out: path.resolve(out) } : {}) })
        const status = await engine.service(DemoService).finished()
        if (status.state !== 'completed') throw new NashlabError(status.state === 'cancelled' ? 'cancelled' : 'internal', status.error ?? `The demo ended ${status.state}.`)
        return { state: status.state, mode: status.mode, out: status.out, report: status.out ? path.join(status.out, 'report.html') : null, seconds: status.summary?.seconds ?? null, findings: status.summary?.findings ?? [], policies: status.summary?.policies ?? [], tournaments: status.summary?.tournaments ?? null, stages: status.stages.map((s) => ({ id: s.id, seconds: s.seconds, detail: s.detail })) }
      } finally {
        off()
        ctx.signal.removeEventListener('abort', abort)
      }
    },
    format: (r: { report: string; seconds: number; findings: string[] }) => `Demo finished in ${formatSeconds(r.seconds)}. Report: ${r.report}\n${r.findings.map((f) => `- ${f}`).join('\n')}`,
  },
]
