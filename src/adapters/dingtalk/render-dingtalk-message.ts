// OutgoingMessage → what DingTalk shows. Robot messages are markdown as DingTalk documents it
// (render-dingtalk-markdown.ts: user text escaped, one paragraph per line, output tails as
// quotes), kept under ~3500 chars; buttons cannot be clicked there, so without a card
// template each becomes a line telling what to reply (`Approve → reply: approve
// d-20261121-0001`). With a card template, the message becomes the card's parameters (see
// CARD TEMPLATE CONTRACT below, and deploy/dingtalk/deploybot-card.template.json).
import type { Button, ChatUser, Link, MessageCard, OutgoingMessage } from '../../core/chat-types.ts';
import { nativeIdOf } from '../../domain/user-id.ts';
import type { RobotPayload } from './dingtalk-open-api.ts';
import { cutMarkdown, joinMarkdownBlocks, markdownBlocks, richLineMarkdown } from './render-dingtalk-markdown.ts';

export const DINGTALK_MARKDOWN_LIMIT = 3500;
const TITLE_LIMIT = 64;

export function renderRobotMarkdown(message: OutgoingMessage): RobotPayload {
  const tail = (message.buttons ?? []).map(buttonAsReplyLine);
  return { msgtype: 'markdown', markdown: { title: titleOf(message.text), text: fitMarkdown(message, tail) } };
}

export function buttonAsReplyLine(button: Button): string {
  const prompt = button.prompt ? (button.prompt.optional ? ` [${button.prompt.label.toLowerCase()}]` : ` <${button.prompt.label.toLowerCase()}>`) : '';
  return `${button.label} → reply: ${button.command}${prompt}`;
}

/**
 * The staff id DingTalk knows a user by: a user id may be qualified (`dingtalk:<staffId>`,
 * as approver lists name people across platforms) or bare.
 */
export function staffIdOf(user: ChatUser): string {
  return nativeIdOf(user.id);
}

/**
 * DingTalk has no ephemeral messages: a private answer is posted in the conversation,
 * mentioning the user (`at.atUserIds`, which the session webhook honours).
 */
export function renderMention(user: ChatUser, text: string): RobotPayload {
  const staffId = staffIdOf(user);
  return { msgtype: 'text', text: { content: `@${staffId} ${truncateText(text, DINGTALK_MARKDOWN_LIMIT)}` }, at: { atUserIds: [staffId] } };
}

/**
 * The same answer for the OpenAPI group send, which cannot mention anyone (its `sampleText`
 * has no `at`; a literal `@staffId` would show as typed): it says in words who it is for.
 */
export function renderAddressed(user: ChatUser, text: string): RobotPayload {
  const who = user.name ? user.name : `user ${staffIdOf(user)}`;
  return { msgtype: 'text', text: { content: `For ${who}: ${truncateText(text, DINGTALK_MARKDOWN_LIMIT)}` } };
}

/** A plain text message (the robot's 1:1 chat: it is already the user's own). */
export function renderPlainText(text: string): RobotPayload {
  return { msgtype: 'text', text: { content: truncateText(text, DINGTALK_MARKDOWN_LIMIT) } };
}

/**
 * CARD TEMPLATE CONTRACT — the parameters every deploybot card gets (all strings, as
 * DingTalk's cardParamMap wants): `title`, `markdown` (text and lines, rendered like a robot
 * message), `buttons` (JSON `[{label, command, style}]`), `button_count`, and per button n
 * (1-based) `button_<n>_label`, `button_<n>_command`, `button_<n>_style`. A template's
 * button should call back with params `{command: "${button_<n>_command}"}` (or `{index:
 * "<n>"}`, or `{action: "approve"}`): deploybot runs that command as the user who clicked.
 * The template shipped in deploy/dingtalk/ follows it.
 */
export function renderCardParams(message: OutgoingMessage): Record<string, string> {
  const buttons = message.buttons ?? [];
  const params: Record<string, string> = {
    title: titleOf(message.text),
    markdown: fitMarkdown(message, []),
    buttons: JSON.stringify(buttons.map((b) => ({ label: b.label, command: b.command, style: b.style ?? 'default' }))),
    button_count: String(buttons.length),
  };
  buttons.forEach((button, i) => {
    params[`button_${i + 1}_label`] = button.label;
    params[`button_${i + 1}_command`] = button.command;
    params[`button_${i + 1}_style`] = button.style ?? 'default';
  });
  return params;
}

function titleOf(text: string): string {
  // eslint-disable-next-line no-control-regex
  const first = text.split('\n', 1)[0]?.replace(/[\u0000-\u001f\u007f]/g, '').trim() || 'deploybot';
  return truncateText(first, TITLE_LIMIT);
}

/** The card's parts as markdown blocks: the message's text first (its id, what, the state), `**Label:** value` fields, body lines, the context. */
function cardBlocks(text: string, card: MessageCard): { head: string[]; body: string[] } {
  const head = markdownBlocks([text]);
  for (const field of card.fields ?? []) head.push(richLineMarkdown([{ strong: `${field.label}:` }, ' ', ...field.value]));
  for (const warning of card.warnings ?? []) head.push(richLineMarkdown(warning));
  const body = (card.body ?? []).map(richLineMarkdown);
  if (card.context && card.context.length > 0) body.push(richLineMarkdown(card.context));
  return { head: head.filter((b) => b !== ''), body: body.filter((b) => b !== '') };
}

/** Text and lines (or the card), tail (button lines) and links as markdown blocks; lines are cut first when too long. */
function fitMarkdown(message: OutgoingMessage, tail: string[]): string {
  const { head, body } = message.card ? cardBlocks(message.text, message.card) : { head: markdownBlocks([message.text]), body: markdownBlocks(message.lines ?? []) };
  // our own URLs (the deploy page's), so written as markdown links, not escaped text
  const end = [...markdownBlocks(tail), ...(message.links ?? []).map((link: Link) => `[${link.label}](${link.url})`)];
  let kept = body;
  let markdown = joinMarkdownBlocks([...head, ...kept, ...end]);
  while (markdown.length > DINGTALK_MARKDOWN_LIMIT && kept.length > 0) {
    kept = kept.slice(0, Math.max(0, Math.floor(kept.length * 0.8)));
    markdown = joinMarkdownBlocks([...head, ...kept, `… ${body.length - kept.length} more line(s)`, ...end]);
  }
  return cutMarkdown(markdown, DINGTALK_MARKDOWN_LIMIT);
}

function truncateText(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
