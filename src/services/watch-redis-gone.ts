import { Redis } from 'ioredis';

/** Resolves once Redis at `url` has not answered a PING for `ms` in a row. */
export function watchRedisGone(url: string, ms: number): { promise: Promise<void>; cancel(): void } {
  const redis = new Redis(url, { maxRetriesPerRequest: 0, enableOfflineQueue: false, connectTimeout: 1000, retryStrategy: () => 500 });
  redis.on('error', () => undefined);
  let lastAnswer = Date.now();
  let timer: NodeJS.Timeout | undefined;
  let cancelled = false;
  const promise = new Promise<void>((resolve) => {
    const check = () => {
      redis.ping().then(() => (lastAnswer = Date.now()), () => undefined).finally(() => {
        if (cancelled) return;
        if (Date.now() - lastAnswer >= ms) resolve();
        else timer = setTimeout(check, 500);
      });
    };
    check();
  });
  return {
    promise,
    cancel() {
      cancelled = true;
      clearTimeout(timer);
      redis.disconnect();
    },
  };
}
