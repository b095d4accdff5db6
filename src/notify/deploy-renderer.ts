// Renders one deploy into chat from its notices, in order: the progress message (posted
// once, then edited in place), the approval card (posted once where the market's messages
// go, mentioning who can decide; edited once decided), warnings and size-span tables (posted once each), and a failed or
// partial deploy's full log attached once to its progress message where the platform can.
// Each render reads only the notices published since the last one (a cursor per deploy) and
// folds them into the deploy's state (deploy-view.ts), then renders from that state: the work
// of a render grows with the deploy's hosts, not with all the notices it ever sent. Rendering
// from the folded state is idempotent and order-safe; the post-once claims in Redis make sure
// only one notifier process posts each message. Observers see the new notices after each
// read, whether or not the deploy's platform has a messenger here.
import { createHash } from 'node:crypto';
import type { Config } from '../../config/load-config.ts';
import type { Messenger, MessageRef, OutgoingMessage, Platform } from '../core/chat-types.ts';
import { errorMessage } from '../core/errors.ts';
import type { Logger } from '../core/logger.ts';
import type { DeployNotice } from '../deploy/deploy-notice.ts';
import { type DeployRecord, isIdle } from '../domain/deploy-record.ts';
import type { DeployEventBus } from '../store/deploy-event-bus.ts';
import type { DeployRecords } from '../store/deploy-records.ts';
import { ownEntry } from '../core/own-entry.ts';
import { commitWebUrl } from '../domain/commit-web-url.ts';
import { channelFor } from './channel-for.ts';
import { type DeployFold, foldNotices, newDeployFold, viewOfFold } from './deploy-view.ts';
import type { MessageClaims } from './message-claims.ts';
import { type EditorFactory, type MessageEditor, throttledEditors } from './message-editor.ts';
import { renderApprovalCard } from './render-approval-card.ts';
import { renderDeployLog } from './render-deploy-log.ts';
import { renderProgress } from './render-progress.ts';
import type { RenderTrack } from './render-scheduler.ts';
import { renderSizeSpans } from './render-size-spans.ts';
import { renderWarning } from './render-warning.ts';

/**
 * Sees a deploy's notices in order as they are read: `notices` are the ones from index `from`
 * on (renders of one deploy never overlap, so neither do its observations). After a notifier
 * forgot a deploy it reads it again from 0, so an observer counting notices keeps its own
 * cursor. `claims` lets an observer make a duty once-only across notifier processes. Errors
 * are logged and never stop the render.
 */
export type NoticeObserver = (deployId: string, notices: readonly DeployNotice[], from: number, claims: MessageClaims) => Promise<void> | void;

/** Attaches a deploy's full log to its posted progress message (Slack: `uploadLog` into the thread). */
export type LogUploader = (progress: MessageRef, filename: string, content: string) => Promise<void>;

export interface DeployRendererOptions {
  bus: DeployEventBus;
  records: DeployRecords;
  config: Config;
  messengers: Partial<Record<Platform, Messenger>>;
  claims: MessageClaims;
  /** @defaultValue a ThrottledEditor per platform (`throttledEditors`) */
  editorFor?: EditorFactory;
  observers?: readonly NoticeObserver[];
  uploadLog?: Partial<Record<Platform, LogUploader>>;
  /** The deploy page's link for a deploy (undefined: pages are off). */
  detailsUrl?: DetailsUrl;
  logger: Logger;
  /** The current time, for how long a running step has run. @defaultValue the system clock */
  now?: () => Date;
}

export type DetailsUrl = (record: DeployRecord) => string | undefined;

const CACHE_LIMIT = 5000;
/** Deploys whose folded state is kept between renders; one forgotten is read again from its first notice. */
const FOLD_LIMIT = 500;

export class DeployRenderer {
  readonly #o: DeployRendererOptions;
  readonly #editors = new Map<Platform, MessageEditor>();
  /** Per message: the fingerprint of the last state handed to the editor, and of the last one known to have landed. */
  readonly #requested = new Map<string, string>();
  readonly #landed = new Map<string, string>();
  readonly #warned = new Set<string>();
  /** Per deploy: its notices folded so far (the cursor is `fold.count`). */
  readonly #folds = new Map<string, DeployFold>();

  constructor(options: DeployRendererOptions) {
    this.#o = options;
  }

