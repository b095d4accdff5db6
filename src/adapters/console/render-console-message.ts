import type { OutgoingMessage } from '../../core/chat-types.ts';

/** Plain-text rendering of a message: its text, then buttons as `[1] Approve  [2] Reject`. */
export function renderConsoleMessage(message: OutgoingMessage, options: { channel?: string; edited?: boolean } = {}): string {
  const prefix = `${options.channel ? `#${options.channel} ` : ''}${options.edited ? '(edited) ' : ''}`;
  const lines = [`${prefix}${message.text}`, ...(message.lines ?? []), ...(message.links ?? []).map((link) => `${link.label}: ${link.url}`)];
  if (message.buttons && message.buttons.length > 0) {
    lines.push(message.buttons.map((button, i) => `[${i + 1}] ${button.label}`).join('  '));
  }
  return lines.join('\n');
}
