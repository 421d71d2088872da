import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { saveTokenizer } from './files'
import { trainByteLevelBpe } from './train'
import { variedTexts } from './varied-texts'

/**
 * Cross-check against Hugging Face's Rust library and transformers, where Debian's python3 has
 * them (`tokenizers`, `transformers`); each check skips when its module is missing.
 */
const python = '/usr/bin/python3'
const has = (module: string) => fs.existsSync(python) && spawnSync(python, ['-c', `import ${module}`]).status === 0
const hasTokenizers = has('tokenizers')
const hasTransformers = has('transformers')

const script = `
import json, sys
request = json.load(sys.stdin)
out = {}
if request['module'] == 'tokenizers':
    from tokenizers import Tokenizer
    t = Tokenizer.from_file(request['directory'] + '/tokenizer.json')
    out['ids'] = [t.encode(x).ids for x in request['texts']]
    out['texts'] = [t.decode(ids, skip_special_tokens=False) for ids in out['ids']]
else:
    from transformers import AutoTokenizer
    t = AutoTokenizer.from_pretrained(request['directory'])
    out['ids'] = [t(x)['input_ids'] for x in request['texts']]
    out['texts'] = [t.decode(ids) for ids in out['ids']]
    out['eos'] = t.eos_token_id
print(json.dumps(out))
`

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'nashlab-tokenizer-py-'))
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }))

function runPython(module: string, directory: string, texts: readonly string[]) {
  const result = spawnSync(python, ['-c', script], { input: JSON.stringify({ module, directory, texts }), encoding: 'utf8' })
  if (result.status !== 0) throw new Error(result.stderr)
  return JSON.parse(result.stdout) as { ids: number[][]; texts: string[]; eos?: number }
}

/** A tokenizer trained on the varied texts and saved to the scratch folder. */
function savedTokenizer() {
  const { tokenizer } = trainByteLevelBpe(variedTexts, { vocabSize: 400, minFrequency: 1 })
  saveTokenizer(scratch, tokenizer)
  return tokenizer
}

describe('Python cross-check of a Nashlab-trained tokenizer', () => {
  const texts = variedTexts.filter((t) => !/[\u0085\ufeff]/.test(t)) // the two characters whose \s differs

  it.skipIf(!hasTokenizers)('the Rust tokenizers library gives the same ids and texts', () => {
    const tokenizer = savedTokenizer()
    const out = runPython('tokenizers', scratch, texts)
    expect(out.ids).toEqual(texts.map((t) => tokenizer.encode(t)))
    expect(out.texts).toEqual(texts)
  })

  it.skipIf(!hasTransformers)("transformers' AutoTokenizer loads the folder and gives the same ids and EOS", () => {
    const tokenizer = savedTokenizer()
    const out = runPython('transformers', scratch, texts)
    expect(out.ids).toEqual(texts.map((t) => tokenizer.encode(t)))
    expect(out.eos).toBe(tokenizer.eosId)
  })
})
