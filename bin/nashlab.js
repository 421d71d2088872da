#!/usr/bin/env node
// The `nashlab` command. Runs the engine's TypeScript sources through tsx, so the CLI needs no build.
import { register } from 'tsx/esm/api'

register()
const { main } = await import('../native/cli/main.ts')
const code = await main(process.argv.slice(2))
// A long-running command (serve) resolves only when it is stopped.
process.exitCode = code
