import { expect, test } from 'vitest'
import type { TournamentResult } from '../../../../native/api/contract'
import { cellColour, fileStem, matrixCsv, textColour } from './matrixExport'

const result: TournamentResult = {
  players: ['base', 'nash, β=0.25'],
  judge: 'oracle',
  matrix: [
    [0.5, 0.625],
    [0.375, 0.5],
  ],
  ci_low: [
    [0.5, 0.55],
    [0.3, 0.5],
  ],
  ci_high: [
    [0.5, 0.7],
    [0.45, 0.5],
  ],
  n: [
    [0, 200],
    [200, 0],
  ],
  bt: { elo: [1456, 1544], low: [1430, 1520], high: [1480, 1570] },
  nash: [0, 1],
  exploitability: [0.125, 0],
  nonTransitive: [],
  wins: [
    [0, 75],
    [125, 0],
  ],
}

test('the CSV has the matrix, its interval bounds and the judged pairs, with labels quoted where needed', () => {
  const lines = matrixCsv(result).split('\r\n')
  expect(lines.slice(0, 3)).toEqual(['P(column > row),base,"nash, β=0.25"', 'base,0.500000,0.625000', '"nash, β=0.25",0.375000,0.500000'])
  expect(lines).toContain('judged pairs,base,"nash, β=0.25"')
  expect(lines).toContain('base,0,200')
  expect(lines.at(-1)).toBe('')
})

test('colours run from red (row wins) through white (½) to blue (column wins)', () => {
  expect(cellColour(0.5)).toBe('rgb(248, 248, 248)')
  expect(cellColour(1)).toBe('rgb(53, 87, 214)')
  expect(cellColour(0)).toBe('rgb(209, 73, 91)')
  expect(textColour(0.95)).toBe('#ffffff')
  expect(textColour(0.55)).toBe('#1d1f23')
  expect(fileStem('tiny-a vs tiny-b (oracle)')).toBe('tiny-a_vs_tiny-b_oracle')
})
