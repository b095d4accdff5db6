// A RecordingMessenger for notifier tests: a test can await "a message like this was sent"
// instead of sleeping, and can hold matching updates in flight until it releases them (to
// check what waits for an edit to land).
import type { ChatUser, MessageRef, OutgoingMessage } from '../../src/core/chat-types.ts';
import { type Deferred, deferred } from './deferred.ts';
import { type RecordedPost, RecordingMessenger } from './recording-messenger.ts';

type Match = (sent: RecordedPost) => boolean;

export class RecordingNotifierMessenger extends RecordingMessenger {
  readonly #waiters: Array<{ match: Match; done: Deferred<RecordedPost> }> = [];
  #hold: ((message: OutgoingMessage) => boolean) | undefined;
  #release: Deferred<void> | undefined;
  /** Resolves with the first update held back by `holdUpdates`. */
  held: Deferred<OutgoingMessage> = deferred();

  /** Resolves once a sent message (already sent or still to come) matches. */
  waitFor(match: Match): Promise<RecordedPost> {
    const already = this.sent.find(match);
    if (already) return Promise.resolve(already);
    const done = deferred<RecordedPost>();
    this.#waiters.push({ match, done });
    return done.promise;
  }

  /** Holds updates whose message matches until `releaseUpdates()`. */
  holdUpdates(match: (message: OutgoingMessage) => boolean): void {
    this.#hold = match;
    this.#release = deferred();
    this.held = deferred();
  }

  releaseUpdates(): void {
    this.#release?.resolve();
    this.#hold = undefined;
  }

  override async post(channel: string, message: OutgoingMessage): Promise<MessageRef> {
    const ref = await super.post(channel, message);
    this.#notify();
    return ref;
  }

  override async update(ref: MessageRef, message: OutgoingMessage): Promise<void> {
    if (this.#hold?.(message)) {
      this.held.resolve(message);
      await this.#release?.promise;
    }
    await super.update(ref, message);
    this.#notify();
  }

  override async postPrivate(channel: string, user: ChatUser, text: string): Promise<void> {
    await super.postPrivate(channel, user, text);
    this.#notify();
  }

  #notify(): void {
    const last = this.sent.at(-1);
    if (!last) return;
    for (let i = this.#waiters.length - 1; i >= 0; i -= 1) {
      const waiter = this.#waiters[i]!;
      if (waiter.match(last)) {
        this.#waiters.splice(i, 1);
        waiter.done.resolve(last);
      }
    }
  }
}
