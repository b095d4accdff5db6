// Accepting a command is bounded in time (docs/operations.md, "When Redis does not answer"):
// when Redis does not answer within 5 s the user is told at once that the state store is
// unreachable and nothing was queued — and the command must never run later. The work runs
// against a deadline: checked here before every write, and (pending-accepts.ts) by Redis
// itself for the writes that create the record and commit it, so a write that reaches Redis
// late changes nothing. Once the accept has committed the deadline no longer applies.
import type { Redis } from 'ioredis';
import type { CommandContext } from '../core/command-router.ts';
import { formatDuration } from '../domain/format-duration.ts';
import { RefusedError } from '../core/errors.ts';
import type { Logger } from '../core/logger.ts';
import type { PendingAccepts } from '../store/pending-accepts.ts';

/** How long Redis has to answer while a command is accepted. */
export const ACCEPT_TIMEOUT_MS = 5000;

export function stateStoreUnreachable(timeoutMs = ACCEPT_TIMEOUT_MS): RefusedError {
  return new RefusedError(
    'state_store_unreachable',
    `The state store (Redis) did not answer within ${formatDuration(timeoutMs)}, so nothing was queued and this command will not run later. Send it again once Redis is back (\`/healthz\` shows it).`,
  );
}

export class AcceptDeadline {
  #expired = false;
  #committed = false;

  constructor(
    /** Date.now() past which nothing more may be written. */
    readonly localUntil: number,
    /** The same moment by Redis' clock (ms), for the scripts that check it there. */
    readonly redisDeadlineMs: number,
    private readonly timeoutMs: number,
  ) {}

  get committed(): boolean {
    return this.#committed;
  }

  /** Whether the accept may still write (or has committed, after which it may finish). */
  get open(): boolean {
    return this.#committed || (!this.#expired && Date.now() < this.localUntil);
  }

  /** Throws the "unreachable" refusal when the deadline has passed. */
  check(): void {
    if (!this.open) throw stateStoreUnreachable(this.timeoutMs);
  }

  markCommitted(): void {
    this.#committed = true;
  }

  expire(): void {
    this.#expired = true;
  }

  /** `ctx` whose answers are dropped once the deadline has passed without a commit (the user was already told). */
  guard(ctx: CommandContext): CommandContext {
    return {
      ...ctx,
      reply: async (message) => (this.open ? ctx.reply(message) : { channel: ctx.channel, id: '' }),
      replyPrivately: async (text) => (this.open ? ctx.replyPrivately(text) : undefined),
      track: (job) => (this.open ? ctx.track(job) : undefined),
    };
  }
}

export interface AcceptDeadlineDeps {
  /** A connection without an offline queue, so nothing waits in the client for Redis to return. */
  redis: Redis;
  pending: PendingAccepts;
  logger: Logger;
  /** @defaultValue ACCEPT_TIMEOUT_MS */
  timeoutMs?: number;
}

/**
 * Runs `work` under a fresh deadline. Rejects with the "unreachable" refusal when Redis does
 * not answer in time; `work` may go on in the background, but every write it tries after
 * that is refused (by `deadline.check()` or by Redis).
 */
export async function withAcceptDeadline<T>(deps: AcceptDeadlineDeps, work: (deadline: AcceptDeadline) => Promise<T>): Promise<T> {
  const timeoutMs = deps.timeoutMs ?? ACCEPT_TIMEOUT_MS;
  const localUntil = Date.now() + timeoutMs;
  let deadline: AcceptDeadline | undefined;
  // not withTimeout: past the deadline an accept that has already committed is let finish
  // (the timer then does not reject), and an expired one is told to stop
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      if (deadline?.committed) return; // accepted: let it finish and answer
      deadline?.expire();
      reject(stateStoreUnreachable(timeoutMs));
    }, timeoutMs);
  });
  const running = (async () => {
    await readyBefore(deps.redis, localUntil);
    const redisNow = await deps.pending.redisNow(deps.redis);
    deadline = new AcceptDeadline(localUntil, redisNow + Math.max(0, localUntil - Date.now()), timeoutMs);
    return work(deadline);
  })();
  running.catch((error: unknown) => {
    if (deadline && !deadline.open) deps.logger.info('an accept that ran out of time stopped', { error: (error as Error).message });
  });
  try {
    return await Promise.race([running, timedOut]);
  } catch (error) {
    // Redis refused at once (connection down, no offline queue): the same answer
    if (!(error instanceof RefusedError) && isConnectionError(error)) throw stateStoreUnreachable(timeoutMs);
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

async function readyBefore(redis: Redis, until: number): Promise<void> {
  if (redis.status === 'ready') return;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      redis.off('ready', onReady);
      reject(stateStoreUnreachable());
    }, Math.max(0, until - Date.now()));
    const onReady = () => {
      clearTimeout(timer);
      resolve();
    };
    redis.once('ready', onReady);
  });
}

function isConnectionError(error: unknown): boolean {
  const message = error instanceof Error ? error.message : String(error);
  return /Stream isn't writeable|Connection is closed|Command timed out|MaxRetriesPerRequest|ECONNREFUSED|ECONNRESET|enableOfflineQueue/i.test(message);
}
