import { describe, expect, it } from 'vitest'
import { ProtoReader, ProtoWriter } from './wire'

describe('protobuf wire format', () => {
  it('round-trips varints across the int64 range, floats, doubles, strings and packed fields', () => {
    const ints = [0, 1, 127, 128, 300, 2 ** 31 - 1, 2 ** 31, 2 ** 40 + 7, -1, -300, -(2 ** 40)]
    const w = new ProtoWriter()
    for (const v of ints) w.varint(1, v)
    w.varint(2, 9223372036854775807n)
    w.varint(2, -9223372036854775808n)
    w.float(3, 1.5)
    w.double(4, Math.PI)
    w.string(5, 'block3.attn.qk ✓')
    w.packedVarints(6, [1, -2, 3e9])
    const big = new Uint8Array(5000).map((_, i) => i % 251)
    w.bytes(7, big)
    const bytes = w.finish()

    const r = new ProtoReader(bytes)
    const got: number[] = []
    const bigs: bigint[] = []
    let f = r.next()
    for (; f && f.field === 1; f = r.next()) got.push(r.varint())
    expect(got).toEqual(ints)
    for (; f && f.field === 2; f = r.next()) bigs.push(r.varintBig())
    expect(bigs).toEqual([9223372036854775807n, -9223372036854775808n])
    expect(f?.field).toBe(3)
    expect(r.float()).toBe(1.5)
    expect(r.next()?.field).toBe(4)
    expect(r.double()).toBe(Math.PI)
    expect(r.next()?.field).toBe(5)
    expect(r.string()).toBe('block3.attn.qk ✓')
    const packed: number[] = []
    const p = r.next()!
    r.varints(p.wire, packed)
    expect(packed).toEqual([1, -2, 3e9])
    expect(r.next()?.field).toBe(7)
    expect([...r.bytes()]).toEqual([...big])
    expect(r.next()).toBeUndefined()
  })

  it('clamps numbers beyond int64 instead of wrapping', () => {
    const w = new ProtoWriter()
    w.varint(1, 2 ** 63) // INT64_MAX as a double rounds up to 2^63
    const r = new ProtoReader(w.finish())
    r.next()
    expect(r.varintBig()).toBe(9223372036854775807n)
  })
})
