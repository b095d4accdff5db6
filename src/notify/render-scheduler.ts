// When the notifier renders a deploy: now, or once more after the render in flight (renders
// of one deploy never overlap); a failed render is retried with back-off, and given up after
// `maxRenderFailures` until the deploy's next notice. A deploy still preparing or running is
// rendered again every `refreshMs` without a new notice, so a long hook's elapsed time moves.
// Waiters (`settled`) are woken after every render.
import type { Logger } from '../core/logger.ts';
import { errorMessage } from '../core/errors.ts';
import { type DeployState, isTerminal } from '../domain/deploy-record.ts';

/** One deploy's render bookkeeping. */
export interface RenderTrack {
  running: boolean;
  dirty: boolean;
  current?: Promise<void>;
  /** Notices covered by the last render that succeeded (or was given up), and their state. */
  renderedCount: number;
  renderedState?: DeployState;
  /** Set by the render: the notices it read, and the state they show. */
  attempt?: { count: number; state?: DeployState };
  failures: number;
  retry?: NodeJS.Timeout;
  refresh?: NodeJS.Timeout;
  listeners: Set<() => void>;
}

export interface RenderSchedulerOptions {
  /** Renders everything the deploy's notices show; sets `track.attempt` once it has read them. */
  render(deployId: string, track: RenderTrack): Promise<void>;
  /** Whether the notifier has stopped (no new renders or retries). */
  stopped(): boolean;
  maxRenderFailures: number;
  logger: Logger;
  /** @defaultValue 10000 */
  refreshMs?: number;
}

export class RenderScheduler {
  readonly #o: RenderSchedulerOptions;
  readonly #tracks = new Map<string, RenderTrack>();

  constructor(options: RenderSchedulerOptions) {
    this.#o = options;
  }

  track(deployId: string): RenderTrack {
    let track = this.#tracks.get(deployId);
    if (!track) {
      track = { running: false, dirty: false, renderedCount: 0, failures: 0, listeners: new Set() };
      this.#tracks.set(deployId, track);
    }
    return track;
  }

  /** Renders the deploy now, or once more after the render in flight (renders never overlap). */
  schedule(deployId: string): void {
    if (this.#o.stopped()) return;
    const track = this.track(deployId);
    if (track.running) {
      track.dirty = true;
      return;
    }
    clearTimeout(track.retry);
    delete track.retry;
    clearTimeout(track.refresh);
    delete track.refresh;
    track.running = true;
    track.current = this.#drain(deployId, track);
  }

  /** Cancels pending retries and waits for the renders in flight. */
  async drain(): Promise<void> {
    for (const track of this.#tracks.values()) {
      clearTimeout(track.retry);
      clearTimeout(track.refresh);
    }
    await Promise.allSettled([...this.#tracks.values()].map((track) => track.current));
  }

  /** Wakes every waiter (after a stop, so that they see it). */
  wakeAll(): void {
    for (const track of this.#tracks.values()) wake(track);
  }

  async #drain(deployId: string, track: RenderTrack): Promise<void> {
    try {
      do {
        track.dirty = false;
        await this.#renderOnce(deployId, track);
      } while (track.dirty && !this.#o.stopped());
    } finally {
      track.running = false;
      const done = track.failures === 0 && track.renderedState !== undefined && isTerminal(track.renderedState);
      if (done && track.listeners.size === 0 && this.#tracks.get(deployId) === track) this.#tracks.delete(deployId);
      const underWay = track.renderedState === 'preparing' || track.renderedState === 'running';
      if (underWay && !track.retry && !this.#o.stopped()) {
        track.refresh = setTimeout(() => {
          delete track.refresh;
          this.schedule(deployId);
        }, this.#o.refreshMs ?? 10_000);
        track.refresh.unref();
      }
      wake(track);
    }
  }

  async #renderOnce(deployId: string, track: RenderTrack): Promise<void> {
    try {
      await this.#o.render(deployId, track);
      track.renderedCount = track.attempt?.count ?? 0;
      if (track.attempt?.state !== undefined) track.renderedState = track.attempt.state;
      track.failures = 0;
    } catch (error) {
      if (this.#o.stopped()) return;
      track.failures += 1;
      if (track.failures >= this.#o.maxRenderFailures) {
        this.#o.logger.error('could not show this deploy in chat; giving up until its next notice', { deployId, attempts: track.failures, error: errorMessage(error) });
        track.renderedCount = track.attempt?.count ?? track.renderedCount;
        if (track.attempt?.state !== undefined) track.renderedState = track.attempt.state;
        track.failures = 0;
        return;
      }
      const retryInMs = Math.min(30_000, 500 * 2 ** (track.failures - 1));
      this.#o.logger.warn('showing a deploy in chat failed; retrying', { deployId, attempt: track.failures, retryInMs, error: errorMessage(error) });
      track.retry = setTimeout(() => {
        delete track.retry;
        this.schedule(deployId);
      }, retryInMs);
      track.retry.unref();
    }
  }
}

/** Resolves after the track's next render (or a stop); `cancel` stops waiting. */
export function nextRender(track: RenderTrack): { promise: Promise<void>; cancel(): void } {
  let listener: () => void = () => undefined;
  const promise = new Promise<void>((resolve) => {
    listener = resolve;
    track.listeners.add(listener);
  });
  return { promise, cancel: () => track.listeners.delete(listener) };
}

function wake(track: RenderTrack): void {
  const listeners = [...track.listeners];
  track.listeners.clear();
  for (const listener of listeners) listener();
}
