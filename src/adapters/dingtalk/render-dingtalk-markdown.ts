// Plain text → the markdown DingTalk documents for robot messages and cards, on purpose:
// headings, quotes (`>`), bold, italic, links, images and lists — and nothing else (no code
// blocks, no HTML). Everything deploybot shows is plain text that may carry what people
// typed or repositories contain (SSH output, commit subjects, branch names, lock and reject
// reasons), so every character that could start markdown is escaped with a backslash: a
// reason cannot become a link or an image. Each line becomes its own paragraph (DingTalk
// collapses single newlines); a line indented four or more spaces (an output tail) becomes
// a quote, one indented less a list item. A card (richLineMarkdown) gets bold labels and
// links. Pure. See docs/dingtalk.md ("Messages").
import type { RichLine } from '../../core/chat-types.ts';

/** Characters that open or close inline markdown anywhere in a line. */
const INLINE = /[\\`*_[\]<~]/g;
/** What makes a line a heading, quote, list item, rule or setext underline at its start. */
const LINE_START = /^(#|>|[-+=]|\d+[.)])/;

/** One line of plain text that DingTalk's markdown shows as it is. */
export function escapeDingTalkMarkdown(text: string): string {
  // eslint-disable-next-line no-control-regex
  const flat = text.replace(/[\r\n\t]+/g, ' ').replace(/[\u0000-\u001f\u007f]/g, '').trim();
  const inline = flat.replace(INLINE, (char) => `\\${char}`);
  return inline.replace(LINE_START, (start) => (/^\d/.test(start) ? `${start.slice(0, -1)}\\${start.slice(-1)}` : `\\${start}`));
}

/** A piece of a line: inline markdown escaped, but not what only matters at a line's start. */
function escapeDingTalkInline(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\r\n\t]+/g, ' ').replace(/[\u0000-\u001f\u007f]/g, '').replace(INLINE, (char) => `\\${char}`);
}

/**
 * A card's line as DingTalk markdown: text escaped, people by name, `**strong**`, links to
 * https only; code shows as its text (DingTalk documents no code spans). The line's start is
 * escaped as a whole, so a piece of user text cannot make it a heading or a list.
 */
export function richLineMarkdown(line: RichLine): string {
  const text = line.map((piece) => {
    if (typeof piece === 'string') return escapeDingTalkInline(piece);
    if ('person' in piece) return escapeDingTalkInline(piece.person);
    if ('code' in piece) return escapeDingTalkInline(piece.code);
    if ('strong' in piece) return piece.strong.trim() === '' ? '' : `**${escapeDingTalkInline(piece.strong).trim()}**`;
    const label = escapeDingTalkInline(piece.text);
    return /^https:\/\/[^\s()<>[\]]+$/.test(piece.link) ? `[${label}](${piece.link})` : label;
  }).join('').trim();
  return text.startsWith('**') ? text : text.replace(LINE_START, (start) => (/^\d/.test(start) ? `${start.slice(0, -1)}\\${start.slice(-1)}` : `\\${start}`));
}

/** One markdown block per non-blank line (text lines split on newlines first). */
export function markdownBlocks(lines: readonly string[]): string[] {
  const blocks: string[] = [];
  for (const line of lines.flatMap((entry) => entry.split(/\r?\n/))) {
    const content = escapeDingTalkMarkdown(line);
    if (content === '') continue;
    const indent = /^[ \t]*/.exec(line)?.[0].replace(/\t/g, '    ').length ?? 0;
    if (indent >= 4) blocks.push(`> ${content}`);
    else if (indent >= 1) blocks.push(`- ${content}`);
    else blocks.push(content);
  }
  return blocks;
}

/** Blocks as one markdown text: a blank line between blocks, so every line stays a line. */
export function joinMarkdownBlocks(blocks: readonly string[]): string {
  return blocks.join('\n\n');
}

/** At most `max` characters, never ending inside an escape (`\` without the character it escapes). */
export function cutMarkdown(text: string, max: number): string {
  if (text.length <= max) return text;
  let cut = text.slice(0, Math.max(0, max - 1));
  const trailing = /\\+$/.exec(cut)?.[0].length ?? 0;
  if (trailing % 2 === 1) cut = cut.slice(0, -1);
  return `${cut}…`;
}
