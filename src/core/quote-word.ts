// How words the user typed (and names from the config) appear in one-line answers: quoted,
// with anything invisible or line-breaking escaped, and cut when very long, so an error
// message is always a single readable line whatever was typed.

const MAX_SHOWN = 60;
/** Control, format (bidi overrides, zero-width), unassigned, private-use, surrogates, line/paragraph separators. */
const UNSAFE = /[\p{C}\p{Zl}\p{Zp}]/u;
const WHITESPACE = /\s/u;

/** `"word"`, escaped and shortened for a one-line message. */
export function quoteWord(word: string): string {
  const chars = Array.from(word);
  const shown = chars.length > MAX_SHOWN ? chars.slice(0, MAX_SHOWN) : chars;
  let out = '';
  for (const ch of shown) {
    if (ch === '"' || ch === '\\') out += `\\${ch}`;
    else if (ch !== ' ' && (UNSAFE.test(ch) || WHITESPACE.test(ch))) out += escapeCodePoint(ch);
    else out += ch;
  }
  return `"${out}${chars.length > MAX_SHOWN ? '…' : ''}"`;
}

function escapeCodePoint(ch: string): string {
  const code = ch.codePointAt(0) ?? 0;
  if (ch === '\n') return '\\n';
  if (ch === '\r') return '\\r';
  if (ch === '\t') return '\\t';
  return code > 0xffff ? `\\u{${code.toString(16)}}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** `a, b, c`, or the first few and a count when the list is long. */
export function listNames(names: readonly string[], max = 10): string {
  if (names.length <= max) return names.join(', ');
  return `${names.slice(0, max).join(', ')} and ${names.length - max} more`;
}
