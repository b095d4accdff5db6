// What a fake server received, in order, with a way to await "n such entries have arrived"
// (tests wait for events instead of sleeping; a timeout turns a hang into a clear failure).
interface Waiter {
  done(): boolean;
  resolve(): void;
}

export class CallLog<T> {
  readonly entries: T[] = [];
  #waiters = new Set<Waiter>();

  push(entry: T): void {
    this.entries.push(entry);
    for (const waiter of [...this.#waiters]) if (waiter.done()) waiter.resolve();
  }

  filter(where: (entry: T) => boolean): T[] {
    return this.entries.filter(where);
  }

  /** Resolves with all matching entries once there are at least `count`. */
  waitFor(where: (entry: T) => boolean, count: number, what: string, timeoutMs = 10_000): Promise<T[]> {
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        done: () => this.filter(where).length >= count,
        resolve: () => {
          clearTimeout(timer);
          this.#waiters.delete(waiter);
          resolve(this.filter(where));
        },
      };
      const timer = setTimeout(() => {
        this.#waiters.delete(waiter);
        reject(new Error(`expected ${count} × ${what}, got ${this.filter(where).length}`));
      }, timeoutMs);
      if (waiter.done()) waiter.resolve();
      else this.#waiters.add(waiter);
    });
  }
}
