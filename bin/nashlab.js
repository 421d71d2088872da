#!/usr/bin/env node
// The `nashlab` command of a checkout. Runs the engine's TypeScript sources through tsx, so the CLI
// needs no build. The build has its own compiled entry (out/main/cli.js from native/cli/entry.ts),
// which an installed app runs without tsx; see docs/packaging.md.
import { register } from 'tsx/esm/api'

register()
const { main } = await import('../native/cli/main.ts')
const code = await main(process.argv.slice(2))
// A long-running command (serve) resolves only when it is stopped.
process.exitCode = code
