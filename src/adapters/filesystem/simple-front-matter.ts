/** A file's Markdown after its front matter, and the front matter's `title` if it is a string. */
export interface FrontMatterSplit {
  readonly content: string;
  readonly title?: string;
}

const KEY_VALUE = /^([A-Za-z_][\w-]*):(?: (.*))?$/;
/** Printable characters (no control characters, no astral ones), without the quote or `\`. */
const DOUBLE_QUOTED = /^"([ !#-[\]-~\u00a0-\ud7ff\ue000-\ufffd]*)"$/;
const SINGLE_QUOTED = /^'([ -&(-[\]-~\u00a0-\ud7ff\ue000-\ufffd]*)'$/;
/** A plain scalar YAML can only read as a string (no `: `, ` #`, quotes, flow or type indicators). */
const PLAIN_WORDS = /^[A-Za-z](?:[A-Za-z0-9 _./-]*[A-Za-z0-9_./])?$/;
const NOT_A_STRING = /^(?:true|false|null)$/i;
const NUMBER = /^-?\d+$/;
const WORD_LIST = /^\[(?:[A-Za-z][\w-]*(?:, [A-Za-z][\w-]*)*)?\]$/;

/**
 * What gray-matter returns (its `content`, and `data.title` when that is a string) for text with no
 * front matter or with front matter made only of `key: value` lines in a small subset of YAML
 * (quoted strings without escapes, plain words, whole numbers, flat lists of words, nothing).
 * Undefined for anything else (a BOM, comments, nesting, a repeated key, …): then gray-matter
 * and its YAML parser decide. Parsing YAML for three lines was a third of reading a corpus.
 */
export function simpleFrontMatter(text: string): FrontMatterSplit | undefined {
  if (text.charCodeAt(0) === 0xfeff) return undefined;
  // gray-matter: no opening `---`, or a longer run of dashes, is no front matter.
  if (!text.startsWith('---') || text[3] === '-') return { content: text };
  // `---` then a language name, or `\r\n`: gray-matter's business.
  if (text[3] !== '\n') return undefined;
  const close = text.indexOf('\n---', 3);
  if (close < 0 || close === 3) return undefined;
  const keys = new Set<string>();
  let title: string | undefined;
  for (const line of text.slice(4, close).split('\n')) {
    const m = KEY_VALUE.exec(line);
    if (!m) return undefined;
    const [, key = '', value] = m;
    if (keys.has(key)) return undefined; // js-yaml rejects a repeated key
    keys.add(key);
    let string: string | undefined;
    if (value === undefined || NUMBER.test(value) || WORD_LIST.test(value)) string = undefined;
    else {
      const quoted = DOUBLE_QUOTED.exec(value) ?? SINGLE_QUOTED.exec(value);
      if (quoted) string = quoted[1];
      else if (PLAIN_WORDS.test(value) && !NOT_A_STRING.test(value)) string = value;
      else return undefined;
    }
    if (key === 'title') title = string;
  }
  let content = text.slice(close + 4);
  if (content[0] === '\r') content = content.slice(1);
  if (content[0] === '\n') content = content.slice(1);
  return title === undefined ? { content } : { content, title };
}
