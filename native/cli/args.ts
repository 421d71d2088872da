import { NashlabError } from '../api/errors'
import type { ParsedArgs } from './command'

/** `--name value`, `--name=value` and bare `--name` (true); `--` ends flags. */
export function parseArgs(argv: string[]): ParsedArgs {
  const positionals: string[] = []
  const flags: Record<string, string | true> = {}
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1))
      break
    }
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=')
      if (eq !== -1) {
        flags[arg.slice(2, eq)] = arg.slice(eq + 1)
      } else {
        const next = argv[i + 1]
        if (next !== undefined && !next.startsWith('--')) {
          flags[arg.slice(2)] = next
          i++
        } else {
          flags[arg.slice(2)] = true
        }
      }
    } else {
      positionals.push(arg)
    }
  }
  return { positionals, flags }
}

/** A flag's string value, or the default; a bare flag where a value is needed is an error. */
export function stringFlag(args: ParsedArgs, name: string): string | undefined {
  const v = args.flags[name]
  if (v === true) throw new NashlabError('invalid_input', `--${name} needs a value.`, { flag: name })
  return v
}

export function requiredFlag(args: ParsedArgs, name: string): string {
  const v = stringFlag(args, name)
  if (v === undefined) throw new NashlabError('invalid_input', `--${name} is required.`, { flag: name })
  return v
}

export function numberFlag(args: ParsedArgs, name: string): number | undefined {
  const v = stringFlag(args, name)
  if (v === undefined) return undefined
  const n = Number(v)
  if (!Number.isFinite(n)) throw new NashlabError('invalid_input', `--${name} must be a number, got "${v}".`, { flag: name })
  return n
}

export function requiredPositional(args: ParsedArgs, index: number, what: string): string {
  const v = args.positionals[index]
  if (v === undefined) throw new NashlabError('invalid_input', `Missing ${what}.`, { argument: what })
  return v
}
