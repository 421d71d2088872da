/**
 * Texts that exercise a tokenizer's corners: contractions, accents, CJK, right-to-left scripts,
 * emoji with modifiers and joiners, whitespace runs, newlines and carriage returns, digits in several
 * scripts, symbols, zero-width and non-breaking spaces, combining marks, special tokens inside text.
 * Shared by the tokenizer tests.
 */
export const variedTexts: readonly string[] = [
  'Hello, world! How are you doing today?',
  "It's the cat's toy; they've gone, we'll see, I'd say, you're right, I'm here. DON'T SHOUT",
  'naïve café — déjà vu, Ångström, straße, ﬁne',
  '日本語のテキストと中文文本，还有한국어도 있어요。',
  'Где мы будем ужинать сегодня? Ελληνικά!',
  'زبان فارسی و العربية والعبرית',
  'emoji: 😀👍🏽 👨‍👩‍👧‍👦 🇫🇷 ❤️ 🫠',
  'tabs\tand\t\ttabs   spaces     runs  ',
  'line one\nline two\r\n\n\nline five\n',
  '   leading spaces and trailing   ',
  'numbers 12345 3.14159 1,000,000 ٣٤٥ ४२',
  'symbols <<>> {[()]} @#$%^&*_+=|\\/~` "quoted" \'single\'',
  'a<|endoftext|>b<|endoftext|><|endoftext|> c',
  '',
  ' ',
  '\n',
  '\n\n  \t\n',
  'zero\u200bwidth\u00a0nbsp\u2028line\u3000ideographic',
  'e\u0301 combining, a\u0308, \u00ad soft hyphen',
  'Where should we go for dinner tonight? Head to the taco stand on 5th: fast, cheap, and the al pastor is excellent.',
  'x'.repeat(300) + ' ' + '='.repeat(80) + '\n' + 'ab'.repeat(150),
]
