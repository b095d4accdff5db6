// Deploy records in Redis: allocation of ids (docs/reference/vocabulary.md: d-YYYYMMDD-NNNN, per UTC day),
// compare-and-set updates (a record carries a revision; two workers or two approvers
// never overwrite each other), and the per-(project, market) history index.
import type { Redis } from 'ioredis';
import { formatDeployId, utcDay } from '../domain/deploy-id.ts';
import { canTransition, type DeployRecord, type DeployState, isTerminal } from '../domain/deploy-record.ts';
import { DeploybotError } from '../core/errors.ts';
import { CREATE_PENDING, PENDING_TTL_MS } from './pending-accepts.ts';
import type { RedisKeys } from './redis-keys.ts';

const CAS = `
local current = redis.call('GET', KEYS[1])
if ARGV[1] == '0' then
  if current then return 0 end
else
  if not current then return -1 end
  local rev = cjson.decode(current)['rev']
  if tostring(rev) ~= ARGV[1] then return 0 end
end
if tonumber(ARGV[3] or '0') > 0 then
  redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
else
  redis.call('SET', KEYS[1], ARGV[2])
end
return 1`;

/** The engine checkpoints of one deploy: its own, and those of its parts (gray cancel, app/execute-verb.ts). */
const CHECKPOINT_PARTS = [undefined, 'switch-back', 'redistribute'] as const;

export type NewDeployRecord = Omit<DeployRecord, 'id' | 'rev' | 'createdAt'> & { createdAt?: string };

/** Create the record pending an accept (pending-accepts.ts): through `redis`, refused past `deadlineMs` (Redis time). */
export interface PendingCreate {
  redis: Redis;
  deadlineMs: number;
}

export class DeployRecords {
  /**
   * `retentionMs`: once a deploy has ended, its record, events, checkpoints and result expire
   * this long after its last change (the config's `retention`); 0 keeps them.
   */
  constructor(private readonly redis: Redis, private readonly keys: RedisKeys, private readonly now: () => Date = () => new Date(), private readonly retentionMs = 0) {}

  async create(input: NewDeployRecord, pending?: PendingCreate): Promise<DeployRecord> {
    const redis = pending?.redis ?? this.redis;
    const at = input.createdAt ? new Date(input.createdAt) : this.now();
    const sequence = await redis.incr(this.keys.deploySequence(utcDay(at)));
    await redis.expire(this.keys.deploySequence(utcDay(at)), 3 * 24 * 3600);
    const record: DeployRecord = { ...input, id: formatDeployId(at, sequence), createdAt: at.toISOString(), rev: 1 };
    if (pending) {
      const created = await redis.eval(CREATE_PENDING, 3, this.keys.deploy(record.id), this.keys.history(record.project, record.market), this.keys.accepting(record.id),
        JSON.stringify(record), String(pending.deadlineMs), String(at.getTime()), record.id, String(PENDING_TTL_MS));
      if (created === -2) throw new DeploybotError('accept_deadline_passed', `${record.id} reached Redis after its accept deadline; not created`);
      if (created !== 1) throw new DeploybotError('deploy_id_taken', `deploy id ${record.id} already exists`);
      return record;
    }
    const stored = await this.redis.eval(CAS, 1, this.keys.deploy(record.id), '0', JSON.stringify(record));
    if (stored !== 1) throw new DeploybotError('deploy_id_taken', `deploy id ${record.id} already exists`);
    await this.redis.zadd(this.keys.history(record.project, record.market), at.getTime(), record.id);
    return record;
  }

  async get(id: string): Promise<DeployRecord | undefined> {
    const text = await this.redis.get(this.keys.deploy(id));
    return text ? (JSON.parse(text) as DeployRecord) : undefined;
  }

  async require(id: string): Promise<DeployRecord> {
    const record = await this.get(id);
    if (!record) throw new DeploybotError('unknown_deploy', `no deploy ${id}; \`history <project> <market>\` lists recent ones`);
    return record;
  }

  /**
   * Applies `change` atomically: it sees the current record and returns the next one, or
   * undefined to leave it as it is. Retried when another writer got there first.
   */
  async update(id: string, change: (record: DeployRecord) => DeployRecord | undefined): Promise<{ record: DeployRecord; changed: boolean }> {
    for (let attempt = 0; attempt < 50; attempt += 1) {
      const current = await this.require(id);
      const next = change(structuredClone(current));
      if (!next) return { record: current, changed: false };
      if (!canTransition(current.state, next.state)) {
        throw new DeploybotError('invalid_transition', `${id} cannot go from ${current.state} to ${next.state}`);
      }
      const written: DeployRecord = { ...next, rev: current.rev + 1 };
      const ttl = isTerminal(written.state) ? this.retentionMs : 0;
      const result = await this.redis.eval(CAS, 1, this.keys.deploy(id), String(current.rev), JSON.stringify(written), String(ttl));
      if (result === 1) {
        if (ttl > 0) await this.#expireFinished(id, ttl);
        return { record: written, changed: true };
      }
    }
    throw new DeploybotError('deploy_record_contended', `could not update ${id}: too many concurrent writers`);
  }

  /** What belongs to a finished deploy besides its record expires with it. */
  async #expireFinished(id: string, ttlMs: number): Promise<void> {
    const keys = [this.keys.deployEvents(id), this.keys.deployResult(id), ...CHECKPOINT_PARTS.map((part) => this.keys.checkpoint(part ? `${id}.${part}` : id))];
    await Promise.all(keys.map((key) => this.redis.pexpire(key, ttlMs)));
  }

  /** Entries of the (project, market) history older than `retentionMs` whose record expired are dropped (an unfinished deploy's stays). */
  async sweepHistory(project: string, market: string, nowMs: number): Promise<number> {
    if (this.retentionMs <= 0) return 0;
    const key = this.keys.history(project, market);
    const old = await this.redis.zrangebyscore(key, '-inf', `(${nowMs - this.retentionMs}`);
    const gone: string[] = [];
    for (const id of old) if ((await this.redis.exists(this.keys.deploy(id))) === 0) gone.push(id);
    return gone.length > 0 ? this.redis.zrem(key, ...gone) : 0;
  }

  /** Moves to `state` only from one of `from`; returns whether this caller made the move. */
  async transition(id: string, from: readonly DeployState[], state: DeployState, patch: Partial<DeployRecord> = {}): Promise<{ record: DeployRecord; changed: boolean }> {
    return this.update(id, (record) => (from.includes(record.state) ? { ...record, ...patch, state } : undefined));
  }

  /** The newest `limit` deploys of (project, market), newest first. */
  async history(project: string, market: string, limit: number): Promise<DeployRecord[]> {
    const ids = await this.redis.zrevrange(this.keys.history(project, market), 0, limit - 1);
    if (ids.length === 0) return [];
    const texts = await this.redis.mget(ids.map((id) => this.keys.deploy(id)));
    return texts.filter((t): t is string => t !== null).map((t) => JSON.parse(t) as DeployRecord);
  }
}
