/**
 * The command line in the build: electron-vite emits this file as out/main/cli.js, so `nashlab`
 * runs compiled, with no TypeScript sources and no tsx. In a checkout bin/nashlab.js runs the same
 * main() from source. An installed app runs it with its own binary as plain Node
 * (resources/cli/nashlab and nashlab.cmd do this; see docs/packaging.md):
 *   ELECTRON_RUN_AS_NODE=1 <app binary> <resources>/app.asar/out/main/cli.js ARGS…
 */
import { main } from './main'

// A long-running command (serve) resolves only when it is stopped.
process.exitCode = await main(process.argv.slice(2))
