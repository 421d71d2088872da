import type { GraphBuilder, Value } from '../onnx/builder'

/**
 * Global gradient norm and clipping factor (PyTorch's clip_grad_norm_):
 *   ‖g‖ = √(Σ over tensors of Σ g²) of the effective gradient s·g,
 *   clip = min(1, maxNorm / (‖g‖ + 10⁻⁶)).
 * Returns the norm (before clipping, the `grad_norm` metric) and the combined multiplier s·clip.
 */
export function globalNormClip(b: GraphBuilder, grads: Value[], scale: Value | null, maxNorm: number | undefined): { norm: Value; multiplier: Value | null } {
  return b.scope('clip', () => {
    const squares = grads.map((g) => (g.shape.length === 0 ? b.mul(g, g, 'square') : b.reduce('ReduceSumSquare', g, Array.from({ length: g.shape.length }, (_, i) => i), false, 'square_sum')))
    let norm = b.sqrt(b.sum(squares, 'total'), 'raw_norm')
    if (scale) norm = b.mul(norm, scale, 'norm')
    if (maxNorm === undefined) return { norm, multiplier: scale }
    const clip = b.min([b.scalar(1), b.div(b.scalar(maxNorm), b.add(norm, b.scalar(1e-6), 'norm_eps'), 'ratio')], 'factor')
    return { norm, multiplier: scale ? b.mul(scale, clip, 'multiplier') : clip }
  })
}
