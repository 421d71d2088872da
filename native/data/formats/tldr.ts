import { describeValue } from '../where'
import type { Row } from './row'
import type { Schema } from './schema'

/**
 * OpenAI summarize-from-feedback comparisons: `{info: {post, title, subreddit} | {article},
 * summaries: [{text, policy}, {text, policy}], choice, worker}`. The prompt is the query the
 * paper's models saw ("SUBREDDIT: r/…\n\nTITLE: …\n\nPOST: …\n\nTL;DR:", or "Article:\n\n…\n\nTL;DR:"
 * for news), response a and b are the two summaries, `choice` (0 or 1) names the winner and
 * `worker` the annotator. Each summary's `policy` is kept as its source ("import:<policy>").
 */
export function tldrSchema(row: Row, forced: boolean): Schema | null {
  const core = row.has('summaries') && row.has('choice')
  const looks = core && (row.has('info') || row.has('info.post') || row.has('info.article'))
  if (forced ? !core : !looks) return null
  return {
    format: 'tldr',
    name: 'OpenAI summarize-from-feedback comparisons',
    kind: 'comparison',
    columns: ['info', 'summaries', 'choice', ...(row.has('worker') ? ['worker'] : [])],
    map: (r) => {
      const summaries = summaryList(r)
      const choice = r.integer('choice')
      if (choice !== 0 && choice !== 1) r.fail('choice', `field "choice" must be 0 or 1 (the index of the preferred summary), got ${choice}`)
      const source = (i: number) => (typeof summaries[i].policy === 'string' && summaries[i].policy ? `import:${summaries[i].policy}` : 'import')
      return {
        kind: 'comparison',
        prompt: { text: r.checkText('info', query(r)) },
        a: { text: r.checkText('summaries.0.text', summaries[0].text) },
        b: { text: r.checkText('summaries.1.text', summaries[1].text) },
        outcome: choice === 0 ? 'a' : 'b',
        annotator: r.optionalText('worker'),
        shownLeft: null,
        sourceA: source(0),
        sourceB: source(1),
      }
    },
  }
}

function summaryList(r: Row): { text: string; policy?: unknown }[] {
  let v = r.required('summaries')
  if (typeof v === 'string' && r.options.cellsAreText) {
    try {
      v = JSON.parse(v)
    } catch {
      r.fail('summaries', 'field "summaries" must be a list of two {text, policy} objects, got text that is not JSON')
    }
  }
  if (!Array.isArray(v) || v.length !== 2) {
    r.fail('summaries', `field "summaries" must be a list of two {text, policy} objects, got ${Array.isArray(v) ? `${v.length} items` : describeValue(v)}`)
  }
  return v.map((s, i) => {
    if (typeof s !== 'object' || s === null || typeof (s as { text?: unknown }).text !== 'string') {
      r.fail(`summaries.${i}.text`, `summary ${i + 1} needs a text "text" field`)
    }
    return s as { text: string; policy?: unknown }
  })
}

function query(r: Row): string {
  const part = (name: string) => {
    const v = r.get(`info.${name}`)
    if (v === undefined || v === null) return null
    if (typeof v !== 'string') r.fail(`info.${name}`, `field "info.${name}" must be text, got ${describeValue(v)}`)
    return v
  }
  const post = part('post')
  if (post !== null) {
    const subreddit = part('subreddit')
    const title = part('title')
    return `${subreddit !== null ? `SUBREDDIT: r/${subreddit}\n\n` : ''}${title !== null ? `TITLE: ${title}\n\n` : ''}POST: ${post}\n\nTL;DR:`
  }
  const article = part('article')
  if (article !== null) return `Article:\n\n${article}\n\nTL;DR:`
  r.fail('info.post', 'field "info" must hold a "post" (Reddit) or an "article" (news)')
}
