import { describe, expect, it } from 'vitest'
import { DataType } from '../../onnx/dtype'
import { checkGradient } from '../gradcheck'

describe('Gather gradient', () => {
  it('accumulates repeated indices on axis 0 (an embedding)', async () => {
    const r = await checkGradient({ label: 'Gather.embedding', inputs: { table: [5, 3], ids: { shape: [2, 3], dtype: DataType.int64, data: [0, 2, 0, 4, 4, 1] } }, build: (b, x) => b.tanh(b.gather(x.table, x.ids, 0)) })
    expect(r.maxError).toBeLessThan(1e-6)
  })
  it('matches finite differences on axis 1 with negative indices', async () => {
    const r = await checkGradient({ label: 'Gather.axis1', inputs: { x: [2, 4, 3], ids: { shape: [3], dtype: DataType.int64, data: [-1, 0, 3] } }, build: (b, x) => b.tanh(b.gather(x.x, x.ids, 1)) })
    expect(r.maxError).toBeLessThan(1e-6)
  })
  it('matches finite differences for a scalar index', async () => {
    const r = await checkGradient({ label: 'Gather.scalar', inputs: { x: [2, 4, 3] }, build: (b, x) => b.tanh(b.gather(x.x, b.scalar(2, DataType.int64), 1)) })
    expect(r.maxError).toBeLessThan(1e-6)
  })
})
