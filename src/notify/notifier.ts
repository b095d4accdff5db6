// Renders deploys into chat (SPEC §8). It listens to the bus's announcements ("deploy X has
// new notices") on a Redis connection of its own, and for each announced deploy re-reads
// *all* its notices and renders them: the progress message (posted once, then edited in
// place), the approval card (posted once in the command's channel, edited once decided),
// warnings and size-span tables (posted once each). Rendering from the full ordered list is
// idempotent and order-safe, so several notifier processes may run side by side; the
// post-once claims in Redis make sure only one of them posts each message. A failed or
// partial deploy's full log is attached once to its progress message where the platform
// can (Slack: a file in the message's thread). Observers (metrics) see every deploy's
// notices after each read, whether or not its platform has a messenger here.
import { setTimeout as delay } from 'node:timers/promises';
import type { Redis } from 'ioredis';
import type { Config } from '../../config/load-config.ts';
import { channelFor } from '../app/channel-for.ts';
import type { DeployNotice } from '../app/deploy-notice.ts';
import type { Messenger, MessageRef, OutgoingMessage, Platform, TrackedJob } from '../core/chat-types.ts';
import { DeploybotError, errorMessage } from '../core/errors.ts';
import type { Logger } from '../core/logger.ts';
import { type DeployState, isIdle, isTerminal } from '../domain/deploy-record.ts';
import type { DeployEventBus } from '../store/deploy-event-bus.ts';
import type { DeployRecords } from '../store/deploy-records.ts';
import type { RedisKeys } from '../store/redis-keys.ts';
import { reduceNotices } from './deploy-view.ts';
import { MessageClaims } from './message-claims.ts';
import { type EditorFactory, type MessageEditor, throttledEditors } from './message-editor.ts';
import { renderApprovalCard } from './render-approval-card.ts';
import { renderDeployLog } from './render-deploy-log.ts';
import { renderProgress } from './render-progress.ts';
import { renderSizeSpans } from './render-size-spans.ts';
import { renderWarning } from './render-warning.ts';

/**
 * Sees a deploy's notices, all of them in order, after every read (renders of one deploy
 * never overlap, so neither do its observations). `claims` lets an observer make a duty
 * once-only across notifier processes. Errors are logged and never stop the render.
 */
export type NoticeObserver = (deployId: string, notices: readonly DeployNotice[], claims: MessageClaims) => Promise<void> | void;

/** Attaches a deploy's full log to its posted progress message (Slack: `uploadLog` into the thread). */
export type LogUploader = (progress: MessageRef, filename: string, content: string) => Promise<void>;

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
  /** Failed renders of one deploy retried (with back-off) before it is left as it is. @defaultValue 5 */
  maxRenderFailures?: number;
  observers?: readonly NoticeObserver[];
  /** Per platform: how a failed or partial deploy's full log is attached (once) to its progress message. */
  uploadLog?: Partial<Record<Platform, LogUploader>>;
}

interface Track {
  running: boolean;
  dirty: boolean;
  current?: Promise<void>;
  /** Notices covered by the last render that succeeded (or was given up), and their state. */
  renderedCount: number;
  renderedState?: DeployState;
  attempt?: { count: number; state?: DeployState };
  failures: number;
  retry?: NodeJS.Timeout;
  listeners: Set<() => void>;
}

const CACHE_LIMIT = 5000;

export class Notifier {
  readonly #o: Required<Pick<NotifierOptions, 'blockMs' | 'pollMs' | 'stateNoticeGraceMs' | 'maxRenderFailures'>> & NotifierOptions;
  readonly #logger: Logger;
  readonly #claims: MessageClaims;
  readonly #tracks = new Map<string, Track>();
  readonly #editors = new Map<Platform, MessageEditor>();
  /** Per message: the last state handed to the editor, and the last one known to have landed. */
  readonly #requested = new Map<string, string>();
  readonly #landed = new Map<string, string>();
  readonly #warned = new Set<string>();
  #reader: Redis | undefined;
  #loop: Promise<void> | undefined;
  #stopped = false;
  #abort = new AbortController();

