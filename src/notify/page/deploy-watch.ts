// Who is watching which deploy's page: one announcement listener for the whole HTTP surface
// (started with the first watcher), telling each deploy's watchers that it has news.
import type { Redis } from 'ioredis';
import type { Logger } from '../../core/logger.ts';
import type { DeployEventBus } from '../../store/deploy-event-bus.ts';
import { AnnouncementListener } from '../announcement-listener.ts';

export class DeployWatch {
  readonly #listener: AnnouncementListener;
  readonly #watchers = new Map<string, Set<() => void>>();
  #starting: Promise<void> | undefined;

  constructor(options: { bus: DeployEventBus; redis: Redis; logger: Logger; blockMs?: number }) {
    this.#listener = new AnnouncementListener({
      bus: options.bus,
      redis: options.redis,
      blockMs: options.blockMs ?? 2000,
      logger: options.logger,
      onAnnounced: (deployId) => {
        for (const watcher of this.#watchers.get(deployId) ?? []) watcher();
      },
    });
  }

  /** Calls `onNews` whenever `deployId` publishes notices from now on; resolves once listening. Returns the unsubscribe. */
  async watch(deployId: string, onNews: () => void): Promise<() => void> {
    let set = this.#watchers.get(deployId);
    if (!set) {
      set = new Set();
      this.#watchers.set(deployId, set);
    }
    set.add(onNews);
    this.#starting ??= this.#listener.start().catch((error: unknown) => {
      this.#starting = undefined;
      throw error;
    });
    await this.#starting;
    return () => {
      const watchers = this.#watchers.get(deployId);
      watchers?.delete(onNews);
      if (watchers?.size === 0) this.#watchers.delete(deployId);
    };
  }

  async stop(): Promise<void> {
    this.#watchers.clear();
    if (this.#starting) await this.#listener.stop();
    this.#starting = undefined;
  }
}