  async render(deployId: string, track: RenderTrack): Promise<void> {
    const fold = this.#folds.get(deployId) ?? newDeployFold();
    const [fresh, stored] = await Promise.all([this.#o.bus.noticesFrom(deployId, fold.count), this.#o.records.get(deployId)]);
    const from = fold.count;
    foldNotices(fold, fresh);
    this.#keepFold(deployId, fold);
    const view = viewOfFold(fold, this.#o.config.people, this.#o.now?.() ?? new Date());
    track.attempt = { count: fold.count, ...(view.state ? { state: view.state } : {}) };
    if (fold.count === 0) return;
    if (fresh.length > 0) await this.#observe(deployId, fresh, from);
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

    const detailsUrl = this.#o.detailsUrl?.(record);
    if (detailsUrl) view.detailsUrl = detailsUrl;
    const commit = view.header.commit ?? view.approval?.plan?.commit;
    const repo = ownEntry(this.#o.config.projects, record.project)?.repo;
    const commitUrl = commit && repo ? commitWebUrl(repo, commit) : undefined;
    const links = commitUrl ? { commitUrl } : {};
    // a retry's progress goes in the thread of the deploy it finishes (docs/slack.md "Messages")
    const retried = record.verb === 'retry' && record.relatedDeployId ? await this.#o.claims.ref(record.relatedDeployId, 'progress') : undefined;
    const progress = { ...renderProgress(view, { links }), ...(retried ? { replyTo: retried } : {}) };
    const progressRef = await this.#show(deployId, 'progress', messenger, editor, channel, progress, parked);
    const uploadLog = this.#o.uploadLog?.[platform];
    if (uploadLog && view.finished && (view.state === 'failed' || view.state === 'partial')) {
      // After the final edit has landed (#show awaited it); a failed upload frees the claim and the render is retried.
      // The one full read of a deploy's notices, by the notifier that uploads its log.
      await this.#o.claims.namedOnce(deployId, 'log', async () => uploadLog(progressRef, `${deployId}.log`, renderDeployLog(await this.#o.bus.notices(deployId))));
    }

    const once = [
      ...view.warnings.map((w) => ({ index: w.index, message: () => renderWarning(w.warning, { deployId }) })),
      ...view.sizeSpans.map((s) => ({ index: s.index, message: () => renderSizeSpans({ report: s.report, release: s.release, version: s.version, deployId }) })),
    ].sort((a, b) => a.index - b.index);
    for (const item of once) await this.#o.claims.noticeOnce(deployId, item.index, () => messenger.post(channel, item.message()));

    if (view.approval) {
      const card = renderApprovalCard({ ...view, approval: view.approval }, undefined, links);
      await this.#show(deployId, 'approval', messenger, editor, channel, card, parked || view.approval.status !== 'pending');
    }
    // Shown to the end: nothing more will change, so its state need not be kept.
    if (view.finished) this.#folds.delete(deployId);
  }

  /** Closes the editors it created. */
  closeEditors(): void {
    for (const editor of this.#editors.values()) editor.close?.();
    this.#editors.clear();
  }

  /** Keeps the fold as the newest used, forgetting the least recently rendered past FOLD_LIMIT. */
  #keepFold(deployId: string, fold: DeployFold): void {
    this.#folds.delete(deployId);
    this.#folds.set(deployId, fold);
    if (this.#folds.size > FOLD_LIMIT) this.#folds.delete(this.#folds.keys().next().value!);
  }

  async #observe(deployId: string, notices: readonly DeployNotice[], from: number): Promise<void> {
    for (const observer of this.#o.observers ?? []) {
      try {
        await observer(deployId, notices, from, this.#o.claims);
      } catch (error) {
        this.#o.logger.warn('a notice observer failed; it sees this deploy again with its next notice', { deployId, error: errorMessage(error) });
      }
    }
  }

  /** Posts the deploy's message `field` once (across notifiers), else brings it up to date; returns its ref. */
  async #show(deployId: string, field: string, messenger: Messenger, editor: MessageEditor, channel: string, message: OutgoingMessage, land: boolean): Promise<MessageRef> {
    const { ref, posted } = await this.#o.claims.once(deployId, field, () => messenger.post(channel, message));
    const key = refKey(ref);
    const text = fingerprint(message);
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
    this.#o.logger.warn(message, fields);
  }
}

/** A short digest of a message, so the caches above stay small however large the messages are. */
function fingerprint(message: OutgoingMessage): string {
  return createHash('sha256').update(JSON.stringify(message)).digest('base64');
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
