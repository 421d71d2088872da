import readline from 'node:readline'
import type { VoteChoice, VotePair } from '../../api/contract'
import { requiredFlag, stringFlag } from '../args'
import type { CliCommand, CliContext } from '../command'

const keys: Record<string, VoteChoice | 'skip' | 'undo' | 'quit'> = {
  '1': 'left',
  '2': 'right',
  '3': 'tie',
  '4': 'both_bad',
  s: 'skip',
  u: 'undo',
  q: 'quit',
}

/** Answers typed by the user: single keys on a terminal, one per line from a pipe. */
async function* answers(): AsyncGenerator<string> {
  if (process.stdin.isTTY) {
    readline.emitKeypressEvents(process.stdin)
    process.stdin.setRawMode(true)
    try {
      for (;;) {
        const key = await new Promise<string>((resolve) =>
          process.stdin.once('keypress', (text: string | undefined, info: { name?: string; ctrl?: boolean }) =>
            resolve(info.ctrl && info.name === 'c' ? 'q' : info.name === 'left' ? '1' : info.name === 'right' ? '2' : (text ?? '').toLowerCase()),
          ),
        )
        yield key
      }
    } finally {
      process.stdin.setRawMode(false)
      process.stdin.pause()
    }
  } else {
    for await (const line of readline.createInterface({ input: process.stdin })) yield line.trim().toLowerCase()
  }
}

function show(pair: VotePair, ctx: CliContext) {
  if (ctx.json) {
    ctx.print(JSON.stringify({ pair: pair.pair, position: pair.position, total: pair.total, prompt: pair.prompt, left: pair.left, right: pair.right }))
    return
  }
  const rule = '─'.repeat(72)
  ctx.print(`\n${rule}\nPair ${pair.position}${pair.total ? ` of ${pair.total}` : ''}\nPROMPT: ${pair.prompt}\n\n[1] LEFT:  ${pair.left}\n\n[2] RIGHT: ${pair.right}\n${rule}`)
  ctx.print('1/← left · 2/→ right · 3 tie · 4 both bad · s skip · u undo · q quit')
}

export const voteCommands: CliCommand[] = [
  {
    words: ['vote'],
    usage: 'nashlab vote --source DATASET [--into DATASET] [--annotator NAME] [--order queue|random] [--json]',
    summary: 'Blind-vote on response pairs in the terminal; each vote is stored as a human comparison',
    run: async (args, ctx) => {
      const engine = ctx.engine()
      const order = (stringFlag(args, 'order') ?? 'queue') as 'queue' | 'random'
      const session = await engine.call('votes.start', {
        source: requiredFlag(args, 'source'),
        into: stringFlag(args, 'into'),
        annotator: stringFlag(args, 'annotator') ?? process.env.USER ?? 'me',
        order,
        seed: Math.floor(Math.random() * 2 ** 31),
      })
      let pair = await engine.call('votes.next', { session: session.session })
      let votes = 0
      const input = answers()
      while (pair) {
        show(pair, ctx)
        const { value, done } = await input.next()
        if (done) break
        const action = keys[value]
        if (!action) {
          if (!ctx.json) ctx.print(`"${value}" is not a vote key.`)
          continue
        }
        if (action === 'quit') break
        if (action === 'undo') {
          const undone = await engine.call('votes.undo', { session: session.session })
          votes = undone.votes
          if (ctx.json) ctx.print(JSON.stringify({ undone: undone.undone, votes }))
          else ctx.print(undone.undone === null ? 'Nothing to undo.' : `Undone. ${votes} votes.`)
          continue
        }
        if (action === 'skip') await engine.call('votes.skip', { session: session.session, pair: pair.pair })
        else {
          const cast = await engine.call('votes.cast', { session: session.session, pair: pair.pair, choice: action })
          votes = cast.votes
          if (ctx.json) ctx.print(JSON.stringify({ prompt: pair.prompt, choice: action, comparison: cast.comparison, votes }))
        }
        pair = await engine.call('votes.next', { session: session.session })
      }
      await input.return(undefined)
      return { session: session.session, into: session.into, annotator: session.annotator, votes }
    },
    format: (r: { into: string; votes: number }) => `${r.votes} votes stored in ${r.into}.`,
  },
]
