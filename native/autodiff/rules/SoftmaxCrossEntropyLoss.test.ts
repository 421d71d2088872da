import { describe, expect, it } from 'vitest'
import { DataType } from '../../onnx/dtype'
import { checkGradient } from '../gradcheck'

const labels = (shape: number[], data: number[]) => ({ shape, dtype: DataType.int64, data })

describe('SoftmaxCrossEntropyLoss gradient', () => {
  it('matches finite differences for a mean loss with ignore_index', async () => {
    const r = await checkGradient({
      label: 'SoftmaxCrossEntropyLoss.mean',
      inputs: { scores: [4, 5], labels: labels([4], [1, -100, 4, 1]) },
      build: (b, x) => b.node('SoftmaxCrossEntropyLoss', [x.scores, x.labels], { ignore_index: -100 }, {})[0],
    })
    expect(r.maxError).toBeLessThan(1e-6)
  })

  it('matches finite differences for (N, C, d) scores with class weights, ignore_index and sum', async () => {
    const r = await checkGradient({
      label: 'SoftmaxCrossEntropyLoss.weighted',
      inputs: { scores: [2, 4, 3], labels: labels([2, 3], [0, 3, 2, 1, 1, 3]), weights: { shape: [4], data: [0.5, 1, 2, 0.25], trained: false } },
      build: (b, x) => b.node('SoftmaxCrossEntropyLoss', [x.scores, x.labels, x.weights], { ignore_index: 2, reduction: 'sum' }, {})[0],
    })
    expect(r.maxError).toBeLessThan(1e-6)
  })

  it('matches finite differences for weighted mean, per-sample losses and a used log_prob output', async () => {
    const mean = await checkGradient({
      label: 'SoftmaxCrossEntropyLoss.weightedMean',
      inputs: { scores: [3, 4], labels: labels([3], [0, 3, 3]), weights: { shape: [4], data: [0.5, 1, 2, 0.25], trained: false } },
      build: (b, x) => b.node('SoftmaxCrossEntropyLoss', [x.scores, x.labels, x.weights], {}, {})[0],
    })
    expect(mean.maxError).toBeLessThan(1e-6)
    const none = await checkGradient({
      label: 'SoftmaxCrossEntropyLoss.none',
      inputs: { scores: [3, 4], labels: labels([3], [2, 0, 1]) },
      build: (b, x) => {
        const [loss, logProb] = b.node('SoftmaxCrossEntropyLoss', [x.scores, x.labels], { reduction: 'none' }, { outputCount: 2 })
        return b.add(b.unsqueeze(loss, [1]), b.mul(logProb, logProb))
      },
    })
    expect(none.maxError).toBeLessThan(1e-6)
  })
})
