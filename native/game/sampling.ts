/**
 * Which iterates t ∈ {0..T} to keep when a long series is sent to a plot: about `count` indices,
 * half spaced evenly on a log scale (so log–log plots keep their early shape) and half spaced
 * evenly (so late cycling stays visible), always with 0 and T. Sorted, without repeats.
 */
export function sampleIterates(T: number, count: number): Int32Array {
  if (count >= T + 1) return Int32Array.from({ length: T + 1 }, (_, t) => t)
  const keep = new Set<number>([0, T])
  const half = Math.max(1, Math.floor(count / 2))
  for (let k = 0; k < half; k++) {
    keep.add(Math.round(Math.expm1((Math.log1p(T) * k) / (half - 1 || 1))))
    keep.add(Math.round((T * k) / (half - 1 || 1)))
  }
  return Int32Array.from([...keep].filter((t) => t >= 0 && t <= T).sort((a, b) => a - b))
}
