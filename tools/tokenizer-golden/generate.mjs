// Generates golden token ids for Ibex's tokenizer tests with two reference implementations we did not write, run
// offline on local tokenizer folders: transformers.js (@huggingface/transformers, pure JavaScript) and the Node
// binding of Hugging Face's Rust `tokenizers` crate (npm `tokenizers`, the same Rust code Python transformers runs).
//
//   cd tools/tokenizer-golden && ONNXRUNTIME_NODE_INSTALL=skip npm install
//   node generate.mjs [tokenizers-dir] [output-dir]
//
// tokenizers-dir holds one folder per tokenizer (tokenizer.json + tokenizer_config.json); default
// /work/shared/tokenizers. output-dir defaults to api/src/test/resources/tokenizers. Writes
// <output-dir>/<name>/golden.jsonl: one JSON object per case, in case order:
//   {"case": name, "text": ..., "ids": encode with special tokens, "ids_no_special": encode without,
//    "decode": decode(ids), "decode_skip_special": decode(ids, skip_special_tokens),
//    "decode_no_special": decode(ids_no_special)}
// Decoding passes clean_up_tokenization_spaces as tokenizer_config.json says, defaulting to false as Python
// transformers does (transformers.js alone would default it to true).
// Where the Rust crate disagrees with transformers.js (JavaScript's \s differs from Oniguruma's on U+0085 and U+FEFF),
// the line also has "rust": {the same six fields from the Rust crate}, and tests hold Ibex to the Rust values; the
// script prints how many lines that affects.
import { AutoTokenizer, env } from '@huggingface/transformers';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const { Tokenizer: RustTokenizer } = createRequire(import.meta.url)('tokenizers');
import zlib from 'node:zlib';
const here = path.dirname(fileURLToPath(import.meta.url));
const tokenizersDir = path.resolve(process.argv[2] ?? '/work/shared/tokenizers');
const outputDir = path.resolve(process.argv[3] ?? path.join(here, '../../api/src/test/resources/tokenizers'));
const names = ['llama', 'mistral', 'gpt2'];

env.allowRemoteModels = false;
env.allowLocalModels = true;
env.localModelPath = tokenizersDir + path.sep;

