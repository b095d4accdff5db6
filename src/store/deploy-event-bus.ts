// Publishes a deploy's notices so that notifiers in any process see them, in order per
// deploy (docs/reference/messages.md, issue "jobs" §6): each deploy keeps its own ordered list, and one
// stream announces "deploy X has news" to every notifier.
import type { Redis } from 'ioredis';
import type { DeployNotice } from '../deploy/deploy-notice.ts';
import type { RedisKeys } from './redis-keys.ts';

/** How long a deploy's notices are kept after its first one. */
export const EVENTS_KEEP_SECONDS = 14 * 24 * 3600;
/** Notices appended by one script call at most (Lua's `unpack` has a stack limit). */
const BATCH = 500;

/**
 * Lua: `append_notices(list, stream, deployId, keepSeconds, notices)` appends a deploy's notices
 * to its list (expiring a new one), announces them on the stream once, and returns the list's
 * length. Every script that publishes notices includes it (pending-accepts.ts too).
 */
export const APPEND_NOTICES_LUA = `
local function append_notices(list, stream, deploy_id, keep_seconds, notices)
  local n = redis.call('RPUSH', list, unpack(notices))
  if n == #notices then redis.call('EXPIRE', list, keep_seconds) end
  redis.call('XADD', stream, 'MAXLEN', '~', '100000', '*', 'deployId', deploy_id, 'n', tostring(n))
  return n
end`;

/** KEYS: deploy events, events stream. ARGV: deploy id, keep seconds, notice json… */
const APPEND = `${APPEND_NOTICES_LUA}
return append_notices(KEYS[1], KEYS[2], ARGV[1], ARGV[2], { unpack(ARGV, 3) })`;

export class DeployEventBus {
  constructor(private readonly redis: Redis, private readonly keys: RedisKeys) {}

  async publish(notice: DeployNotice): Promise<void> {
    await this.publishAll([notice]);
  }

  /**
   * Appends notices of one deploy, in order, and announces them once per call of the script:
   * a deploy that emits faster than Redis answers (a thousand hosts) publishes what piled up
   * while the last append was on its way in one round trip, not one each.
   */
  async publishAll(notices: readonly DeployNotice[]): Promise<void> {
    for (let i = 0; i < notices.length; i += BATCH) {
      const batch = notices.slice(i, i + BATCH);
      const deployId = batch[0]!.deployId;
      if (batch.some((n) => n.deployId !== deployId)) throw new RangeError('publishAll takes the notices of one deploy');
      await this.redis.eval(APPEND, 2, this.keys.deployEvents(deployId), this.keys.events(), deployId, String(EVENTS_KEEP_SECONDS), ...batch.map((n) => JSON.stringify(n)));
    }
  }

  /** Every notice of one deploy so far, in order. */
  async notices(deployId: string): Promise<DeployNotice[]> {
    const texts = await this.redis.lrange(this.keys.deployEvents(deployId), 0, -1);
    return texts.map((t) => JSON.parse(t) as DeployNotice);
  }

  /** The notices of one deploy from index `from` on (a watcher that has the earlier ones reads only these). */
  async noticesFrom(deployId: string, from: number): Promise<DeployNotice[]> {
    const texts = await this.redis.lrange(this.keys.deployEvents(deployId), Math.max(0, from), -1);
    return texts.map((t) => JSON.parse(t) as DeployNotice);
  }

  /** The stream id to read announcements after (`$` = from now on). */
  async latestId(): Promise<string> {
    const rows = await this.redis.xrevrange(this.keys.events(), '+', '-', 'COUNT', 1);
    return rows[0]?.[0] ?? '0-0';
  }

  /**
   * Waits up to `blockMs` for announcements after `afterId`, on a connection of its own
   * (a blocking read would stall every other command on a shared one).
   */
  async readAnnouncements(reader: Redis, afterId: string, blockMs: number): Promise<{ lastId: string; deployIds: string[] }> {
    const reply = (await reader.xread('COUNT', 500, 'BLOCK', blockMs, 'STREAMS', this.keys.events(), afterId)) as [string, [string, string[]][]][] | null;
    if (!reply || reply.length === 0) return { lastId: afterId, deployIds: [] };
    const entries = reply[0]![1];
    const deployIds = [...new Set(entries.map(([, fields]) => fields[1]!))];
    return { lastId: entries.at(-1)![0], deployIds };
  }
}
