// MessageCard → Block Kit, the way Slack's own apps lay messages out (docs/slack.md
// "Messages"): a header block (plain text ≤ 150), a fields section (≤ 10 fields, each ≤ 2000
// characters), warnings, the body in sections (≤ 3000 characters each) and a context block.
// People with a Slack id become mentions (`<@U…>`), everything typed or read from a
// repository is escaped, code is in backticks (a backtick inside is replaced), links are
// `<url|text>` only for https URLs.
import type { types } from '@slack/bolt';
import type { Inline, MessageCard, RichLine } from '../../core/chat-types.ts';
import { parseUserId } from '../../domain/user-id.ts';
import { chunkText, escapeMrkdwn, SLACK_LIMITS, truncate } from './slack-text.ts';

export const CARD_LIMITS = {
  headerText: 150,
  fields: 10,
  fieldText: 2000,
  contextElements: 10,
} as const;

export function renderCardBlocks(card: MessageCard, blockId: () => string): types.KnownBlock[] {
  // Slack refuses empty text anywhere: an empty part is left out, an empty title or value shown as a dash
  const blocks: types.KnownBlock[] = [{ type: 'header', block_id: blockId(), text: { type: 'plain_text', text: truncate(orDash(flat(card.title)), CARD_LIMITS.headerText), emoji: true } }];
  const fields = (card.fields ?? []).slice(0, CARD_LIMITS.fields).map((field) => ({
    type: 'mrkdwn' as const,
    text: truncate(`*${orDash(escapeMrkdwn(flat(field.label)))}*\n${orDash(mrkdwn(field.value))}`, CARD_LIMITS.fieldText),
  }));
  if (fields.length > 0) blocks.push({ type: 'section', block_id: blockId(), fields });
  for (const warning of card.warnings ?? []) {
    const text = mrkdwn(warning);
    if (text.trim() !== '') blocks.push(section(truncate(text, SLACK_LIMITS.sectionText), blockId));
  }
  const body = (card.body ?? []).map(mrkdwn).join('\n');
  if (body.trim() !== '') for (const chunk of chunkText(body, SLACK_LIMITS.sectionText)) if (chunk.trim() !== '') blocks.push(section(chunk, blockId));
  const context = mrkdwn(card.context ?? []);
  if (context.trim() !== '') blocks.push({ type: 'context', block_id: blockId(), elements: [{ type: 'mrkdwn', text: truncate(context, SLACK_LIMITS.sectionText) }] });
  return blocks;
}

function section(text: string, blockId: () => string): types.SectionBlock {
  return { type: 'section', block_id: blockId(), text: { type: 'mrkdwn', text } };
}

/** One line of inline pieces as Slack mrkdwn. */
export function mrkdwn(line: RichLine): string {
  return line.map(inline).join('');
}

function inline(piece: Inline): string {
  if (typeof piece === 'string') return escapeMrkdwn(flat(piece));
  if ('person' in piece) {
    const id = piece.id ? parseUserId(piece.id) : undefined;
    return id?.platform === 'slack' && /^[UW][A-Z0-9]+$/.test(id.nativeId) ? `<@${id.nativeId}>` : escapeMrkdwn(flat(piece.person));
  }
  if ('code' in piece) return `\`${escapeMrkdwn(flat(piece.code).replace(/`/g, "'")) || ' '}\``;
  if ('strong' in piece) return `*${escapeMrkdwn(flat(piece.strong))}*`;
  const text = escapeMrkdwn(flat(piece.text)).replace(/\|/g, '¦');
  return /^https:\/\/[^\s<>|]+$/.test(piece.link) ? `<${piece.link}|${text}>` : text;
}

function orDash(text: string): string {
  return text.trim() === '' ? '—' : text;
}

function flat(text: string): string {
  return text.replace(/[\r\n]+/g, ' ');
}
