// Small text pieces the notifier's renderers share: durations, UTC times, short hashes, and
// cutting text to fit a chat platform's limits (docs/reference/messages.md; Slack section text ≤ 3000
// characters, DingTalk markdown ≲ 3500). Pure.
import type { OutgoingMessage } from '../core/chat-types.ts';

/** What every notifier message is kept under, text and lines together. */
export const MESSAGE_CHAR_LIMIT = 3000;
const MARKER_ROOM = 40;

/** `12s`, `1m 02s`, `1h 03m`. */
export function formatElapsed(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m ${String(seconds % 60).padStart(2, '0')}s`;
  return `${Math.floor(minutes / 60)}h ${String(minutes % 60).padStart(2, '0')}m`;
}

/** `2026-11-21 12:03 UTC` from an ISO 8601 time (the text itself when it is not one). */
export function formatUtc(iso: string): string {
  const time = Date.parse(iso);
  if (Number.isNaN(time)) return iso;
  return `${new Date(time).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** The first `length` characters of a commit SHA or checksum. */
export function shortHash(hash: string, length = 7): string {
  return hash.slice(0, length);
}

/** One line, at most `max` characters (control characters and line breaks flattened). */
export function oneLine(text: string, max: number): string {
  // eslint-disable-next-line no-control-regex
  const flat = text.replace(/[\r\n\t]+/g, ' ').replace(/[\u0000-\u001f\u007f]/g, '').trim();
  return flat.length <= max ? flat : `${flat.slice(0, Math.max(0, max - 1))}…`;
}

/** Characters a message takes as plain text (text, then one line each). */
export function messageLength(message: OutgoingMessage): number {
  return message.text.length + (message.lines ?? []).reduce((sum, line) => sum + 1 + line.length, 0);
}

/**
 * Keeps a message within `limit` characters: whole lines are dropped from the end and
 * replaced by a `… N more lines` marker; a text alone too long is cut.
 */
export function fitMessage(message: OutgoingMessage, limit = MESSAGE_CHAR_LIMIT): OutgoingMessage {
  if (messageLength(message) <= limit) return message;
  const text = oneLine(message.text, Math.min(message.text.length, Math.floor(limit / 2)));
  const lines = message.lines ?? [];
  const kept: string[] = [];
  let used = text.length;
  for (let i = 0; i < lines.length; i += 1) {
    const line = lines[i]!;
    const last = i === lines.length - 1;
    if (used + 1 + line.length + (last ? 0 : MARKER_ROOM) > limit) {
      kept.push(`… ${lines.length - i} more line(s) not shown`);
      break;
    }
    kept.push(line);
    used += 1 + line.length;
  }
  return { ...message, text, lines: kept };
}
