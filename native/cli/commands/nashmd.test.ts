import { spawn, spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Engine } from '../../engine/engine'
import { dataPath } from '../../models/manifest'
import { readWeights } from '../../models/weights-file'
import { seedTinyProject } from '../../train/nashmd/fixtures/tiny-project'
import { NashTrainService } from '../../train/nashmd/service'
import { parseArgs } from '../args'
import { configFromArgs } from './nashmd'

const bin = path.resolve(import.meta.dirname, '../../../bin/nashlab.js')
let folder: string
let db: string
let configFile: string
/** A run the first test completed. */
let completed = 0

/** Run the real `nashlab` command to its end. */
function nashlab(...args: string[]) {
  const run = spawnSync(process.execPath, [bin, ...args, '--db', db], { encoding: 'utf8' })
  return { code: run.status, stdout: run.stdout, stderr: run.stderr, lines: run.stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l)) }
}

/** The weights of a run's newest checkpoint, read from the database the CLI wrote. */
function finalWeights(run: number) {
  const engine = new Engine({ database: db, mode: 'cli' })
  try {
    const latest = engine.runs.runs.latestCheckpoint(run)!
    return { step: latest.step, weights: readWeights(dataPath(engine.dataDir, latest.path)) }
  } finally {
    void engine.close()
  }
}

beforeAll(async () => {
  folder = fs.mkdtempSync(path.join(os.tmpdir(), 'nashlab-nashmd-cli-'))
  db = path.join(folder, 'nashlab.db')
  const engine = new Engine({ database: db, mode: 'cli' })
  const project = await seedTinyProject(engine)
  await engine.close()
  configFile = path.join(folder, 'run.json')
  const config = { policy: project.policy, preference: project.preference, dataset: project.dataset, steps: 8, batch: 4, maxTokens: 8, evalPrompts: 4, evalEvery: 0, samplePrompts: 0, checkpointEvery: 2, seed: 5, threads: 2 }
  fs.writeFileSync(configFile, JSON.stringify(config))
})

afterAll(() => fs.rmSync(folder, { recursive: true, force: true }))

describe('nashlab train nashmd and nashlab runs', () => {
  it('a run killed with SIGKILL resumes from its last checkpoint to the same weights as one never stopped, printing a JSON line per step and a summary', async () => {
    // The run never stopped, trained in this process from the same config.
    const reference = new Engine({ database: db, mode: 'cli' })
    const started = await reference.call('runs.start', JSON.parse(fs.readFileSync(configFile, 'utf8')))
    await reference.service(NashTrainService).finished(started.id)
    await reference.close()

    // The same run, killed without warning once step 5 is logged (its checkpoint of step 4 is on disk).
    const child = spawn(process.execPath, [bin, 'train', 'nashmd', '--config', configFile, '--algo', 'nash-md-pg', '--json', '--db', db], { stdio: ['ignore', 'pipe', 'pipe'] })
    let killedRun = 0
    await new Promise<void>((resolve, reject) => {
      let buffer = ''
      child.stdout.on('data', (chunk: Buffer) => {
        buffer += chunk.toString()
        for (let nl = buffer.indexOf('\n'); nl !== -1; nl = buffer.indexOf('\n')) {
          const line = JSON.parse(buffer.slice(0, nl))
          buffer = buffer.slice(nl + 1)
          if (line.type === 'step' && line.step === 5) {
            killedRun = line.run
            child.kill('SIGKILL')
          }
        }
      })
      child.on('exit', () => resolve())
      child.on('error', reject)
    })
    expect(child.signalCode).toBe('SIGKILL')
    // Opening the database again finds the run without its process: failed, interrupted, resumable.
    const engine = new Engine({ database: db, mode: 'cli' })
    expect((await engine.call('runs.list', {})).find((r) => r.id === killedRun)).toMatchObject({ status: 'failed', error: expect.stringMatching(/^Interrupted: .*checkpoint of step 4/) })
    await engine.close()

    const resumed = nashlab('runs', 'resume', String(killedRun), '--json')
    expect(resumed.stderr).toBe('')
    expect(resumed.code).toBe(0)
    const steps = resumed.lines.filter((l) => l.type === 'step')
    expect(steps.map((l) => l.step)).toEqual([5, 6, 7, 8])
    expect(steps.every((l) => l.run === killedRun)).toBe(true)
    expect(Object.keys(steps[0].metrics)).toEqual(expect.arrayContaining(['loss', 'loss/score', 'loss/kl', 'grad_norm', 'beta', 'tau']))
    expect(resumed.lines.at(-1)).toEqual({
      type: 'summary',
      run: killedRun,
      algorithm: 'nash-md-pg',
      status: 'completed',
      steps: 8,
      checkpoint: { id: expect.any(Number), step: 8, path: `runs/${killedRun}/checkpoints/step-00000008` },
      model: { id: expect.any(Number), name: `tiny-nash-md-pg-${killedRun}` },
    })
    const a = finalWeights(started.id)
    const b = finalWeights(killedRun)
    expect([a.step, b.step]).toEqual([8, 8])
    for (const [name, w] of a.weights) expect(Array.from(b.weights.get(name)!), name).toEqual(Array.from(w))

    completed = killedRun
    const shown = nashlab('runs', 'show', String(killedRun), '--json').lines[0]
    expect(shown).toMatchObject({ status: 'completed', config: { seed: 5, steps: 8, policy: { name: 'tiny' } } })
    expect(shown.checkpoints.map((c: { step: number }) => c.step)).toEqual([4, 6, 8])
  })

  it('reads the config file, then --algo and one flag per field; refuses what it does not know with one line', () => {
    const config = configFromArgs(parseArgs(['--config', configFile, '--algo', 'self-play', '--max-tokens', '4', '--beta-pieces', '0:0.375,10:0.25', '--policy', '7']))
    expect(config).toMatchObject({ algorithm: 'self-play', maxTokens: 4, betaPieces: [{ step: 0, beta: 0.375 }, { step: 10, beta: 0.25 }], policy: 7, preference: 'tiny-judge', steps: 8 })
    expect(() => configFromArgs(parseArgs(['--bogus', '1']))).toThrow('Unknown option --bogus. Run "nashlab runs options" for the fields of a run.')
    expect(() => configFromArgs(parseArgs(['--tau', 'x']))).toThrow('--tau must be a number, got "x".')
    const bad = nashlab('train', 'nashmd', '--config', configFile, '--tau', '-1')
    expect(bad.code).toBe(2)
    expect(bad.stderr.trim()).toMatch(/^nashlab: Invalid input to runs\.start: field "tau": /)
  })

  it('refuses to cancel a run that has completed', async () => {
    const engine = new Engine({ database: db, mode: 'cli' })
    await expect(engine.call('runs.cancel', { run: completed })).rejects.toThrow(`Run ${completed} is completed; there is nothing to cancel.`)
    await engine.close()
  })
})
