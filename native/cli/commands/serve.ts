import fs from 'node:fs'
import path from 'node:path'
import { numberFlag, stringFlag } from '../args'
import type { CliCommand } from '../command'
import { rendererDist } from '../../server/paths'
import { startServer } from '../../server/server'
import { seedDemo } from '../../demo/seed'

export const serveCommands: CliCommand[] = [
  {
    words: ['serve'],
    usage: 'nashlab serve [--port P] [--static DIR] [--demo]',
    summary: 'Serve the workbench on 127.0.0.1 (browser mode); prints the URL with its token',
    run: async (args, ctx) => {
      const staticDir = path.resolve(stringFlag(args, 'static') ?? rendererDist)
      if (!fs.existsSync(path.join(staticDir, 'index.html'))) {
        console.error(`nashlab: the workbench UI is not built in ${staticDir}; run "npm run build" (the API still works).`)
      }
      const engine = ctx.engine()
      // --demo: import the embedded demo project at the first start on this data folder, and run the quick demo in the background.
      if (args.flags.demo) await seedDemo(engine, { run: true })
      const server = await startServer({ engine, port: numberFlag(args, 'port') ?? 0, staticDir })
      if (ctx.json) ctx.print(JSON.stringify({ url: server.url, port: server.port, database: engine.options.database }))
      else ctx.print(`Nashlab workbench: ${server.url}\n(database ${engine.options.database}; Ctrl+C stops)`)
      await new Promise<void>((resolve) => {
        ctx.signal.addEventListener('abort', () => resolve(), { once: true })
        process.once('SIGTERM', () => resolve())
      })
      await server.close()
      return undefined
    },
  },
]
