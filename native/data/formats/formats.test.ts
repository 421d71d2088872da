import { describe, expect, test } from 'vitest'
import { detectSchema } from './detect'
import { suggestMapping } from './mapping'
import { Row } from './row'
import { splitAtFirstDifference } from './trl'

const where = { file: 'f.jsonl', line: 3 }
const row = (value: Record<string, unknown>, cellsAreText = false) => new Row(value, where, { cellsAreText, maxFieldChars: 1000 })
const mapRow = (value: Record<string, unknown>, format: Parameters<typeof detectSchema>[1] = 'auto', cellsAreText = false) => {
  const r = row(value, cellsAreText)
  const schema = detectSchema(r, format)
  return { schema: schema.name, format: schema.format, item: schema.map(r) }
}

describe('TRL', () => {
  test('standard preference: chosen is response a, which won', () => {
    const { schema, item } = mapRow({ prompt: 'Why?', chosen: 'Because.', rejected: 'No.', annotator: 'ann' })
    expect(schema).toBe('TRL preference, standard')
    expect(item).toEqual({ kind: 'comparison', prompt: { text: 'Why?' }, a: { text: 'Because.' }, b: { text: 'No.' }, outcome: 'a', annotator: 'ann', shownLeft: null })
  })

  test('conversational preference keeps the messages and renders the text', () => {
    const prompt = [
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'Sky colour?' },
    ]
    const { schema, item } = mapRow({ prompt, chosen: [{ role: 'assistant', content: 'Blue.' }], rejected: [{ role: 'assistant', content: 'Green.' }] })
    expect(schema).toBe('TRL preference, conversational')
    if (item.kind !== 'comparison') throw new Error('expected a comparison')
    expect(item.prompt).toEqual({ text: 'System: Be brief.\n\nUser: Sky colour?', messages: prompt })
    expect(item.a).toEqual({ text: 'Blue.', messages: [{ role: 'assistant', content: 'Blue.' }] })
  })

  test('a CSV cell holding a JSON message list counts as conversational', () => {
    const cell = JSON.stringify([{ role: 'user', content: 'Hi' }])
    const { schema, item } = mapRow({ prompt: cell, chosen: 'Hello!', rejected: 'Go away.' }, 'auto', true)
    expect(schema).toBe('TRL preference, conversational')
    expect(item.kind === 'comparison' && item.prompt).toEqual({ text: 'Hi', messages: [{ role: 'user', content: 'Hi' }] })
  })

  test('implicit prompt, conversational: the shared messages are the prompt', () => {
    const user = { role: 'user', content: 'Two plus two?' }
    const { schema, item } = mapRow({ chosen: [user, { role: 'assistant', content: '4' }], rejected: [user, { role: 'assistant', content: '5' }] })
    expect(schema).toBe('TRL preference with implicit prompt, conversational')
    if (item.kind !== 'comparison') throw new Error('expected a comparison')
    expect(item.prompt.text).toBe('Two plus two?')
    expect([item.a.text, item.b.text]).toEqual(['4', '5'])
  })

  test("implicit prompt, standard text: TRL's first-difference rule", () => {
    expect(splitAtFirstDifference('The sky is blue.', 'The sky is green.')).toEqual({ prompt: 'The sky is', chosen: ' blue.', rejected: ' green.' })
    const { item } = mapRow({ chosen: 'Answer: yes', rejected: 'Answer: no' })
    expect(item.kind === 'comparison' && [item.prompt.text, item.a.text, item.b.text]).toEqual(['Answer:', ' yes', ' no'])
    expect(() => mapRow({ chosen: 'yes', rejected: 'no' })).toThrow('chosen and rejected share no beginning')
  })

  test('unpaired preference becomes feedback with its label', () => {
    const { schema, item } = mapRow({ prompt: 'p', completion: 'c', label: false })
    expect(schema).toBe('TRL unpaired preference, standard')
    expect(item).toEqual({ kind: 'feedback', prompt: { text: 'p' }, completion: { text: 'c' }, label: 0, annotator: null })
    expect(mapRow({ prompt: 'p', completion: 'c', label: 'True' }, 'auto', true).item).toMatchObject({ label: 1 })
    expect(() => mapRow({ prompt: 'p', completion: 'c', label: 'maybe' })).toThrow('f.jsonl, line 3: field "label" must be true or false, got "maybe". Nothing was imported.')
  })

  test('prompt-only rows become prompts', () => {
    const { schema, item } = mapRow({ prompt: [{ role: 'user', content: 'Tell a joke.' }] })
    expect(schema).toBe('TRL prompt-only, conversational')
    expect(item).toEqual({ kind: 'prompt', prompt: { text: 'Tell a joke.', messages: [{ role: 'user', content: 'Tell a joke.' }] } })
  })

  test('type errors name the field', () => {
    expect(() => mapRow({ prompt: 'p', chosen: 3, rejected: 'x' })).toThrow('f.jsonl, line 3: field "chosen" must be text, got a number. Nothing was imported.')
    expect(() => mapRow({ prompt: 'p', chosen: [{ role: 'assistant' }], rejected: 'x' })).toThrow('message 1 of "chosen" needs text "content", got nothing')
    expect(() => mapRow({ prompt: 'p', chosen: 'x'.repeat(1001), rejected: 'x' })).toThrow('field "chosen" holds 1,001 characters; the largest text Nashlab takes is 1,000')
  })
})