// Cases every tokenizer must get right. Names say what each pins.
const cases = [
  ['spec-reference', 'Hello world, how are you?'],
  ['empty', ''],
  ['single-space', ' '],
  ['two-spaces', '  '],
  ['many-spaces', '          '],
  ['single-tab', '\t'],
  ['tabs', '\t\t\t'],
  ['mixed-whitespace', ' \t \t  \n \t'],
  ['leading-space', ' Hello'],
  ['leading-spaces', '   Hello'],
  ['trailing-space', 'Hello '],
  ['trailing-spaces', 'Hello   '],
  ['both-ends-spaces', '  Hello world  '],
  ['inner-space-runs', 'a  b   c    d'],
  ['space-before-newline', 'end of line \nnext'],
  ['newline', '\n'],
  ['newlines', '\n\n\n'],
  ['crlf', 'line one\r\nline two\r\n'],
  ['cr-only', 'a\rb\r'],
  ['text-newlines', 'First line.\nSecond line.\n\nFourth line after a blank one.'],
  ['indented-lines', 'def f():\n    return 1\n\n\tpass'],
  ['digits', '0123456789'],
  ['long-number', '3141592653589793238462643383279502884197169399375105820974944592307816406286'],
  ['numbers-in-text', 'In 2023, 1,234,567 people paid $19.99 each (i.e. 24,691,999.33 total).'],
  ['decimal-and-negative', '-0.5 +1e-10 3.14159 1/2 50% #1'],
  ['phone-date-time', 'Call +1 (555) 012-3456 on 2024-02-29 at 23:59:59.'],
  ['python-code', 'def fib(n: int) -> int:\n    """Return the n-th Fibonacci number."""\n    a, b = 0, 1\n    for _ in range(n):\n        a, b = b, a + b\n    return a\n\nprint(fib(10))  # 55\n'],
  ['java-code', 'public final class Main {\n    public static void main(String[] args) {\n        System.out.println("Hello, " + args[0] + "!");\n    }\n}\n'],
  ['json', '{"name": "Ibex", "version": 1.0, "tags": ["llm", "java"], "nested": {"ok": true, "n": null}}'],
  ['json-pretty', '{\n  "a": [1, 2, 3],\n  "b": {"c": "d"}\n}'],
  ['shell', 'for f in *.txt; do echo "$f" | tr a-z A-Z >> out.log 2>&1; done'],
  ['html', '<div class="note"><p>Hi &amp; bye</p><br/></div>'],
  ['regex-like', '^\\s*(?:[A-Za-z_][A-Za-z0-9_]*)\\s*=\\s*\\d+$'],
  ['emoji', 'I love pizza 🍕 and tacos 🌮!'],
  ['emoji-only', '😀😃😄😁'],
  ['emoji-zwj-family', 'family: 👨‍👩‍👧‍👦'],
  ['emoji-zwj-professions', '👩‍💻 🧑‍🚀 🏳️‍🌈'],
  ['emoji-skin-tones', '👍🏻 👍🏼 👍🏽 👍🏾 👍🏿'],
  ['emoji-flags', '🇫🇷🇯🇵🇺🇸'],
  ['emoji-keycap', '1️⃣ #️⃣'],
  ['cjk-chinese', '我爱自然语言处理。'],
  ['cjk-japanese', '東京は日本の首都です。ひらがなとカタカナ。'],
  ['cjk-korean', '안녕하세요, 세계!'],
  ['cjk-mixed-latin', 'Java是一种编程语言 (Java is a language).'],
  ['arabic', 'مرحبا بالعالم! كيف حالك؟'],
  ['hebrew', 'שלום עולם'],
  ['hindi', 'नमस्ते दुनिया, आप कैसे हैं?'],
  ['thai', 'สวัสดีชาวโลก'],
  ['russian', 'Привет, мир! Как дела?'],
  ['greek', 'Γειά σου Κόσμε, ΣΊΣΥΦΟΣ'],
  ['accents-composed', 'café naïve résumé Ångström Øresund façade'],
  ['accents-decomposed', 'cafe\u0301 nai\u0308ve re\u0301sume\u0301'],
  ['combining-only', '\u0301\u0308\u0327'],
  ['vietnamese', 'Tiếng Việt có dấu'],
  ['byte-fallback-rare-cjk', '𠀀𠀁𪚥'],
  ['byte-fallback-symbols', '⍼ ⎈ ⏣ ␣ ⸘'],
  ['byte-fallback-math', '𝔘𝔫𝔦𝔠𝔬𝔡𝔢 𝕏 𝟘𝟙'],
  ['byte-fallback-private-use', '\uE000\uF8FF'],
  ['control-chars', 'a\u0000b\u0001c\u001Fd\u007F'],
  ['nbsp-and-thin-spaces', 'a\u00A0b\u2009c\u3000d'],
  ['zero-width', 'zero\u200Bwidth\u200Cjoin\u200Dend'],
  ['special-bos-literal', '<s>'],
  ['special-eos-literal', '</s>'],
  ['special-unk-literal', '<unk>'],
  ['special-endoftext-literal', '<|endoftext|>'],
  ['specials-in-text', 'Hello <s> world </s> and <unk> here'],
  ['specials-adjacent', '<s></s><s>'],
  ['special-start-of-text', '<s>Hello'],
  ['special-end-of-text', 'Goodbye</s>'],
  ['endoftext-in-text', 'The end.<|endoftext|>The beginning.'],
  ['endoftext-spaces', ' <|endoftext|> '],
  ['special-lookalikes', '<s > < s> <S> <|endoftext| <|endoftext> <<s>>'],
  ['contractions', "I'm sure you're right, they've said it's fine and we'll see, I'd think."],
  ['contractions-upper', "I'M SURE YOU'RE RIGHT, THEY'VE SAID IT'S FINE AND WE'LL SEE, I'D THINK."],
  ['contractions-mixed-case', "Don't DON'T don'T I'M i'm It'S"],
  ['dont', "don't"],
  ['apostrophe-variants', 'rock ’n’ roll, it’s ‘quoted’ “double”'],
  ['url', 'https://www.example.com/path/to/page?query=1&lang=en#section'],
  ['urls-in-text', 'See http://a.b/c and https://github.com/huggingface/transformers.js/issues/1 now.'],
  ['email', 'contact: someone.name+tag@example.co.uk'],
  ['repeated-punctuation', 'What?!?!?! No way...... Really??? Yes!!!!!!!!'],
  ['dashes', 'a-b--c---d — e – f'],
  ['ascii-art', '=====\n|---|\n*****\n#####'],
  ['long-word', 'Pneumonoultramicroscopicsilicovolcanoconiosis'],
  ['very-long-word', 'supercalifragilisticexpialidocious'.repeat(12)],
  ['long-nonsense', 'xqzvjkwpfhgb'.repeat(20)],
  ['long-repeated-char', 'a'.repeat(300)],
  ['long-space-run', 'x' + ' '.repeat(100) + 'y'],
  ['mixed-case', 'HeLLo WoRLD iPhone eBay McDonald'],
  ['all-caps', 'THE QUICK BROWN FOX JUMPS OVER THE LAZY DOG'],
  ['pangram', 'The quick brown fox jumps over the lazy dog.'],
  ['prose', 'It was the best of times, it was the worst of times, it was the age of wisdom, it was the age of foolishness.'],
  ['underscore-names', '__init__ snake_case_name CONSTANT_VALUE _private'],
  ['camel-case', 'getHTTPResponseCode parseJSONString XMLHttpRequest'],
  ['brackets', '([{<>}]) (a) [b] {c}'],
  ['quotes', '"double" \'single\' `backtick`'],
  ['math', 'E = mc² ∑ ∫ √2 ≈ 1.414 ≤ π ≠ ∞ α+β=γ'],
  ['currency', '€100 £50 ¥1000 ₹75 $5 ₿0.001'],
  ['superscripts-fractions', 'x² y³ ½ ¼ ¾ ⅓ №5 ™ ©'],
  ['fullwidth', 'ＡＢＣ１２３！'],
  ['ligatures', 'ﬁnance ﬂower ﬀ'],
  ['markdown', '# Title\n\n- item **bold** _it_\n- `code`\n\n```py\nx = 1\n```'],
  ['chat-like', 'User: Hi!\nAssistant: Hello! How can I help you today?\nUser: Tell me a joke.'],
  ['sentence-end-space', 'One. Two. Three.'],
  ['space-punctuation', 'a , b . c ? d ! e \' f'],
  ['single-letter', 'a'],
  ['single-digit', '7'],
  ['single-punct', '?'],
  ['single-emoji', '🦙'],
  ['bom-free-unicode-mix', 'Ünïcödé ✓ ✗ → ← ↑ ↓ ♥ ♦ ♣ ♠'],
  ['mixed-scripts', 'English Русский 中文 العربية हिन्दी 日本語 한국어'],
  ['tab-separated', 'col1\tcol2\tcol3\n1\t2\t3'],
  ['csv', 'id,name,score\n1,"Smith, J.",9.5\n2,O\'Brien,7'],
  ['spaces-around-newlines', '  \n  \n  '],
  ['newline-then-space-word', '\n Hello'],
  ['word-then-spaces-newline', 'word   \n'],
  ['unicode-whitespace-run', '\u2003\u2003word\u2003'],
  ['next-line-control', 'a \u0085b\u0085 c'],
  ['zero-width-no-break-space', 'a \uFEFFb \uFEFF'],
];

