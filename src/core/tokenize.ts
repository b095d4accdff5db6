// Splits a command line into words. There is no quoting: arguments never contain spaces,
// and free text (a lock reason) is taken as the rest of the line from a word's offset.

export interface Token {
  text: string;
  /** Offset of the word's first character in the line given to tokenize. */
  start: number;
}

/** JavaScript `\s`: ASCII whitespace, tabs, newlines, no-break and other Unicode spaces. */
const WORD = /\S+/gu;

export function tokenize(line: string): Token[] {
  const tokens: Token[] = [];
  for (const match of line.matchAll(WORD)) tokens.push({ text: match[0], start: match.index ?? 0 });
  return tokens;
}
