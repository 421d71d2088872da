import * as ort from 'onnxruntime-node'
import { normals } from '../models/normals'
import { Rng } from '../runtime/rng'
import { GraphBuilder } from '../onnx/builder'
import { DataType } from '../onnx/dtype'
import { cpuSession } from '../onnx/session'
import { peakRssMiB, timeMedian, type Bench } from './bench'

/** Threads every CPU bench uses (the 2-core workstation this project targets). */
export const BENCH_THREADS = 2

/**
 * GFLOP/s of one n×n by n×n MatMul (2n³ FLOPs) on 2 threads: the machine's matrix-product
 * ceiling, with B as a graph input (as trained weights are) or as an initializer (pre-packed).
 * `median` is the typical run; `best` the fastest, which is what the machine does when no other
 * process competes for its cores.
 */
export async function matmulGflops(n: number, prepacked: boolean, minMs = 1500): Promise<{ median: number; best: number }> {
  const rng = Rng.fromSeed(1)
  const b = GraphBuilder.create('matmul')
  const a = b.input('a', DataType.float, [n, n])
  const w = prepacked ? b.initializer('w', DataType.float, [n, n], normals(rng, n * n)) : b.input('w', DataType.float, [n, n])
  b.output(b.matMul(a, w, 'product'), 'y')
  const session = await cpuSession(b.toModel(), { intraOpNumThreads: BENCH_THREADS })
  const feeds: Record<string, ort.Tensor> = { a: new ort.Tensor('float32', normals(rng, n * n), [n, n]) }
  if (!prepacked) feeds.w = new ort.Tensor('float32', normals(rng, n * n), [n, n])
  const { median, min } = await timeMedian(() => session.run(feeds), { warmup: 3, minRuns: 10, minMs })
  await session.release()
  return { median: (2 * n ** 3) / median / 1e6, best: (2 * n ** 3) / min / 1e6 }
}

export const matmulBenches: Bench[] = [
  {
    name: 'matmul.1024',
    group: 'matmul',
    description: 'MatMul 1024³, B a graph input (2 threads)',
    run: async () => {
      const g = await matmulGflops(1024, false, 3000)
      return { metrics: { gflops: { value: g.median, unit: 'GFLOP/s' }, gflopsBest: { value: g.best, unit: 'GFLOP/s' }, peakRss: { value: peakRssMiB(), unit: 'MiB' } } }
    },
  },
  {
    name: 'matmul.1024-prepacked',
    group: 'matmul',
    description: 'MatMul 1024³, B an initializer (pre-packed, 2 threads)',
    run: async () => {
      const g = await matmulGflops(1024, true, 3000)
      return { metrics: { gflops: { value: g.median, unit: 'GFLOP/s' }, gflopsBest: { value: g.best, unit: 'GFLOP/s' }, peakRss: { value: peakRssMiB(), unit: 'MiB' } } }
    },
  },
]