// A seeded generator so that re-running gives the same random cases.
function mulberry32(seed) {
  return function () {
    seed |= 0; seed = (seed + 0x6D2B79F5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const alphabet = [...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789',
  ' ', ' ', ' ', ' ', '  ', '\t', '\n', '\r\n', "'", "'s", "'t", "'ll", '.', ',', '!', '?', '-', '_', '(', ')', '"', '#', '@',
  'é', 'ß', 'ø', 'ñ', 'ü', 'ç', 'e\u0301', 'ж', 'λ', 'ש', 'ع', 'ह', 'न', 'ก', '中', '文', '字', 'あ', 'カ', '한',
  '😀', '👍🏽', '👩‍💻', '🍕', '𠀀', '⍼', '𝔘', '€', '½', '\u00A0', '\u3000', '<s>', '</s>', '<unk>', '<|endoftext|>'];
const random = mulberry32(20261123);
for (let i = 0; i < 40; i++) {
  const length = 1 + Math.floor(random() * 40);
  let text = '';
  for (let j = 0; j < length; j++) {
    text += alphabet[Math.floor(random() * alphabet.length)];
  }
  cases.push([`random-${String(i).padStart(2, '0')}`, text]);
}

function decode(tokenizer, ids, skip, cleanUp) {
  // transformers.js refuses to decode an empty list; the Python libraries return "".
  if (ids.length === 0) {
    return '';
  }
  return tokenizer.decode(ids, { skip_special_tokens: skip, clean_up_tokenization_spaces: cleanUp });
}

async function rustDecode(tokenizer, ids, skip) {
  return ids.length === 0 ? '' : tokenizer.decode(ids, skip);
}

for (const name of names) {
  const tokenizer = await AutoTokenizer.from_pretrained(name);
  const rust = RustTokenizer.fromFile(path.join(tokenizersDir, name, 'tokenizer.json'));
  const config = JSON.parse(fs.readFileSync(path.join(tokenizersDir, name, 'tokenizer_config.json'), 'utf8'));
  const cleanUp = config.clean_up_tokenization_spaces ?? false;
  const lines = [];
  const seen = new Set();
  let differing = 0;
  for (const [caseName, text] of cases) {
    if (seen.has(caseName)) {
      throw new Error(`duplicate case name ${caseName}`);
    }
    seen.add(caseName);
    const ids = tokenizer.encode(text, { add_special_tokens: true });
    const idsNoSpecial = tokenizer.encode(text, { add_special_tokens: false });
    const line = {
      case: caseName,
      text,
      ids,
      ids_no_special: idsNoSpecial,
      decode: decode(tokenizer, ids, false, cleanUp),
      decode_skip_special: decode(tokenizer, ids, true, cleanUp),
      decode_no_special: decode(tokenizer, idsNoSpecial, false, cleanUp),
    };
    // The Rust crate has no clean-up step, so its decodes compare only where clean-up is off (all three here).
    const rIds = Array.from((await rust.encode(text, null, { addSpecialTokens: true })).getIds());
    const rIdsNoSpecial = Array.from((await rust.encode(text, null, { addSpecialTokens: false })).getIds());
    const fromRust = {
      ids: rIds,
      ids_no_special: rIdsNoSpecial,
      decode: await rustDecode(rust, rIds, false),
      decode_skip_special: await rustDecode(rust, rIds, true),
      decode_no_special: await rustDecode(rust, rIdsNoSpecial, false),
    };
    if (Object.keys(fromRust).some((k) => JSON.stringify(fromRust[k]) !== JSON.stringify(line[k]))) {
      line.rust = fromRust;
      differing++;
    }
    lines.push(JSON.stringify(line));
  }
  const out = path.join(outputDir, name, 'golden.jsonl');
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, lines.join('\n') + '\n');
  const reference = tokenizer.encode('Hello world, how are you?', { add_special_tokens: true });
  console.log(`${name}: ${lines.length} cases -> ${path.relative(process.cwd(), out)}; ${differing} where the Rust `
    + `crate differs from transformers.js; "Hello world, how are you?" = ${JSON.stringify(reference)}`);
}

// Variants: the real vocabularies with the other components real files use (non-legacy Metaspace, LLaMA-3's split,
// Falcon's pre-tokenizers, normalizers, split behaviours, added-token flags), encoded by the Rust crate alone, since
// transformers.js simplifies several of these. Each line is {"variant", "base", "patch", "cases": [...]}; the patch
// replaces top-level fields of the base tokenizer.json ("model.x" replaces a model field). Written gzipped.
const LLAMA3 = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
const metaspace = (scheme, split) => ({ type: 'Metaspace', replacement: '\u2581', prepend_scheme: scheme, split });
const added = (id, content, flags) => ({ id, content, single_word: false, lstrip: false, rstrip: false,
  normalized: false, special: true, ...flags });
const byteLevel = (addPrefixSpace, useRegex) => ({ type: 'ByteLevel', add_prefix_space: addPrefixSpace, trim_offsets: true,
  use_regex: useRegex });
const sequence = (...pretokenizers) => ({ type: 'Sequence', pretokenizers });
const variants = [
  ['llama-metaspace-first', 'llama', { normalizer: null, pre_tokenizer: metaspace('first', false), decoder: {
    type: 'Sequence', decoders: [metaspace('first', false), { type: 'ByteFallback' }, { type: 'Fuse' }] } }],
  ['llama-metaspace-always-split', 'llama', { normalizer: null, pre_tokenizer: metaspace('always', true),
    decoder: metaspace('always', true) }],
  ['llama-metaspace-never', 'llama', { normalizer: null, pre_tokenizer: metaspace('never', false),
    decoder: metaspace('never', false) }],
  ['llama-added-token-flags', 'llama', { added_tokens: [
    added(0, '<unk>', {}), added(1, '<s>', {}), added(2, '</s>', {}), added(32000, '<|im_start|>', { lstrip: true }),
    added(32001, '<|im_end|>', { rstrip: true }), added(32002, '[WORD]', { single_word: true, special: false }),
    added(32003, 'hello', { normalized: true, special: false })] }],
  ['gpt2-llama3-split', 'gpt2', { pre_tokenizer: sequence({ type: 'Split', pattern: { Regex: LLAMA3 },
    behavior: 'Isolated', invert: false }, byteLevel(false, false)), post_processor: { type: 'Sequence', processors: [
    { type: 'ByteLevel', add_prefix_space: true, trim_offsets: false, use_regex: true }, { type: 'TemplateProcessing',
      single: [{ SpecialToken: { id: '<|endoftext|>', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }], pair: [],
      special_tokens: { '<|endoftext|>': { id: '<|endoftext|>', ids: [50256], tokens: ['<|endoftext|>'] } } }] },
    'model.ignore_merges': true }],
  ['gpt2-falcon-split', 'gpt2', { pre_tokenizer: sequence({ type: 'Punctuation', behavior: 'Contiguous' },
    byteLevel(false, true), { type: 'Digits', individual_digits: false },
    { type: 'Split', pattern: { Regex: '[0-9][0-9][0-9]' }, behavior: 'Isolated', invert: false }) }],
  ['gpt2-prefix-space-roberta', 'gpt2', { pre_tokenizer: byteLevel(true, true), post_processor: {
    type: 'RobertaProcessing', sep: ['<|endoftext|>', 50256], cls: ['<|endoftext|>', 50256], trim_offsets: true,
    add_prefix_space: true } }],
  ['gpt2-normalizers', 'gpt2', { normalizer: { type: 'Sequence', normalizers: [{ type: 'NFKD' }, { type: 'StripAccents' },
    { type: 'Lowercase' }, { type: 'Strip', strip_left: true, strip_right: true },
    { type: 'Replace', pattern: { Regex: '\\s+' }, content: ' ' }] } }],
  ['gpt2-nfc-merged-splits', 'gpt2', { normalizer: { type: 'NFC' }, pre_tokenizer: sequence(
    { type: 'Split', pattern: { String: ' ' }, behavior: 'MergedWithNext', invert: false },
    { type: 'Punctuation', behavior: 'MergedWithPrevious' }, byteLevel(false, false)) }],
  ['gpt2-whitespace-split-digits', 'gpt2', { pre_tokenizer: sequence({ type: 'WhitespaceSplit' },
    { type: 'Digits', individual_digits: true }, byteLevel(true, false)) }],
  ['gpt2-split-removed-inverted', 'gpt2', { pre_tokenizer: sequence({ type: 'Split',
    pattern: { Regex: '\\w+|[^\\w\\s]+' }, behavior: 'Removed', invert: true }, byteLevel(false, false)) }],
  ['gpt2-bert-pre-tokenizer', 'gpt2', { pre_tokenizer: sequence({ type: 'BertPreTokenizer' }, byteLevel(false, false)) }],
  ['gpt2-whitespace-pre-tokenizer', 'gpt2', { pre_tokenizer: sequence({ type: 'Whitespace' }, byteLevel(false, false)) }],
];
const variantTexts = [...cases.map(([, text]) => text),
  '<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant', 'a  <|im_start|>  b', 'x<|im_end|>   y',
  '[WORD] a[WORD] [WORD]b ([WORD])', 'Hello hello HELLO say hello', '<s>hello</s>', 'Ça va? Ōkami ﬁ ①②③ Ⅻ',
  "I'LL you'RE", '1234567 89 3.14159 x=10000'];
const variantLines = [];
for (const [variant, baseName, patch] of variants) {
  const json = JSON.parse(fs.readFileSync(path.join(tokenizersDir, baseName, 'tokenizer.json'), 'utf8'));
  for (const [key, value] of Object.entries(patch)) {
    if (key.startsWith('model.')) json.model[key.slice(6)] = value; else json[key] = value;
  }
  const rust = RustTokenizer.fromString(JSON.stringify(json));
  const variantCases = [];
  for (const text of variantTexts) {
    const ids = Array.from((await rust.encode(text, null, { addSpecialTokens: true })).getIds());
    const idsNoSpecial = Array.from((await rust.encode(text, null, { addSpecialTokens: false })).getIds());
    variantCases.push({ text, ids, ids_no_special: idsNoSpecial, decode: await rustDecode(rust, ids, false),
      decode_skip_special: await rustDecode(rust, ids, true) });
  }
  variantLines.push(JSON.stringify({ variant, base: baseName, patch, cases: variantCases }));
}
const variantsOut = path.join(outputDir, 'variants.jsonl.gz');
fs.writeFileSync(variantsOut, zlib.gzipSync(variantLines.join('\n') + '\n', { level: 9 }));
console.log(`variants: ${variants.length} x ${variantTexts.length} cases -> ${path.relative(process.cwd(), variantsOut)}`);
