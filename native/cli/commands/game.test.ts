import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const bin = path.resolve(import.meta.dirname, '../../../bin/nashlab.js')
let folder: string

/** Run the real `nashlab` command; returns its exit code and outputs. */
function nashlab(...args: string[]) {
  const run = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', env: { ...process.env, NASHLAB_DB: path.join(folder, 'unused.db') } })
  return { code: run.status, stdout: run.stdout, stderr: run.stderr }
}

function writeMatrix(name: string, value: unknown): string {
  const file = path.join(folder, name)
  fs.writeFileSync(file, JSON.stringify(value))
  return file
}

beforeAll(() => {
  folder = fs.mkdtempSync(path.join(os.tmpdir(), 'nashlab-game-cli-'))
})

afterAll(() => fs.rmSync(folder, { recursive: true, force: true }))

describe('nashlab game', () => {
  it('prints π*_τ, π_N and the full per-iterate series as JSON, with π_0 = μ', () => {
    const file = writeMatrix('rps.json', { P: [[0.5, 0, 1], [1, 0.5, 0], [0, 1, 0.5]], mu: [0.6, 0.3, 0.1], actions: ['R', 'P', 'S'] })
    const run = nashlab('game', '--matrix', file, '--tau', '0.1', '--iters', '500', '--json')
    expect(run.stderr).toBe('')
    expect(run.code).toBe(0)
    const out = JSON.parse(run.stdout)
    expect(Object.keys(out)).toEqual(['nash', 'final', 'kl', 'bound', 'exploitability'])
    expect(out.kl.length).toBe(501)
    expect(out.bound.length).toBe(501)
    expect(out.exploitability.length).toBe(501)
    expect(out.bound[0]).toBe(8 / (0.1 * 0.1))
    out.kl.forEach((kl: number, t: number) => expect(kl).toBeLessThanOrEqual(out.bound[t]))
    // π_0 = μ, so the first KL is KL(π*_τ, μ).
    const expected = out.nash.reduce((s: number, p: number, i: number) => s + p * Math.log(p / [0.6, 0.3, 0.1][i]), 0)
    expect(out.kl[0]).toBeCloseTo(expected, 14)
    expect(out.final.reduce((a: number, b: number) => a + b, 0)).toBeCloseTo(1, 14)
  })

  it('takes --algo and --eta, and prints a null bound for τ = 0', () => {
    const file = writeMatrix('rps0.json', { P: [[0.5, 0, 1], [1, 0.5, 0], [0, 1, 0.5]] })
    const out = JSON.parse(nashlab('game', '--matrix', file, '--tau', '0', '--iters', '20', '--algo', 'extragradient', '--eta', '0.3', '--json').stdout)
    expect(out.bound).toBeNull()
    expect(out.kl.length).toBe(21)
    for (const p of out.nash) expect(p).toBeCloseTo(1 / 3, 14)
  })

  it('fails with one line naming the first bad cell', () => {
    const file = writeMatrix('bad.json', { P: [[0.5, 0.2, 0.3], [0.8, 0.5, 0.1], [0.7, 0.8, 0.5]] })
    const run = nashlab('game', '--matrix', file, '--tau', '0.1', '--iters', '10')
    expect(run.code).toBe(2)
    expect(run.stdout).toBe('')
    expect(run.stderr.trim().split('\n')).toHaveLength(1)
    expect(run.stderr).toContain('P[1][2] + P[2][1]')
  })
})

describe('nashlab nash', () => {
  it('prints the maximal lottery and the value of any matrix', () => {
    const file = writeMatrix('condorcet.json', { P: [[0.5, 0.3, 0.4], [0.7, 0.5, 0.6], [0.6, 0.4, 0.5]] })
    const run = nashlab('nash', '--matrix', file, '--json')
    expect(run.code).toBe(0)
    expect(JSON.parse(run.stdout)).toEqual({ nash: [0, 1, 0], value: 0.5 })
  })
})
