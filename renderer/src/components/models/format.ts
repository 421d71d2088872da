import type { ModelKind } from '../../../../native/api/contract'

/** 41 234 → "41.2k", 1 234 567 → "1.23M". */
export function formatCount(n: number): string {
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)}M`
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)}k`
  return String(n)
}

export function kindLabel(kind: ModelKind): string {
  return { policy: 'policy', preference: 'preference P(y ≻ y′)', reward: 'reward r(x, y)', imported: 'imported ONNX' }[kind]
}
