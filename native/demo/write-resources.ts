/** Writes resources/demo/restaurants.jsonl (run: npx tsx native/demo/write-resources.ts). */
import fs from 'node:fs'
import path from 'node:path'
import { projectRoot } from '../server/paths'
import { restaurantComparisons } from './restaurants'

const file = path.join(projectRoot, 'resources', 'demo', 'restaurants.jsonl')
fs.mkdirSync(path.dirname(file), { recursive: true })
fs.writeFileSync(file, restaurantComparisons(600).map((r) => JSON.stringify({ prompt: r.prompt, chosen: r.chosen, rejected: r.rejected })).join('\n') + '\n')
console.log(`wrote ${file}`)
