import { describe, expect, it } from 'vitest'
import { chatTemplateOf, checkTemplate, encodeCompletion, encodePrompt, plainTemplate, promptTemplateSchema, renderPrompt, type PromptTemplate } from './template'
import { endOfText, trainByteLevelBpe } from './train'

const tokens = { eos: '</s>', bos: '<s>' }

describe('prompt templates', () => {
  it('fills {prompt}, {system}, {bos} and {eos}, keeps doubled braces literal, and appends the separator', () => {
    const template: PromptTemplate = { kind: 'simple', system: 'Answer briefly.', text: '{bos}{system}\n\nQuestion: {prompt} {{json}}{eos}', separator: '\nAnswer:' }
    expect(renderPrompt(template, 'Where to eat?', tokens)).toBe('<s>Answer briefly.\n\nQuestion: Where to eat? {json}</s>\nAnswer:')
    expect(renderPrompt(plainTemplate, 'as is', tokens)).toBe('as is')
  })

  it('refuses unknown placeholders, stray braces, a missing {prompt} and system text with nowhere to go', () => {
    const simple = (text: string, system?: string): PromptTemplate => ({ kind: 'simple', text, system })
    expect(() => checkTemplate(simple('Q: {question}'))).toThrow(/names \{question\}; the placeholders are/)
    expect(() => checkTemplate(simple('Q: {prompt'))).toThrow(/never closes it/)
    expect(() => checkTemplate(simple('Q: prompt}'))).toThrow(/never opened/)
    expect(() => checkTemplate(simple('Q:'))).toThrow(/no \{prompt\} placeholder/)
    expect(() => checkTemplate(simple('{prompt}', 'Be kind.'))).toThrow(/no \{system\} placeholder/)
    expect(() => checkTemplate(simple('{system}{prompt}'))).toThrow(/no system text/)
    expect(() => renderPrompt(simple('{bos}{prompt}'), 'x', { eos: '</s>' })).toThrow(/no beginning-of-sequence token/)
  })

  it('encodes a prompt with special tokens as their ids, and a completion with EOS after it', () => {
    const { tokenizer } = trainByteLevelBpe(['Question: where to eat? Answer: tacos.'], { vocabSize: 300 })
    const template: PromptTemplate = { kind: 'simple', text: '{bos}Question: {prompt}', separator: '\nAnswer:' }
    const ids = encodePrompt(tokenizer, template, 'where to eat?')
    expect(ids[0]).toBe(tokenizer.bosId)
    expect(tokenizer.decode(ids)).toBe(`${endOfText}Question: where to eat?\nAnswer:`)
    const completion = encodeCompletion(tokenizer, ' tacos.', true)
    expect(completion.at(-1)).toBe(tokenizer.eosId)
    expect(tokenizer.decode(completion)).toBe(` tacos.${endOfText}`)
  })

  it("reads an imported model's chat template and renders prompts and conversations with it (ChatML)", () => {
    const jinja = "{% for m in messages %}<|im_start|>{{ m['role'] }}\n{{ m['content'] }}<|im_end|>\n{% endfor %}{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
    expect(chatTemplateOf({ chat_template: jinja })).toEqual({ kind: 'chat', jinja })
    expect(chatTemplateOf({ chat_template: [{ name: 'tool_use', template: 'T' }, { name: 'default', template: jinja }] })).toEqual({ kind: 'chat', jinja, name: 'default' })
    expect(chatTemplateOf({})).toBeUndefined()
    expect(renderPrompt({ kind: 'chat', jinja }, 'Where to eat?', tokens)).toBe('<|im_start|>user\nWhere to eat?<|im_end|>\n<|im_start|>assistant\n')
    expect(renderPrompt({ kind: 'chat', jinja, system: 'Be brief.' }, 'hi', tokens)).toBe('<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n')
    const conversation = [
      { role: 'system', content: 'Be kind.' },
      { role: 'user', content: 'Hello?' },
      { role: 'assistant', content: 'Hi!' },
      { role: 'user', content: 'Dinner?' },
    ]
    expect(renderPrompt({ kind: 'chat', jinja, system: 'ignored: the row has its own' }, conversation, tokens)).toBe(
      '<|im_start|>system\nBe kind.<|im_end|>\n<|im_start|>user\nHello?<|im_end|>\n<|im_start|>assistant\nHi!<|im_end|>\n<|im_start|>user\nDinner?<|im_end|>\n<|im_start|>assistant\n',
    )
    // Templates that write the BOS themselves (Llama style) get the tokens' text; a simple template reads a conversation as turns.
    expect(renderPrompt({ kind: 'chat', jinja: '{{ bos_token }}{% for m in messages %}[{{ m.role }}] {{ m.content }} {% endfor %}{{ eos_token }}' }, 'x', tokens)).toBe('<s>[user] x </s>')
    expect(renderPrompt(plainTemplate, conversation.slice(1, 2), tokens)).toBe('Hello?')
    expect(renderPrompt(plainTemplate, conversation.slice(0, 2), tokens)).toBe('System: Be kind.\n\nUser: Hello?')
    expect(() => renderPrompt({ kind: 'chat', jinja: '{% for m in messages %}' }, 'hi', tokens)).toThrow(/chat template is not valid Jinja|failed on this prompt/)
  })

  it('encodes a chat-templated prompt without adding special tokens (the template writes them)', () => {
    const { tokenizer } = trainByteLevelBpe(['user: where to eat? assistant: tacos.'], { vocabSize: 300 })
    const jinja = "{{ bos_token }}{% for m in messages %}{{ m['role'] }}: {{ m['content'] }}\n{% endfor %}assistant:"
    const ids = encodePrompt(tokenizer, { kind: 'chat', jinja }, 'where to eat?')
    expect(ids.filter((id) => id === tokenizer.bosId)).toHaveLength(1)
    expect(tokenizer.decode(ids)).toBe(`${endOfText}user: where to eat?\nassistant:`)
  })

  it('validates stored templates with its schema', () => {
    expect(promptTemplateSchema.parse({ kind: 'simple', text: '{prompt}' })).toEqual({ kind: 'simple', text: '{prompt}' })
    expect(promptTemplateSchema.safeParse({ kind: 'jinja', text: '' }).success).toBe(false)
  })
})
