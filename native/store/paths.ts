import os from 'node:os'
import path from 'node:path'

/**
 * The per-user data folder: `$NASHLAB_HOME`, else the platform's convention
 * (Linux `$XDG_DATA_HOME/nashlab` or `~/.local/share/nashlab`, macOS
 * `~/Library/Application Support/Nashlab`, Windows `%APPDATA%\Nashlab`).
 */
export function dataFolder(env: NodeJS.ProcessEnv = process.env): string {
  if (env.NASHLAB_HOME) return path.resolve(env.NASHLAB_HOME)
  const home = os.homedir()
  switch (process.platform) {
    case 'darwin':
      return path.join(home, 'Library', 'Application Support', 'Nashlab')
    case 'win32':
      return path.join(env.APPDATA ?? path.join(home, 'AppData', 'Roaming'), 'Nashlab')
    default:
      return path.join(env.XDG_DATA_HOME ?? path.join(home, '.local', 'share'), 'nashlab')
  }
}

/** The database file: `--db`, else `$NASHLAB_DB`, else `nashlab.db` in the data folder. */
export function defaultDatabase(flag?: string, env: NodeJS.ProcessEnv = process.env): string {
  if (flag) return path.resolve(flag)
  if (env.NASHLAB_DB) return path.resolve(env.NASHLAB_DB)
  return path.join(dataFolder(env), 'nashlab.db')
}
