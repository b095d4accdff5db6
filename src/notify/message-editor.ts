// How the notifier edits a posted message. The ThrottledEditor (≤ 1 edit/s per message, a chat
// budget, 429-aware) is the default; a platform adapter may hand in its own (Slack's
// `createProgressEditor()` uses a client that rejects on 429 instead of pausing, and the
// budget every process shares — docs/reference/chat-limits.md).
import type { Messenger, MessageRef, OutgoingMessage, Platform } from '../core/chat-types.ts';
import { ThrottledEditor } from './throttled-editor.ts';

export interface MessageEditor {
  /** Shows `message` when the throttle allows; only the latest state is kept. */
  update(ref: MessageRef, message: OutgoingMessage): void;
  /**
   * Resolves once `message` has landed (retried through rate limits and errors). The
   * notifier also uses it for states a deploy parks in (awaiting approval), so a later
   * `update` of the same message must start over rather than be ignored — as
   * ThrottledEditor does once a final edit has landed.
   */
  finish(ref: MessageRef, message: OutgoingMessage): Promise<void>;
  /** Drops pending edits and timers (called by `Notifier.stop()` on editors it created). */
  close?(): void;
}

/** One editor per platform, created on first use. */
export type EditorFactory = (platform: Platform, messenger: Messenger) => MessageEditor;

/** ThrottledEditor over `messenger.update`, with its defaults (1 edit/s per message, 40/min in a budget of its own; docs/reference/chat-limits.md). */
export const throttledEditors: EditorFactory = (_platform, messenger) =>
  new ThrottledEditor<OutgoingMessage>({ send: (ref, message) => messenger.update(ref, message) });
