// Keeping an execution's lease (prepare and run phases, docs/operations.md "When a worker
// dies"): renewed ten times per TTL; `check()` renews it right before a side effect, so an
// execution whose lease another took over never acts again. A renewal tick that comes far
// too late means this process's event loop stalled: the lease may have lapsed meanwhile,
// so the execution is told at once (`onStall`), before any I/O callback resumes its work.

export interface LeaseKeeper {
  /** Renews now; false once another execution holds the lease (then it stays false). */
  check(): Promise<boolean>;
  lost(): boolean;
  /** Whether the event loop stalled past half the lease while this ran. */
  stalled(): boolean;
  stop(): void;
}

export interface KeepLeaseOptions {
  ttlMs: number;
  /** Takes or renews the lease; the other execution holding it, or undefined when it is ours. */
  renew: () => Promise<string | undefined>;
  /** Also asked on every tick (a cancel request, a force-cancelled deploy); true stops the execution. */
  shouldStop?: () => Promise<boolean>;
  onLost?: (holder: string) => void;
  onStop?: () => void;
  onError?: (error: unknown) => void;
}

/** A tick this much later than planned is a stalled event loop (half the lease). */
function isStalledTick(lateByMs: number, ttlMs: number): boolean {
  return lateByMs > ttlMs / 2;
}

export function keepLease(options: KeepLeaseOptions): LeaseKeeper {
  const every = Math.max(250, Math.floor(options.ttlMs / 10));
  let lost = false;
  let stalled = false;
  let lastTick = Date.now();
  const check = async (): Promise<boolean> => {
    if (lost) return false;
    const other = await options.renew();
    if (other !== undefined) {
      lost = true;
      options.onLost?.(other);
    }
    return !lost;
  };
  const timer = setInterval(() => {
    const now = Date.now();
    if (isStalledTick(now - lastTick - every, options.ttlMs) && !stalled) {
      stalled = true;
      options.onStop?.();
    }
    lastTick = now;
    void (async () => {
      try {
        if (!(await check())) return options.onStop?.();
        if (await options.shouldStop?.()) options.onStop?.();
      } catch (error) {
        options.onError?.(error);
      }
    })();
  }, every);
  return { check, lost: () => lost, stalled: () => stalled, stop: () => clearInterval(timer) };
}
