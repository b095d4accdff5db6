// Post-once guards shared by every notifier process (docs/reference/messages.md: one progress message per
// deploy). A deploy's messages live in a Redis hash (`messages(id)`): the first notifier to
// claim a field with HSETNX posts and stores the message's ref; the others wait for that ref
// and edit it. A claim whose poster vanished is taken over after `claimTimeoutMs`. Messages
// posted once per notice (warnings, size spans) are guarded by a set (`posted(id)`).
import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import type { Redis } from 'ioredis';
import type { MessageRef } from '../core/chat-types.ts';
import type { RedisKeys } from '../store/redis-keys.ts';

const KEEP_SECONDS = 14 * 24 * 3600;

/** Sets hash field ARGV[1] to ARGV[3] (deletes it when there is no ARGV[3]) only while it still holds ARGV[2]. */
const SWAP = `
if redis.call('HGET', KEYS[1], ARGV[1]) ~= ARGV[2] then return 0 end
if ARGV[3] then redis.call('HSET', KEYS[1], ARGV[1], ARGV[3]) else redis.call('HDEL', KEYS[1], ARGV[1]) end
return 1`;

type Entry = { ref: MessageRef } | { claimedBy: string; at: number };

export interface MessageClaimsOptions {
  /** @defaultValue 30000 */
  claimTimeoutMs?: number;
  /** How often to look for another notifier's ref. @defaultValue 100 */
  pollMs?: number;
  now?: () => Date;
}

export class MessageClaims {
  readonly #token = randomUUID();
  readonly #claimTimeoutMs: number;
  readonly #pollMs: number;
  readonly #now: () => Date;

  constructor(private readonly redis: Redis, private readonly keys: RedisKeys, options: MessageClaimsOptions = {}) {
    this.#claimTimeoutMs = options.claimTimeoutMs ?? 30_000;
    this.#pollMs = options.pollMs ?? 100;
    this.#now = options.now ?? (() => new Date());
  }

  /** The ref of a deploy's message `field`, if it has been posted. */
  async ref(deployId: string, field: string): Promise<MessageRef | undefined> {
    const raw = await this.redis.hget(this.keys.messages(deployId), field);
    const entry = raw ? (JSON.parse(raw) as Entry) : undefined;
    return entry && 'ref' in entry ? entry.ref : undefined;
  }

  /** Posts the message `field` of a deploy unless some notifier did; either way returns its ref. */
  async once(deployId: string, field: string, post: () => Promise<MessageRef>): Promise<{ ref: MessageRef; posted: boolean }> {
    const key = this.keys.messages(deployId);
    for (;;) {
      const raw = await this.redis.hget(key, field);
      const mine = JSON.stringify({ claimedBy: this.#token, at: this.#now().getTime() } satisfies Entry);
      if (raw === null) {
        if ((await this.redis.hsetnx(key, field, mine)) === 1) {
          await this.redis.expire(key, KEEP_SECONDS);
          return { ref: await this.#post(key, field, mine, post), posted: true };
        }
        continue;
      }
      const entry = JSON.parse(raw) as Entry;
      if ('ref' in entry) return { ref: entry.ref, posted: false };
      if (this.#now().getTime() - entry.at >= this.#claimTimeoutMs && (await this.redis.eval(SWAP, 1, key, field, raw, mine)) === 1) {
        return { ref: await this.#post(key, field, mine, post), posted: true };
      }
      await delay(this.#pollMs);
    }
  }

  /** Posts a notice's own message (warning, size spans) once; true when this caller posted it. */
  noticeOnce(deployId: string, index: number, post: () => Promise<unknown>): Promise<boolean> {
    return this.namedOnce(deployId, `notice:${index}`, post);
  }

  /**
   * Runs `post` once per deploy and `name` across notifiers (e.g. the failure log upload);
   * true when this caller ran it. A failed `post` frees the claim for the next attempt.
   */
  async namedOnce(deployId: string, name: string, post: () => Promise<unknown>): Promise<boolean> {
    const key = this.keys.posted(deployId);
    if ((await this.redis.sadd(key, name)) === 0) return false;
    await this.redis.expire(key, KEEP_SECONDS);
    try {
      await post();
      return true;
    } catch (error) {
      await this.redis.srem(key, name);
      throw error;
    }
  }

  /**
   * Whether this notifier owns the deploy's `name` duty (e.g. counting its metrics): the
   * first notifier to ask becomes the owner, for good, so a duty is done by one process.
   */
  async owns(deployId: string, name: string): Promise<boolean> {
    const key = this.keys.messages(deployId);
    const field = `owner:${name}`;
    if ((await this.redis.hsetnx(key, field, this.#token)) === 1) {
      await this.redis.expire(key, KEEP_SECONDS);
      return true;
    }
    return (await this.redis.hget(key, field)) === this.#token;
  }

  async #post(key: string, field: string, claim: string, post: () => Promise<MessageRef>): Promise<MessageRef> {
    let ref: MessageRef;
    try {
      ref = await post();
    } catch (error) {
      await this.redis.eval(SWAP, 1, key, field, claim);
      throw error;
    }
    await this.redis.hset(key, field, JSON.stringify({ ref } satisfies Entry));
    return ref;
  }
}
