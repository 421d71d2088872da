import { NashlabError, toErrorShape } from '../api/errors'
import { Engine } from '../engine/engine'
import { defaultDatabase } from '../store/paths'
import { parseArgs, stringFlag } from './args'
import type { CliCommand, CliContext } from './command'
import { commands } from './commands/index'
import { progressPrinter } from './progress'

function findCommand(argv: string[]): { command: CliCommand; rest: string[] } | undefined {
  let best: CliCommand | undefined
  for (const c of commands) {
    if (c.words.every((w, i) => argv[i] === w) && (!best || c.words.length > best.words.length)) best = c
  }
  return best && { command: best, rest: argv.slice(best.words.length) }
}

function help(prefix?: string): string {
  const shown = commands.filter((c) => !prefix || c.words[0] === prefix)
  return [
    'Nashlab — Nash learning from human feedback on your own workstation.',
    '',
    'Usage:',
    ...shown.map((c) => `  ${c.usage}\n      ${c.summary}`),
    '',
    'Every command takes --db PATH (default: $NASHLAB_DB or the per-user data folder) and --json.',
  ].join('\n')
}

/** Run the CLI; returns the exit code. Errors print one line (or a JSON error object) on stderr. */
export async function main(argv: string[]): Promise<number> {
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === 'help' || argv[0] === '-h') {
    console.log(help(argv[1]))
    return 0
  }
  const found = findCommand(argv)
  const json = argv.includes('--json')
  if (!found) {
    const known = commands.some((c) => c.words[0] === argv[0])
    const message = known ? help(argv[0]) : `nashlab: unknown command "${argv.join(' ')}". Run "nashlab --help".`
    if (known) console.log(message)
    else if (json) console.error(JSON.stringify({ error: { code: 'unknown_method', message } }))
    else console.error(message)
    return known ? 0 : 2
  }
  const args = parseArgs(found.rest)
  delete args.flags.json
  const dbFlag = stringFlag(args, 'db')
  delete args.flags.db
  if (args.flags.help) {
    console.log(`${found.command.usage}\n  ${found.command.summary}`)
    return 0
  }
  let engine: Engine | undefined
  const controller = new AbortController()
  const onSigint = () => controller.abort()
  process.once('SIGINT', onSigint)
  const ctx: CliContext = {
    engine: () => (engine ??= new Engine({ database: defaultDatabase(dbFlag), mode: 'cli' })),
    json,
    print: (line) => process.stdout.write(`${line}\n`),
    progress: json ? () => {} : progressPrinter(),
    signal: controller.signal,
  }
  try {
    const result = await found.command.run(args, ctx)
    if (result !== undefined) {
      if (json) ctx.print(JSON.stringify(result))
      else ctx.print(found.command.format ? found.command.format(result as never) : JSON.stringify(result, null, 2))
    }
    return 0
  } catch (error) {
    const shape = toErrorShape(error)
    if (json) console.error(JSON.stringify({ error: shape }))
    else console.error(`nashlab: ${shape.message}`)
    if (!(error instanceof NashlabError) && process.env.NASHLAB_DEBUG) console.error(error)
    return shape.code === 'invalid_input' ? 2 : 1
  } finally {
    process.off('SIGINT', onSigint)
    await engine?.close()
  }
}
