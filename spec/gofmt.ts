/**
 * The few Go formatting rules the wire protocol exposes. Go's skel puts `%q`-formatted strings in
 * error details (`config is "9.9.9", plugin supports ["0.1.0" …]`) and Go's encoding/json names
 * JSON kinds in its type errors; runtimes and people compare those texts, so we print them alike.
 */

const NAMED_ESCAPES: Record<string, string> = {
  '\x07': '\\a',
  '\b': '\\b',
  '\f': '\\f',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\v': '\\v',
  '\\': '\\\\',
};

// strconv.IsPrint: letters, marks, numbers, punctuation, symbols and the ASCII space.
const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u;

const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');

/** One code point as strconv.Quote would write it between the quotes `q`. */
function quoteRune(ch: string, q: string): string {
  if (ch === q) return `\\${q}`;
  const named = NAMED_ESCAPES[ch];
  if (named !== undefined) return named;
  if (PRINTABLE.test(ch)) return ch;
  const cp = ch.codePointAt(0) ?? 0;
  if (cp < 0x80) return `\\x${hex(cp, 2)}`;
  if (cp < 0x10000) return `\\u${hex(cp, 4)}`;
  return `\\U${hex(cp, 8)}`;
}

/** Go's `%q` (strconv.Quote) of a string. */
export const goQuote = (s: string): string => `"${Array.from(s, (ch) => quoteRune(ch, '"')).join('')}"`;

/** Go's `%q` of a `[]string`: `["a" "b"]`. */
export const goQuoteList = (list: readonly string[]): string => `[${list.map(goQuote).join(' ')}]`;

/**
 * How encoding/json's scanner names an offending byte: the byte read as a code point (so the first
 * byte of a UTF-8 BOM is `'ï'`), quoted with single quotes.
 */
export function goQuoteByte(byte: number): string {
  const ch = String.fromCodePoint(byte);
  if (ch === "'") return "'\\''";
  if (ch === '"') return `'"'`;
  return `'${quoteRune(ch, "'")}'`;
}

/** The JSON kind names encoding/json uses in `cannot unmarshal <kind> into …`. */
export function goJsonKind(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  switch (typeof v) {
    case 'string':
      return 'string';
    case 'number':
      return 'number';
    case 'boolean':
      return 'bool';
    default:
      return 'object';
  }
}
