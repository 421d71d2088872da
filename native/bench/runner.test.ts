import { describe, expect, it } from 'vitest'
import { benches } from './index'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { defaultResultsPath, formatTable, runBenchHere } from './runner'

describe('bench registry', () => {
  it('has unique names prefixed by their group', () => {
    const names = benches.map((b) => b.name)
    expect(new Set(names).size).toBe(names.length)
    for (const b of benches) expect(b.name.startsWith(`${b.group}.`)).toBe(true)
    expect(names).toEqual(expect.arrayContaining(['matmul.1024', 'train.gpt-d128', 'train.gpt-d256']))
  })

  it('prints results as an aligned table and names an unknown bench', async () => {
    const table = formatTable([{ name: 'train.x', group: 'train', description: '', metrics: { tokensPerSecond: { value: 15234.4, unit: 'tokens/s' }, ofCeiling: { value: 52.25, unit: '%' } } }])
    expect(table.split('\n')).toEqual([
      'bench    metric           value  unit    ',
      '-------  ---------------  -----  --------',
      'train.x  tokensPerSecond  15234  tokens/s',
      'train.x  ofCeiling         52.3  %       ',
    ])
    await expect(runBenchHere('nope')).rejects.toThrow('No bench named "nope".')
  })

  it('writes results into the checkout when it runs in one', () => {
    const checkout = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..')
    expect(defaultResultsPath()).toBe(path.join(checkout, 'bench', 'results.json'))
  })
})
