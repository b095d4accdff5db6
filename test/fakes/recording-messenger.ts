// A Messenger that keeps what it was asked to send, for tests of code that posts through one.
import type { ChatUser, MessageRef, Messenger, OutgoingMessage } from '../../src/core/chat-types.ts';

export interface RecordedPost {
  kind: 'post' | 'update' | 'private';
  channel: string;
  message: OutgoingMessage;
  user?: string;
  id?: string;
}

export class RecordingMessenger implements Messenger {
  readonly sent: RecordedPost[] = [];
  /** When each of `sent` was sent (Date.now()), index for index. */
  readonly sentAt: number[] = [];
  #seq = 0;

  async post(channel: string, message: OutgoingMessage): Promise<MessageRef> {
    const id = `m${++this.#seq}`;
    this.sent.push({ kind: 'post', channel, message, id });
    this.sentAt.push(Date.now());
    return { channel, id };
  }

  async update(ref: MessageRef, message: OutgoingMessage): Promise<void> {
    this.sent.push({ kind: 'update', channel: ref.channel, message, id: ref.id });
    this.sentAt.push(Date.now());
  }

  async postPrivate(channel: string, user: ChatUser, text: string): Promise<void> {
    this.sent.push({ kind: 'private', channel, message: { text }, user: user.id });
    this.sentAt.push(Date.now());
  }
}