describe('HH-RLHF', () => {
  const chosen = '\n\nHuman: Hi there\n\nAssistant: Hello!\n\nHuman: Recommend a book?\n\nAssistant: Try Dune.'
  const rejected = '\n\nHuman: Hi there\n\nAssistant: Hello!\n\nHuman: Recommend a book?\n\nAssistant: No.'

  test('the shared dialogue up to the last Assistant turn is the prompt', () => {
    const { schema, format, item } = mapRow({ chosen, rejected })
    expect([schema, format]).toEqual(['Anthropic HH-RLHF transcripts', 'hh-rlhf'])
    if (item.kind !== 'comparison') throw new Error('expected a comparison')
    expect(item.prompt.text).toBe('\n\nHuman: Hi there\n\nAssistant: Hello!\n\nHuman: Recommend a book?\n\nAssistant:')
    expect(item.prompt.messages).toEqual([
      { role: 'user', content: 'Hi there' },
      { role: 'assistant', content: 'Hello!' },
      { role: 'user', content: 'Recommend a book?' },
    ])
    expect([item.a.text, item.b.text]).toEqual(['Try Dune.', 'No.'])
  })

  test('responses that share a beginning still split at the Assistant turn', () => {
    const { item } = mapRow({ chosen: '\n\nHuman: Q\n\nAssistant: It is fine.', rejected: '\n\nHuman: Q\n\nAssistant: It is not.' })
    expect(item.kind === 'comparison' && [item.prompt.text, item.a.text, item.b.text]).toEqual(['\n\nHuman: Q\n\nAssistant:', 'It is fine.', 'It is not.'])
  })

  test('forced on rows that are not transcripts, it says so', () => {
    expect(() => mapRow({ chosen: 'yes', rejected: 'no' }, 'hh-rlhf')).toThrow('share no dialogue ending in "Assistant:"')
    expect(() => mapRow({ prompt: 'p', chosen: 'yes', rejected: 'no' }, 'hh-rlhf')).toThrow('the row is not an HH-RLHF pair of transcripts')
  })
})

