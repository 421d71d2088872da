import { expect, test } from 'vitest'
import { highlight, searchTerms } from './highlight'

test('search terms drop operators, column names and stars', () => {
  expect(searchTerms('"friendly answer" AND jazz* NOT a:rock')).toEqual(['friendly', 'answer', 'jazz', 'rock'])
})

test('words starting with a term are marked, case-insensitively', () => {
  expect(highlight('Jazz and jazzy tunes, not pizzazz.', ['jazz'])).toEqual([
    { text: 'Jazz', hit: true },
    { text: ' and ', hit: false },
    { text: 'jazzy', hit: true },
    { text: ' tunes, not pizzazz.', hit: false },
  ])
  expect(highlight('nothing here', [])).toEqual([{ text: 'nothing here', hit: false }])
})
