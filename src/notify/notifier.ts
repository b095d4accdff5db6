// Renders deploys into chat (docs/reference/messages.md). It listens to the bus's announcements ("deploy X has
// new notices", announcement-listener.ts) and for each announced deploy reads the notices it has
// not seen yet, folds them into the deploy's state and renders that (deploy-renderer.ts), one
// render of a deploy at a time with retries (render-scheduler.ts). A render from the folded
// state is idempotent and order-safe, so several notifier processes may run side by side; the
// post-once claims in Redis make sure only one of them posts each message. `settled`
// (wait-settled.ts) tells when what a deploy has published so far is shown.
import type { Redis } from 'ioredis';
import type { Config } from '../../config/load-config.ts';
import type { Messenger, Platform, TrackedJob } from '../core/chat-types.ts';
import type { Logger } from '../core/logger.ts';
import type { DeployEventBus } from '../store/deploy-event-bus.ts';
import type { DeployRecords } from '../store/deploy-records.ts';
import type { RedisKeys } from '../store/redis-keys.ts';
import { AnnouncementListener } from './announcement-listener.ts';
import { DeployRenderer, type DetailsUrl, type LogUploader, type NoticeObserver } from './deploy-renderer.ts';
import { MessageClaims } from './message-claims.ts';
import type { EditorFactory } from './message-editor.ts';
import { RenderScheduler } from './render-scheduler.ts';
import { waitSettled, type WaitSettledOptions } from './wait-settled.ts';

export interface NotifierOptions {
  bus: DeployEventBus;
  records: DeployRecords;
  /** For reads and post-once claims; the blocking read of announcements uses `redis.duplicate()`. */
  redis: Redis;
  keys: RedisKeys;
  config: Config;
  messengers: Partial<Record<Platform, Messenger>>;
  /** Edits posted messages. @defaultValue a ThrottledEditor per platform (`throttledEditors`) */
  editorFor?: EditorFactory;
  logger: Logger;
  now?: () => Date;
  /** How long one blocking read of announcements waits. @defaultValue 5000 */
  blockMs?: number;
  /** A post claimed by a notifier that vanished is taken over after this. @defaultValue 30000 */
  claimTimeoutMs?: number;
  /** How often `settled()` re-checks a deploy between renders. @defaultValue 250 */
  pollMs?: number;
  /** `settled()`: how long to wait for the notice of a state the record already shows. @defaultValue 3000 */
  stateNoticeGraceMs?: number;
  /** A preparing or running deploy is rendered again this often, so its running step's time moves. @defaultValue 10000 */
  refreshMs?: number;
  /** Failed renders of one deploy retried (with back-off) before it is left as it is. @defaultValue 5 */
  maxRenderFailures?: number;
  observers?: readonly NoticeObserver[];
  /** Per platform: how a failed or partial deploy's full log is attached (once) to its progress message. */
  uploadLog?: Partial<Record<Platform, LogUploader>>;
  /** Every progress message links to the deploy's page with this (docs/deploy-page.md). */
  detailsUrl?: DetailsUrl;
}

export class Notifier {
  readonly #listener: AnnouncementListener;
  readonly #scheduler: RenderScheduler;
  readonly #renderer: DeployRenderer;
  readonly #settled: WaitSettledOptions;
  #stopped = false;

  constructor(options: NotifierOptions) {
    const logger = options.logger.child({ component: 'notifier' });
    const stopped = () => this.#stopped;
    const claims = new MessageClaims(options.redis, options.keys, {
      ...(options.claimTimeoutMs !== undefined ? { claimTimeoutMs: options.claimTimeoutMs } : {}),
      ...(options.now ? { now: options.now } : {}),
    });
    this.#renderer = new DeployRenderer({
      bus: options.bus,
      records: options.records,
      config: options.config,
      messengers: options.messengers,
      claims,
      logger,
      ...(options.editorFor ? { editorFor: options.editorFor } : {}),
      ...(options.observers ? { observers: options.observers } : {}),
      ...(options.uploadLog ? { uploadLog: options.uploadLog } : {}),
      ...(options.now ? { now: options.now } : {}),
      ...(options.detailsUrl ? { detailsUrl: options.detailsUrl } : {}),
    });
    this.#scheduler = new RenderScheduler({ render: (deployId, track) => this.#renderer.render(deployId, track), stopped, maxRenderFailures: options.maxRenderFailures ?? 5, logger, ...(options.refreshMs !== undefined ? { refreshMs: options.refreshMs } : {}) });
    this.#listener = new AnnouncementListener({ bus: options.bus, redis: options.redis, blockMs: options.blockMs ?? 5000, logger, onAnnounced: (deployId) => this.#scheduler.schedule(deployId) });
    this.#settled = {
      scheduler: this.#scheduler,
      records: options.records,
      redis: options.redis,
      keys: options.keys,
      pollMs: options.pollMs ?? 250,
      stateNoticeGraceMs: options.stateNoticeGraceMs ?? 3000,
      stopped,
      logger,
    };
  }

  /** Starts listening for announcements published from now on. */
  async start(): Promise<void> {
    if (this.#listener.listening) return;
    this.#stopped = false;
    await this.#listener.start();
  }

  /** Stops listening, lets renders in flight finish, closes the editors it created. */
  async stop(): Promise<void> {
    this.#stopped = true;
    await this.#listener.stop();
    await this.#scheduler.drain();
    this.#renderer.closeEditors();
    this.#scheduler.wakeAll();
  }

  /**
   * Resolves once the deploy's record is idle (finished, or parked awaiting approval) and this
   * notifier has rendered every notice published so far for it, its edits landed.
   */
  settled(deployId: string): Promise<void> {
    return waitSettled(this.#settled, deployId);
  }

  /** What a command handler hands to `IncomingCommand.track` (the console's `wait`). */
  trackedJob(deployId: string): TrackedJob {
    return { deployId, idle: () => this.settled(deployId) };
  }
}
