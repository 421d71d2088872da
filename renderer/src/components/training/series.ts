/** Pure helpers for the training charts (kept apart from the component so they are testable). */

export interface Line {
  label: string
  steps: number[]
  values: number[]
  /** Which colour: a run keeps its colour on every chart (default: the line's position). */
  colour?: number
}

/**
 * Exponential moving average with bias correction (as TensorBoard's smoothing): weight `w` in
 * [0, 1); 0 leaves the series unchanged.
 */
export function smooth(values: number[], w: number): number[] {
  if (w <= 0) return values.slice()
  const out = new Array<number>(values.length)
  let acc = 0
  let debias = 0
  for (let i = 0; i < values.length; i++) {
    acc = acc * w + (1 - w) * values[i]
    debias = debias * w + (1 - w)
    out[i] = acc / debias
  }
  return out
}

/**
 * uPlot wants one shared x array: the union of every line's steps, with null where a line has no
 * value at that step.
 */
export function align(lines: Line[]): [number[], ...(number | null)[][]] {
  const steps = [...new Set(lines.flatMap((l) => l.steps))].sort((a, b) => a - b)
  const index = new Map(steps.map((s, i) => [s, i]))
  const columns = lines.map((line) => {
    const column = new Array<number | null>(steps.length).fill(null)
    line.steps.forEach((s, i) => (column[index.get(s)!] = line.values[i]))
    return column
  })
  return [steps, ...columns]
}
