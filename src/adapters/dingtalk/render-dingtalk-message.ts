// OutgoingMessage → what DingTalk shows. Robot messages are markdown (kept under ~3500
// chars); buttons cannot be clicked there, so without a card template each becomes a line
// telling what to reply (`Approve → reply: approve d-20261121-0001`). With a card template,
// the message becomes the card's parameters (see CARD TEMPLATE CONTRACT below).
import type { Button, ChatUser, OutgoingMessage } from '../../core/chat-types.ts';
import { nativeIdOf } from '../../domain/user-id.ts';
import type { RobotPayload } from './dingtalk-open-api.ts';

export const DINGTALK_MARKDOWN_LIMIT = 3500;
const TITLE_LIMIT = 64;

export function renderRobotMarkdown(message: OutgoingMessage): RobotPayload {
  const tail = (message.buttons ?? []).map(buttonAsReplyLine);
  return { msgtype: 'markdown', markdown: { title: titleOf(message.text), text: fitMarkdown(message.text, message.lines ?? [], tail) } };
}

export function buttonAsReplyLine(button: Button): string {
  return `${button.label} → reply: ${button.command}`;
}

/**
 * DingTalk has no ephemeral messages: a private answer is posted in the conversation,
 * mentioning the user (`at.atUserIds`, which the session webhook honours).
 */
export function renderMention(user: ChatUser, text: string): RobotPayload {
  const staffId = nativeIdOf(user.id);
  return { msgtype: 'text', text: { content: `@${staffId} ${truncateText(text, DINGTALK_MARKDOWN_LIMIT)}` }, at: { atUserIds: [staffId] } };
}

/**
 * CARD TEMPLATE CONTRACT — the parameters every deploybot card gets (all strings, as
 * DingTalk's cardParamMap wants): `title`, `markdown` (text and lines), `buttons` (JSON
 * `[{label, command, style}]`), `button_count`, and per button n (1-based)
 * `button_<n>_label`, `button_<n>_command`, `button_<n>_style`. A template's button should
 * call back with params `{command: "${button_<n>_command}"}` (or `{index: "<n>"}`, or
 * `{action: "approve"}`): deploybot runs that command as the user who clicked.
 */
export function renderCardParams(message: OutgoingMessage): Record<string, string> {
  const buttons = message.buttons ?? [];
  const params: Record<string, string> = {
    title: titleOf(message.text),
    markdown: fitMarkdown(message.text, message.lines ?? [], []),
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
  const first = text.split('\n', 1)[0]?.trim() || 'deploybot';
  return truncateText(first, TITLE_LIMIT);
}

/** Text, lines and tail (button lines) as markdown paragraphs; lines are cut first when too long. */
function fitMarkdown(text: string, lines: string[], tail: string[]): string {
  const join = (parts: string[]) => parts.filter((part) => part !== '').join('\n\n');
  let kept = lines;
  let body = join([text, ...kept, ...tail]);
  while (body.length > DINGTALK_MARKDOWN_LIMIT && kept.length > 0) {
    kept = kept.slice(0, Math.max(0, Math.floor(kept.length * 0.8)));
    body = join([text, ...kept, `… ${lines.length - kept.length} more line(s)`, ...tail]);
  }
  return truncateText(body, DINGTALK_MARKDOWN_LIMIT);
}

function truncateText(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
