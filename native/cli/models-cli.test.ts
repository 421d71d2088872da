import { execFile } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, expect, test } from 'vitest'

const run = promisify(execFile)
const bin = path.resolve(__dirname, '..', '..', 'bin', 'nashlab.js')
const demo = path.resolve(__dirname, '..', '..', 'resources', 'demo', 'restaurants.jsonl')
let dir: string

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nashlab-cli-models-'))
})
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))

async function nashlab(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [bin, ...args], { env: { ...process.env, NASHLAB_DB: path.join(dir, 'nashlab.db') } })
    return { code: 0, stdout, stderr }
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string }
    return { code: e.code, stdout: e.stdout, stderr: e.stderr }
  }
}
const json = async (...args: string[]) => {
  const r = await nashlab(...args, '--json')
  expect(r.stderr).toBe('')
  expect(r.code).toBe(0)
  return JSON.parse(r.stdout)
}

test('models create, generate, train sft and export, all with --json', async () => {
  await json('import', demo, '--dataset', 'rest')
  const config = path.join(dir, 'arch.json')
  fs.writeFileSync(config, JSON.stringify({ dModel: 16, layers: 1, heads: 2, context: 64, norm: 'rmsnorm', mlp: 'swiglu', positions: 'rotary' }))
  const created = await json('models', 'create', '--config', config, '--name', 'tiny', '--dataset', 'rest', '--vocab', '300')
  expect(created).toMatchObject({ name: 'tiny', kind: 'policy', architecture: expect.stringContaining('RMSNorm · SwiGLU · rotary') })

  const a = await json('generate', '--model', 'tiny', '--prompt', 'Where should we eat?', '--n', '2', '--max-tokens', '5', '--seed', '4', '--temperature', '0.8', '--top-k', '50')
  expect(a.completions).toHaveLength(2)
  expect(a.settings).toMatchObject({ temperature: 0.8, topK: 50, maxTokens: 5, seed: 4 })

  const trained = await json('train', 'sft', '--model', 'tiny', '--dataset', 'rest', '--steps', '3', '--batch', '4', '--optimizer', 'sgd', '--lr', '0.05', '--seed', '1', '--threads', '1')
  expect(trained.run).toMatchObject({ algorithm: 'sft', status: 'completed', lastStep: 2 })
  const shown = await json('models', 'show', String(trained.model.id))
  expect(shown.parent.name).toBe('tiny')
  void run

  const checkpoint = (await json('models', 'show', 'tiny')).checkpoints[0].id
  const out = path.join(dir, 'export')
  const exported = await json('models', 'export', '--checkpoint', String(checkpoint), '--out', out)
  expect(exported.outputs[0]).toBe('logits')
  expect(exported.files.map((f: string) => path.basename(f))).toContain('tokenizer.json')

  const human = await nashlab('generate', '--model', 'nope', '--prompt', 'x')
  expect(human.stderr.trim()).toBe('nashlab: There is no model named "nope".')
})
