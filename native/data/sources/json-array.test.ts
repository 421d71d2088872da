import { describe, expect, test } from 'vitest'
import { bufferSource } from '../byte-source'
import { ArraySplitter, jsonArraySource } from './json-array'

async function read(text: string) {
  const out: unknown[] = []
  for await (const batch of jsonArraySource(bufferSource(Buffer.from(text), 'rows.json'), { maxLineBytes: 1 << 20 }).batches()) out.push(...batch)
  return out as { value: unknown; where: { line: number; row: number } }[]
}

describe('JSON arrays', () => {
  test('splits top-level elements, with strings holding brackets, commas and escaped quotes', async () => {
    const rows = await read('[\n {"a": "x], {y"},\n {"a": "say \\"hi\\" \\\\"}, {"b": [1, {"c": 2}]}\n]\n')
    expect(rows.map((r) => r.value)).toEqual([{ a: 'x], {y' }, { a: 'say "hi" \\' }, { b: [1, { c: 2 }] }])
    expect(rows.map((r) => [r.where.row, r.where.line])).toEqual([
      [1, 2],
      [2, 3],
      [3, 3],
    ])
  })

  test('gives the same elements when chunks split an element', () => {
    const text = '[{"p": "one"},\n{"p": "two", "q": [1,\n2]},\n{"p": "three"}]\n'
    const lines = text.split(/(?<=\n)/)
    const collect = (pieces: string[]) => {
      const splitter = new ArraySplitter('x.json', 1 << 20)
      const out: string[] = []
      let line = 1
      for (const p of pieces) {
        splitter.push(p, line, (t) => out.push(t))
        line += (p.match(/\n/g) ?? []).length
      }
      splitter.end()
      return out.map((t) => JSON.parse(t))
    }
    expect(collect(lines)).toEqual(collect([text]))
    expect(collect(lines)).toEqual([{ p: 'one' }, { p: 'two', q: [1, 2] }, { p: 'three' }])
  })

  test('reads an empty array as no rows', async () => {
    expect(await read('[ ]')).toEqual([])
  })

  test('refuses an array cut short, text after it, and a dangling comma', async () => {
    await expect(read('[{"a": 1},\n{"a": 2}')).rejects.toThrow('rows.json: ends before its closing "]" (after 1 elements); the file may be cut short. Nothing was imported.')
    await expect(read('[{"a": 1}] x')).rejects.toThrow('has text after the closing "]"')
    await expect(read('[{"a": 1},]')).rejects.toThrow('has a comma with no element after it')
  })

  test('names the element and line of invalid JSON', async () => {
    await expect(read('[{"a": 1},\n{"a": tru}]')).rejects.toThrow('rows.json, row 2 (line 2): element 2 is not valid JSON')
  })
})
