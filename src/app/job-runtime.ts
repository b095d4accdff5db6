// Everything the job layer works with, built once per process: Redis-backed records,
// locks, history and the event bus, the BullMQ queue, the release store and the config.
import { randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import type { Config } from '../../config/load-config.ts';
import type { Messenger, Platform } from '../core/chat-types.ts';
import type { CommandRegistry } from '../core/command-registry.ts';
import type { Logger } from '../core/logger.ts';
import { processRedactor } from '../core/process-redactor.ts';
import type { Redactor } from '../core/redactor.ts';
import type { SandboxTool } from '../deploy/repository-sandbox.ts';
import type { TransportFactory } from '../deploy/transports/host-transport.ts';
import type { DeployRecord, DeployState } from '../domain/deploy-record.ts';
import { AuditLog } from '../store/audit-log.ts';
import { DeployEventBus } from '../store/deploy-event-bus.ts';
import { DeployRecords } from '../store/deploy-records.ts';
import { HumanLocks } from '../store/human-locks.ts';
import { ChatFreezes } from '../store/chat-freezes.ts';
import { PendingAccepts } from '../store/pending-accepts.ts';
import { LocationLock } from '../store/location-lock.ts';
import { PrepareLease } from '../store/prepare-lease.ts';
import { redactRedisWrites } from '../store/redact-redis-writes.ts';
import { RedisKeys } from '../store/redis-keys.ts';
import { ReleaseHistory } from '../store/release-history.ts';
import type { ReleaseStore } from '../store/release-store.ts';
import { ACCEPT_TIMEOUT_MS } from './accept-deadline.ts';
import type { JobNotice } from '../deploy/deploy-notice.ts';

export const DEPLOY_QUEUE = 'deploys';

/**
 * TTL of a running deploy's location lease (run-deploy-job.ts), renewed every TTL/10 (keep-lease.ts).
 * It is what keeps a live execution's lease through a Redis outage, so it must exceed renew
 * interval + outage + reconnect: 0.5 s + ~3.4 s (a Redis restart) + ≤ 0.6 s backoff ≈ 4.5 s.
 * It does not bound takeover after a death: a worker frees the lease of a process whose Redis
 * connection is gone at once (redis-lease.ts `freeIfHolderGone`), ~3 s after a SIGKILL; the TTL
 * decides only when that cannot be told (docs/operations.md "When a worker dies").
 */
export const LOCATION_LEASE_MS = 5000;

/** TTL of a deploy's prepare lease (prepare-deploy.ts): the location lease's, for the same reasons (tests stall past LOCATION_LEASE_MS). */
const PREPARE_LEASE_MS = LOCATION_LEASE_MS;

export interface JobRuntimeOptions {
  config: Config;
  /** The declared verbs: which prepare, need approval, check pass-in (commands/). */
  commands: CommandRegistry;
  redisUrl: string;
  releases: ReleaseStore;
  dataDir: string;
  logger: Logger;
  /** Redis key prefix. @defaultValue 'deploybot' */
  prefix?: string;
  /** Messengers by platform, for the first answer of an accepted command. */
  messengers?: Partial<Record<Platform, Messenger>>;
  /** Host transports (tests); default SSH or local from the config. */
  transport?: TransportFactory;
  /** Where bubblewrap is, for repository code (tests point it at a missing binary). */
  sandbox?: SandboxTool;
  now?: () => Date;
  /** The process's redactor: applied to everything written to Redis and to the engine's output. @defaultValue processRedactor(config) */
  redactor?: Redactor;
  /** How long Redis has to answer while a command is accepted. @defaultValue ACCEPT_TIMEOUT_MS (5 s) */
  acceptTimeoutMs?: number;
}

export class JobRuntime {
  readonly config: Config;
  readonly commands: CommandRegistry;
  readonly redis: Redis;
  readonly keys: RedisKeys;
  readonly records: DeployRecords;
  readonly audit: AuditLog;
  readonly locationLock: LocationLock;
  readonly prepareLease: PrepareLease;
  readonly humanLocks: HumanLocks;
  readonly chatFreezes: ChatFreezes;
  readonly history: ReleaseHistory;
  readonly bus: DeployEventBus;
  readonly queue: Queue;
  /**
   * For accepting commands: no offline queue and no resending after a reconnect, so a
   * command's writes either reach Redis while the user waits or fail — nothing lingers in
   * the client to run when Redis returns (accept-deadline.ts).
   */
  readonly acceptRedis: Redis;
  /** The deploy queue on `acceptRedis`: an accept's job is added there. */
  readonly acceptQueue: Queue;
  readonly pendingAccepts: PendingAccepts;
  readonly acceptTimeoutMs: number;
  readonly releases: ReleaseStore;
  readonly dataDir: string;
  readonly logger: Logger;
  readonly messengers: Partial<Record<Platform, Messenger>>;
  readonly transport: TransportFactory | undefined;
  readonly sandbox: SandboxTool;
  readonly now: () => Date;
  readonly redisUrl: string;
  readonly redactor: Redactor;

  constructor(options: JobRuntimeOptions) {
    this.config = options.config;
    this.commands = options.commands;
    this.redisUrl = options.redisUrl;
    this.redactor = options.redactor ?? processRedactor(options.config);
    // the leases are renewed on this connection; its name (set again on every reconnect) tells
    // another worker whether this process is still there (redis-lease.ts `freeIfHolderGone`)
    this.redis = redactRedisWrites(new Redis(options.redisUrl, { maxRetriesPerRequest: null, connectionName: `deploybot-lease-${process.pid}-${randomUUID()}` }), this.redactor);
    this.keys = new RedisKeys(options.prefix);
    this.now = options.now ?? (() => new Date());
    this.records = new DeployRecords(this.redis, this.keys, this.now, options.config.retention);
    this.audit = new AuditLog(this.redis, this.keys);
    this.locationLock = new LocationLock(this.redis, this.keys, LOCATION_LEASE_MS);
    this.prepareLease = new PrepareLease(this.redis, this.keys, PREPARE_LEASE_MS);
    this.humanLocks = new HumanLocks(this.redis, this.keys);
    this.chatFreezes = new ChatFreezes(this.redis, this.keys);
    this.history = new ReleaseHistory(this.redis, this.keys);
    this.bus = new DeployEventBus(this.redis, this.keys);
    this.releases = options.releases;
    this.dataDir = options.dataDir;
    this.logger = options.logger;
    // while Redis is away (a restart) every connection retries; say so through the logger
    // instead of ioredis' and BullMQ's own "Unhandled error event" lines on stderr
    this.redis.on('error', this.#onRedisError);
    this.queue = new Queue(DEPLOY_QUEUE, { connection: this.newConnection(), prefix: this.keys.bullPrefix() });
    this.queue.on('error', this.#onRedisError);
    this.acceptTimeoutMs = options.acceptTimeoutMs ?? ACCEPT_TIMEOUT_MS;
    this.acceptRedis = new Redis(options.redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 0, autoResendUnfulfilledCommands: false, commandTimeout: this.acceptTimeoutMs });
    this.acceptRedis.on('error', this.#onRedisError);
    this.acceptQueue = new Queue(DEPLOY_QUEUE, { connection: this.acceptRedis, prefix: this.keys.bullPrefix() });
    this.acceptQueue.on('error', this.#onRedisError);
    this.pendingAccepts = new PendingAccepts(this.keys);
    this.messengers = options.messengers ?? {};
    this.transport = options.transport;
    this.sandbox = options.sandbox ?? {};
  }

  readonly #connections: Redis[] = [];
  readonly #onRedisError = (error: Error): void => this.logger.warn('redis connection error; retrying', { error: error.message });

  /** A Redis connection of its own (BullMQ workers and blocking reads need one each); closed with the runtime. */
  newConnection(): Redis {
    const connection = redactRedisWrites(new Redis(this.redisUrl, { maxRetriesPerRequest: null }), this.redactor);
    connection.on('error', this.#onRedisError);
    this.#connections.push(connection);
    connection.once('end', () => this.#connections.splice(this.#connections.indexOf(connection) >>> 0, 1));
    return connection;
  }

  async notify(deployId: string, notice: JobNotice): Promise<void> {
    await this.bus.publish({ ...notice, deployId, at: this.now().toISOString() });
  }

  /** Moves a deploy to `state` (only from `from`), tells the watchers, audits it. */
  async setState(deployId: string, from: readonly DeployState[], state: DeployState, patch: Partial<DeployRecord> = {}, actor = 'deploybot'): Promise<DeployRecord | undefined> {
    const { record, changed } = await this.records.transition(deployId, from, state, patch);
    if (!changed) return undefined;
    await this.notify(deployId, { type: 'job.state', state, ...(record.reason ? { reason: record.reason } : {}), record });
    await this.audit.append({ at: this.now().toISOString(), user: actor, action: `state:${state}`, deployId, project: record.project, market: record.market, ...(record.reason ? { detail: record.reason } : {}) });
    return record;
  }

  /** `again` names a later job of the same phase (a rollout resumed after a pause): its own job id. */
  async enqueue(phase: JobPhase, deployId: string, delayMs = 0, queue: Queue = this.queue, again?: string): Promise<void> {
    await queue.add(phase, { deployId }, {
      jobId: `${deployId}.${phase}${again ? `.${again}` : ''}`,
      ...(delayMs > 0 ? { delay: delayMs } : {}),
      removeOnComplete: { age: 7 * 24 * 3600 },
      removeOnFail: { age: 30 * 24 * 3600 },
      attempts: 1,
    });
  }

  async close(): Promise<void> {
    await this.queue.close();
    await this.acceptQueue.close().catch(() => undefined);
    this.acceptRedis.disconnect();
    for (const connection of [...this.#connections]) connection.disconnect();
    this.redis.disconnect();
  }
}

export type JobPhase = 'prepare' | 'run' | 'expire';