  constructor(options: NotifierOptions) {
    this.#o = {
      ...options,
      blockMs: options.blockMs ?? 5000,
      pollMs: options.pollMs ?? 250,
      stateNoticeGraceMs: options.stateNoticeGraceMs ?? 3000,
      maxRenderFailures: options.maxRenderFailures ?? 5,
    };
    this.#logger = options.logger.child({ component: 'notifier' });
    this.#claims = new MessageClaims(options.redis, options.keys, {
      ...(options.claimTimeoutMs !== undefined ? { claimTimeoutMs: options.claimTimeoutMs } : {}),
      ...(options.now ? { now: options.now } : {}),
    });
  }

  /** Starts listening for announcements published from now on. */
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

  /** Stops listening, lets renders in flight finish, closes the editors it created. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#abort.abort();
    this.#reader?.disconnect();
    await this.#loop;
    this.#loop = undefined;
    this.#reader = undefined;
    for (const track of this.#tracks.values()) clearTimeout(track.retry);
    await Promise.allSettled([...this.#tracks.values()].map((track) => track.current));
    for (const editor of this.#editors.values()) editor.close?.();
    this.#editors.clear();
    for (const track of this.#tracks.values()) wake(track);
  }

  /**
   * Resolves once the deploy's record is idle (finished, or parked awaiting approval) and this
   * notifier has rendered every notice published so far for it, its edits landed.
   */
  async settled(deployId: string): Promise<void> {
    let idleSince: number | undefined;
    for (;;) {
      if (this.#stopped) throw new DeploybotError('notifier_stopped', `the notifier stopped before ${deployId} settled`);
      const track = this.#track(deployId);
      const next = nextRender(track);
      try {
        if (!track.running) {
          const [record, published] = await Promise.all([this.#o.records.get(deployId), this.#o.redis.llen(this.#o.keys.deployEvents(deployId))]);
          if (!record) return;
          if (!track.running) {
            if (published > track.renderedCount) {
              if (!track.retry) this.#schedule(deployId);
            } else if (isIdle(record.state)) {
              if (track.renderedState === record.state) return;
              idleSince ??= Date.now();
              if (Date.now() - idleSince >= this.#o.stateNoticeGraceMs) {
                this.#logger.warn('deploy record is idle but no notice told its state; treating it as settled', { deployId, state: record.state, rendered: track.renderedState });
                return;
              }
            } else {
              idleSince = undefined;
            }
          }
        }
        await Promise.race([next.promise, delay(this.#o.pollMs)]);
      } finally {
        next.cancel();
      }
    }
  }

  /** What a command handler hands to `IncomingCommand.track` (the console's `wait`). */
  trackedJob(deployId: string): TrackedJob {
    return { deployId, idle: () => this.settled(deployId) };
  }

  async #listen(reader: Redis, from: string): Promise<void> {
    let lastId = from;
    while (!this.#stopped) {
      try {
        const { lastId: next, deployIds } = await this.#o.bus.readAnnouncements(reader, lastId, this.#o.blockMs);
        lastId = next;
        for (const deployId of deployIds) this.#schedule(deployId);
      } catch (error) {
        if (this.#stopped) return;
        this.#logger.warn('reading deploy announcements failed; retrying in 1 s', { error: errorMessage(error) });
        await delay(1000, undefined, { signal: this.#abort.signal }).catch(() => undefined);
      }
    }
  }

  #track(deployId: string): Track {
    let track = this.#tracks.get(deployId);
    if (!track) {
      track = { running: false, dirty: false, renderedCount: 0, failures: 0, listeners: new Set() };
      this.#tracks.set(deployId, track);
    }
    return track;
  }

  /** Renders the deploy now, or once more after the render in flight (renders never overlap). */
  #schedule(deployId: string): void {
    if (this.#stopped) return;
    const track = this.#track(deployId);
    if (track.running) {
      track.dirty = true;
      return;
    }
    clearTimeout(track.retry);
    delete track.retry;
    track.running = true;
    track.current = this.#drain(deployId, track);
  }

  async #drain(deployId: string, track: Track): Promise<void> {
    try {
      do {
        track.dirty = false;
        await this.#renderOnce(deployId, track);
      } while (track.dirty && !this.#stopped);
    } finally {
      track.running = false;
      const done = track.failures === 0 && track.renderedState !== undefined && isTerminal(track.renderedState);
      if (done && track.listeners.size === 0 && this.#tracks.get(deployId) === track) this.#tracks.delete(deployId);
      wake(track);
    }
  }

  async #renderOnce(deployId: string, track: Track): Promise<void> {
    try {
      await this.#render(deployId, track);
      track.renderedCount = track.attempt?.count ?? 0;
      if (track.attempt?.state !== undefined) track.renderedState = track.attempt.state;
      track.failures = 0;
    } catch (error) {
      if (this.#stopped) return;
      track.failures += 1;
      if (track.failures >= this.#o.maxRenderFailures) {
        this.#logger.error('could not show this deploy in chat; giving up until its next notice', { deployId, attempts: track.failures, error: errorMessage(error) });
        track.renderedCount = track.attempt?.count ?? track.renderedCount;
        if (track.attempt?.state !== undefined) track.renderedState = track.attempt.state;
        track.failures = 0;
        return;
      }
      const retryInMs = Math.min(30_000, 500 * 2 ** (track.failures - 1));
      this.#logger.warn('showing a deploy in chat failed; retrying', { deployId, attempt: track.failures, retryInMs, error: errorMessage(error) });
      track.retry = setTimeout(() => {
        delete track.retry;
        this.#schedule(deployId);
      }, retryInMs);
      track.retry.unref();
    }
  }

  async #render(deployId: string, track: Track): Promise<void> {
    const [notices, stored] = await Promise.all([this.#o.bus.notices(deployId), this.#o.records.get(deployId)]);
    const view = reduceNotices(notices, this.#o.config.people);
    track.attempt = { count: notices.length, ...(view.state ? { state: view.state } : {}) };
    if (notices.length === 0) return;
    await this.#observe(deployId, notices);
    const record = stored ?? view.record;
    if (!record) {
      this.#warnOnce(`record:${deployId}`, 'notices of a deploy without a record; nothing to show', { deployId });
      return;
    }
    const platform = record.platform as Platform;
    const messenger = this.#o.messengers[platform];
    if (!messenger) {
      this.#warnOnce(`platform:${platform}`, 'no messenger for this platform; its deploys are not shown in chat', { platform, deployId });
      return;
    }
    const editor = this.#editor(platform, messenger);
    const channel = channelFor(this.#o.config, record.project, record.market, record.channel, record.platform);
    const parked = view.state !== undefined && isIdle(view.state);

    const progress = renderProgress(view);
    const progressRef = await this.#show(deployId, 'progress', messenger, editor, channel, progress, parked);
    const uploadLog = this.#o.uploadLog?.[platform];
    if (uploadLog && view.finished && (view.state === 'failed' || view.state === 'partial')) {
      // After the final edit has landed (#show awaited it); a failed upload frees the claim and the render is retried.
      await this.#claims.namedOnce(deployId, 'log', () => uploadLog(progressRef, `${deployId}.log`, renderDeployLog(notices)));
    }

    const once = [
      ...view.warnings.map((w) => ({ index: w.index, message: () => renderWarning(w.warning, { deployId }) })),
      ...view.sizeSpans.map((s) => ({ index: s.index, message: () => renderSizeSpans({ report: s.report, release: s.release, version: s.version, deployId }) })),
    ].sort((a, b) => a.index - b.index);
    for (const item of once) await this.#claims.noticeOnce(deployId, item.index, () => messenger.post(channel, item.message()));

    if (view.approval) {
      const card = renderApprovalCard({ ...view, approval: view.approval });
      await this.#show(deployId, 'approval', messenger, editor, record.channel || channel, card, parked || view.approval.status !== 'pending');
    }
  }

  async #observe(deployId: string, notices: readonly DeployNotice[]): Promise<void> {
    for (const observer of this.#o.observers ?? []) {
      try {
        await observer(deployId, notices, this.#claims);
      } catch (error) {
        this.#logger.warn('a notice observer failed; it sees this deploy again with its next notice', { deployId, error: errorMessage(error) });
      }
    }
  }

  /** Posts the deploy's message `field` once (across notifiers), else brings it up to date; returns its ref. */
  async #show(deployId: string, field: string, messenger: Messenger, editor: MessageEditor, channel: string, message: OutgoingMessage, land: boolean): Promise<MessageRef> {
    const { ref, posted } = await this.#claims.once(deployId, field, () => messenger.post(channel, message));
    const key = refKey(ref);
    const text = JSON.stringify(message);
    if (posted) {
      remember(this.#requested, key, text);
      remember(this.#landed, key, text);
    } else if (land) {
      if (this.#landed.get(key) === text) return ref;
      await editor.finish(ref, message);
      remember(this.#landed, key, text);
      remember(this.#requested, key, text);
    } else {
      if (this.#requested.get(key) === text) return ref;
      editor.update(ref, message);
      remember(this.#requested, key, text);
      this.#landed.delete(key);
    }
    return ref;
  }

  #editor(platform: Platform, messenger: Messenger): MessageEditor {
    let editor = this.#editors.get(platform);
    if (!editor) {
      editor = (this.#o.editorFor ?? throttledEditors)(platform, messenger);
      this.#editors.set(platform, editor);
    }
    return editor;
  }

  #warnOnce(key: string, message: string, fields: Record<string, unknown>): void {
    if (this.#warned.has(key)) return;
    this.#warned.add(key);
    this.#logger.warn(message, fields);
  }
}

function nextRender(track: Track): { promise: Promise<void>; cancel(): void } {
  let listener: () => void = () => undefined;
  const promise = new Promise<void>((resolve) => {
    listener = resolve;
    track.listeners.add(listener);
  });
  return { promise, cancel: () => track.listeners.delete(listener) };
}

function wake(track: Track): void {
  const listeners = [...track.listeners];
  track.listeners.clear();
  for (const listener of listeners) listener();
}

function refKey(ref: MessageRef): string {
  return `${ref.channel}\u0000${ref.id}`;
}

/** Sets a cache entry, forgetting the oldest ones past CACHE_LIMIT. */
function remember(cache: Map<string, string>, key: string, value: string): void {
  cache.delete(key);
  cache.set(key, value);
  if (cache.size > CACHE_LIMIT) {
    const oldest = cache.keys().next().value;
    if (oldest !== undefined) cache.delete(oldest);
  }
}