describe('summarize from feedback', () => {
  const base = {
    info: { id: 't3_x', post: 'My cat ignores me.', title: 'Cat help', subreddit: 'cats' },
    summaries: [
      { text: ' Cat ignores OP.', policy: 'sup2', note: null },
      { text: ' OP wants attention.', policy: 'ref', note: null },
    ],
    choice: 1,
    worker: 'w42',
    batch: 'batch3',
  }

  test('the query is the prompt, the chosen summary wins, the worker is the annotator', () => {
    const { schema, item } = mapRow(base)
    expect(schema).toBe('OpenAI summarize-from-feedback comparisons')
    expect(item).toEqual({
      kind: 'comparison',
      prompt: { text: 'SUBREDDIT: r/cats\n\nTITLE: Cat help\n\nPOST: My cat ignores me.\n\nTL;DR:' },
      a: { text: ' Cat ignores OP.' },
      b: { text: ' OP wants attention.' },
      outcome: 'b',
      annotator: 'w42',
      shownLeft: null,
      sourceA: 'import:sup2',
      sourceB: 'import:ref',
    })
  })

  test('news articles use the article query', () => {
    const { item } = mapRow({ ...base, info: { id: 'cnn', article: 'Rain today.', post: null }, choice: 0 })
    expect(item).toMatchObject({ prompt: { text: 'Article:\n\nRain today.\n\nTL;DR:' }, outcome: 'a' })
  })

  test('a choice that is not 0 or 1 is refused', () => {
    expect(() => mapRow({ ...base, choice: 2 })).toThrow('field "choice" must be 0 or 1')
    expect(() => mapRow({ ...base, summaries: [base.summaries[0]] })).toThrow('field "summaries" must be a list of two {text, policy} objects, got 1 items')
  })
})

describe('column mapping', () => {
  test('maps response a, response b and an outcome column', () => {
    const r = row({ question: 'q', left: 'x', right: 'y', winner: 'model_b', judge: 'j', shown: 'b' })
    const schema = detectSchema(r, 'map', { prompt: 'question', responseA: 'left', responseB: 'right', outcome: 'winner', annotator: 'judge', shownLeft: 'shown' })
    expect(schema.map(r)).toEqual({ kind: 'comparison', prompt: { text: 'q' }, a: { text: 'x' }, b: { text: 'y' }, outcome: 'b', annotator: 'j', shownLeft: 'b' })
  })

  test('reaches nested fields by dotted path', () => {
    const r = row({ meta: { q: 'nested?' }, good: 'g', bad: 'b' })
    expect(detectSchema(r, 'map', { prompt: 'meta.q', chosen: 'good', rejected: 'bad' }).map(r)).toMatchObject({ prompt: { text: 'nested?' } })
  })

  test('a misnamed column is refused with the columns the file has', () => {
    const r = row({ question: 'q', good: 'g', bad: 'b' })
    expect(() => detectSchema(r, 'map', { prompt: 'prompt', chosen: 'good', rejected: 'bad' })).toThrow(
      'f.jsonl, line 3: the mapping puts prompt in column "prompt", which the file does not have (it has "question", "good", "bad"). Nothing was imported.',
    )
    expect(() => detectSchema(r, 'map', { prompt: 'question', chosen: 'good' })).toThrow('a mapping with chosen needs rejected too')
  })

  test('outcome values are read in their usual spellings', () => {
    const r = (v: unknown) => row({ p: 'q', a: 'x', b: 'y', o: v })
    const map = { prompt: 'p', responseA: 'a', responseB: 'b', outcome: 'o' }
    const outcome = (v: unknown) => {
      const x = r(v)
      const item = detectSchema(x, 'map', map).map(x)
      return item.kind === 'comparison' ? item.outcome : null
    }
    expect(['A', 'b', 'tie', 'Both_Bad', 'tie (bothbad)', 0, 1].map(outcome)).toEqual(['a', 'b', 'tie', 'both_bad', 'both_bad', 'a', 'b'])
    expect(() => outcome('left')).toThrow('field "o" must be an outcome (a, b, tie or both_bad), got "left"')
  })

  test('guesses a mapping from common column names', () => {
    expect(suggestMapping(['question', 'response_j', 'response_k'])).toEqual({ prompt: 'question', chosen: 'response_j', rejected: 'response_k' })
    expect(suggestMapping(['instruction', 'response_a', 'response_b', 'winner', 'judge'])).toEqual({
      prompt: 'instruction',
      responseA: 'response_a',
      responseB: 'response_b',
      outcome: 'winner',
      annotator: 'judge',
    })
    expect(suggestMapping(['x', 'y'])).toBeNull()
  })
})

test('unknown columns name what was found and what is recognised', () => {
  expect(() => mapRow({ question: 'q', good: 'g' })).toThrow(
    'f.jsonl, line 3: the row is not in a layout Nashlab recognises (its fields are "question", "good"); Nashlab recognises TRL',
  )
})
