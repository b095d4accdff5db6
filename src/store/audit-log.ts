// The audit history (docs/reference/approval-and-policy.md): every command, decision and outcome, with who and when.
// A Redis stream: append-only, ordered, readable from any process.
import type { Redis } from 'ioredis';
import type { RedisKeys } from './redis-keys.ts';

export interface AuditEntry {
  at: string;
  user: string;
  action: string;
  deployId?: string;
  project?: string;
  market?: string;
  detail?: string;
}

export class AuditLog {
  constructor(private readonly redis: Redis, private readonly keys: RedisKeys) {}

  async append(entry: AuditEntry): Promise<void> {
    await this.redis.xadd(this.keys.audit(), 'MAXLEN', '~', '100000', '*', 'entry', JSON.stringify(entry));
  }

  /** Entries older than `olderThanMs` (epoch ms) are dropped. */
  async sweep(olderThanMs: number): Promise<number> {
    return (await this.redis.xtrim(this.keys.audit(), 'MINID', '~', String(Math.max(0, Math.floor(olderThanMs))))) as number;
  }

  /** The newest entries first. */
  async recent(count: number, filter: (entry: AuditEntry) => boolean = () => true): Promise<AuditEntry[]> {
    const rows = await this.redis.xrevrange(this.keys.audit(), '+', '-', 'COUNT', Math.max(count * 20, 200));
    const entries = rows.map(([, fields]) => JSON.parse(fields[1] ?? '{}') as AuditEntry).filter(filter);
    return entries.slice(0, count);
  }
}
