import type { Engine } from '../engine/engine'
import type { JobProgress } from '../api/contract'

/** Parsed command line: positionals after the command words, and `--flag value` / `--flag` pairs. */
export interface ParsedArgs {
  positionals: string[]
  flags: Record<string, string | true>
}

export interface CliContext {
  /** The engine on `--db` (opened on first use; commands that need no database never open it). */
  engine(): Engine
  json: boolean
  /** Write one line to stdout. */
  print(line: string): void
  /** Progress of long work: a bar with ETA on stderr, or nothing under --json. */
  progress(p: JobProgress): void
  signal: AbortSignal
}

/**
 * One `nashlab` subcommand. `run` returns the result object: printed as JSON with `--json`, or
 * through `format` (or as indented JSON) otherwise. Failures are thrown as NashlabError.
 */
export interface CliCommand {
  /** Command words, e.g. ['datasets', 'list']. */
  words: string[]
  usage: string
  summary: string
  run(args: ParsedArgs, ctx: CliContext): Promise<unknown> | unknown
  format?(result: never): string
}
