// The notifier's listen loop: on a Redis connection of its own, a blocking read of the bus's
// announcements ("deploy X has new notices"), handing each announced deploy id on. A failed
// read is retried after a second until stopped.
import { setTimeout as delay } from 'node:timers/promises';
import type { Redis } from 'ioredis';
import { errorMessage } from '../core/errors.ts';
import type { Logger } from '../core/logger.ts';
import type { DeployEventBus } from '../store/deploy-event-bus.ts';

export interface AnnouncementListenerOptions {
  bus: DeployEventBus;
  /** The blocking read uses `redis.duplicate()`. */
  redis: Redis;
  /** How long one blocking read waits. */
  blockMs: number;
  logger: Logger;
  onAnnounced(deployId: string): void;
}

export class AnnouncementListener {
  readonly #o: AnnouncementListenerOptions;
  #reader: Redis | undefined;
  #loop: Promise<void> | undefined;
  #stopped = false;
  #abort = new AbortController();

  constructor(options: AnnouncementListenerOptions) {
    this.#o = options;
  }

  get listening(): boolean {
    return this.#loop !== undefined;
  }

  /** Starts listening for announcements published from now on; resolves once that point is known. */
  async start(): Promise<void> {
    if (this.#loop) return;
    this.#stopped = false;
    this.#abort = new AbortController();
    const reader = this.#o.redis.duplicate();
    this.#reader = reader;
    const from = this.#o.bus.latestId();
    this.#loop = from.then((id) => this.#listen(reader, id), () => undefined);
    try {
      await from;
    } catch (error) {
      reader.disconnect();
      this.#loop = undefined;
      this.#reader = undefined;
      throw error;
    }
  }

  /** Stops listening; resolves once the loop has ended. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#abort.abort();
    this.#reader?.disconnect();
    await this.#loop;
    this.#loop = undefined;
    this.#reader = undefined;
  }

  async #listen(reader: Redis, from: string): Promise<void> {
    let lastId = from;
    while (!this.#stopped) {
      try {
        const { lastId: next, deployIds } = await this.#o.bus.readAnnouncements(reader, lastId, this.#o.blockMs);
        lastId = next;
        for (const deployId of deployIds) this.#o.onAnnounced(deployId);
      } catch (error) {
        if (this.#stopped) return;
        this.#o.logger.warn('reading deploy announcements failed; retrying in 1 s', { error: errorMessage(error) });
        await delay(1000, undefined, { signal: this.#abort.signal }).catch(() => undefined);
      }
    }
  }
}
