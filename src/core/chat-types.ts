// The boundary between the chat-agnostic core and each chat adapter (console, Slack,
// DingTalk). An adapter turns its platform's events into IncomingCommand / ButtonPress,
// and renders OutgoingMessage through its Messenger.

import type { Platform, UserId } from '../domain/user-id.ts';

export type { Platform, UserId } from '../domain/user-id.ts';

export interface ChatUser {
  /**
   * Qualified by the platform (`slack:U01ALICE`, `dingtalk:<staffId>`, `console:<name>`):
   * the adapter qualifies at its boundary; messengers send `nativeIdOf(id)` back to it.
   */
  id: UserId;
  name?: string;
}

/**
 * A button runs a command line as the user who pressed it, so a button and the typed
 * command (`approve d-20261121-0001`) are the same thing with the same rules.
 */
export interface Button {
  label: string;
  command: string;
  style?: 'primary' | 'danger';
  confirm?: { title: string; text: string };
  /**
   * Ask the presser for text first, appended to `command` (`reject d-… <reason>`): Slack opens
   * a modal; platforms without one show the command to type with `<label>` after it.
   */
  prompt?: { title: string; label: string; placeholder?: string; optional?: boolean };
}

/**
 * A piece of a card's line, shown the platform's way (docs/slack.md "Messages"): text is
 * always escaped; a person is a mention where the platform can (`<@U…>` for a `slack:` id),
 * else their name; code is monospace; a link has its text.
 */
export type Inline = string | { person: string; id?: string } | { code: string } | { link: string; text: string } | { strong: string };
export type RichLine = readonly Inline[];

/**
 * The same message laid out as a card (Slack Block Kit: header, fields, sections, context).
 * Platforms that render cards show it instead of `text` and `lines`, which stay the plain
 * form (console, notification text, logs).
 */
export interface MessageCard {
  /** One line of plain text (Slack: ≤ 150 characters). */
  title: string;
  /** Short label/value pairs shown in two columns (Slack: ≤ 10). */
  fields?: ReadonlyArray<{ label: string; value: RichLine }>;
  /** Shown prominently under the fields: a downgrade, a duplicate plan. */
  warnings?: readonly RichLine[];
  /** The body, one line each. */
  body?: readonly RichLine[];
  /** Small print at the end: who asked, who decided, when (Slack: ≤ 10 pieces). */
  context?: RichLine;
}

export interface OutgoingMessage {
  text: string;
  /** Optional structured lines (platforms that can render them use them; others use `text`). */
  lines?: string[];
  buttons?: Button[];
  card?: MessageCard;
  /** Post it as a reply under this message (Slack: its thread; platforms without threads post it as usual). */
  replyTo?: MessageRef;
  /** Links to open (the deploy page's Details): a URL button where the platform has them, else a line. */
  links?: Link[];
}

export interface Link {
  label: string;
  url: string;
}

/** Where a posted message lives, so it can be edited in place. */
export interface MessageRef {
  channel: string;
  id: string;
}

export interface Messenger {
  post(channel: string, message: OutgoingMessage): Promise<MessageRef>;
  update(ref: MessageRef, message: OutgoingMessage): Promise<void>;
  /** Seen only by `user` (Slack ephemeral, DingTalk 1:1, console marked as private). */
  postPrivate(channel: string, user: ChatUser, text: string): Promise<void>;
}

/** A job started by a command, so an adapter (the console's `wait`) can wait for it. */
export interface TrackedJob {
  readonly deployId: string;
  /** Resolves once the job has finished, or while it is parked awaiting an approval. */
  idle(): Promise<void>;
}

export interface IncomingCommand {
  text: string;
  user: ChatUser;
  channel: string;
  platform: Platform;
  /** Answer in the conversation the command came from (visible to the channel). */
  reply(message: OutgoingMessage): Promise<MessageRef>;
  /** Answer only the user who typed the command. */
  replyPrivately(text: string): Promise<void>;
  /** Called for every job the command started. */
  track(job: TrackedJob): void;
}

export interface ChatHandler {
  onCommand(command: IncomingCommand): Promise<void>;
}

export interface ChatAdapter {
  readonly platform: Platform;
  readonly messenger: Messenger;
  start(handler: ChatHandler): Promise<void>;
  stop(): Promise<void>;
}
