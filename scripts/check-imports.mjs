#!/usr/bin/env node
/**
 * Import boundaries (the one-way arrows of the architecture):
 * - native/ imports neither electron nor anything under electron/ or renderer/;
 * - renderer/ imports from outside itself only types, and only from native/api/;
 * - electron/ does not import renderer/ code;
 * - native/api/ (read by the renderer's type check) imports no Node built-ins.
 * Exits 1 listing every wrong arrow with file and line.
 */
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const importPattern = /^\s*(import|export)\s+(type\s+)?(?:[^'"]*?\sfrom\s+)?['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/

function* sourceFiles(dir) {
  if (!fs.existsSync(dir)) return
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue
    const full = path.join(dir, entry.name)
    if (entry.isDirectory()) yield* sourceFiles(full)
    else if (/\.(ts|mts|js|mjs|vue)$/.test(entry.name)) yield full
  }
}

/** `import { type A, type B } from '…'`: every named import marked `type`. */
function allNamesAreTypes(line) {
  const braces = /^\s*(?:import|export)\s*\{([^}]*)\}/.exec(line)
  if (!braces) return false
  const names = braces[1].split(',').map((n) => n.trim()).filter(Boolean)
  return names.length > 0 && names.every((n) => n.startsWith('type '))
}

/** Every import of a file: specifier, whether it is type-only, and its line. */
export function importsOf(text) {
  const found = []
  text.split('\n').forEach((line, i) => {
    const m = importPattern.exec(line)
    if (!m) return
    const specifier = m[3] ?? m[4]
    const typeOnly = Boolean(m[2]) || allNamesAreTypes(line)
    found.push({ specifier, typeOnly, line: i + 1 })
  })
  return found
}

export function checkImports(root) {
  const problems = []
  const area = (file) => path.relative(root, file).split(path.sep)[0]
  for (const top of ['native', 'renderer', 'electron']) {
    for (const file of sourceFiles(path.join(root, top))) {
      const rel = path.relative(root, file)
      for (const imp of importsOf(fs.readFileSync(file, 'utf8'))) {
        const where = `${rel}:${imp.line}`
        const relative = imp.specifier.startsWith('.')
        const target = relative ? path.resolve(path.dirname(file), imp.specifier) : null
        const targetArea = target ? area(target) : null
        if (top === 'native') {
          if (imp.specifier === 'electron' || imp.specifier.startsWith('electron/')) problems.push(`${where}: native/ must not import electron`)
          if (targetArea === 'electron' || targetArea === 'renderer') problems.push(`${where}: native/ must not import ${targetArea}/ (${imp.specifier})`)
          if (rel.startsWith(`native${path.sep}api${path.sep}`) && (imp.specifier.startsWith('node:') || ['fs', 'path', 'os', 'crypto'].includes(imp.specifier)))
            problems.push(`${where}: native/api/ is read by the renderer and must not import Node built-ins (${imp.specifier})`)
        } else if (top === 'renderer') {
          if (imp.specifier === 'electron') problems.push(`${where}: renderer/ must not import electron`)
          if (target && targetArea !== 'renderer') {
            const intoApi = path.relative(root, target).startsWith(`native${path.sep}api${path.sep}`)
            if (!intoApi) problems.push(`${where}: renderer/ may import only native/api/ contract types (${imp.specifier})`)
            else if (!imp.typeOnly) problems.push(`${where}: renderer/ imports from native/api/ must be type-only ("import type")`)
          }
        } else if (top === 'electron') {
          if (targetArea === 'renderer') problems.push(`${where}: electron/ must not import renderer/ code (${imp.specifier})`)
        }
      }
    }
  }
  return problems
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
  const problems = checkImports(root)
  if (problems.length > 0) {
    console.error(`Import boundaries broken (${problems.length}):\n  ${problems.join('\n  ')}`)
    process.exit(1)
  }
  console.log('Import boundaries hold: native/ → nothing above it, renderer/ → contract types only, electron/ → native/.')
}
