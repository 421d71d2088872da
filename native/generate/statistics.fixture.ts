/** Pearson's chi-square statistic Σ (observed − expected)² / expected. */
export function chiSquare(observed: readonly number[], expected: readonly number[]): number {
  return observed.reduce((sum, o, i) => sum + (o - expected[i]) ** 2 / expected[i], 0)
}

/** Upper 0.1 % points of the chi-square distribution, by degrees of freedom (index 0 unused). */
export const chiSquareCritical001 = [Infinity, 10.828, 13.816, 16.266, 18.467, 20.515, 22.458, 24.322, 26.124, 27.877, 29.588]
