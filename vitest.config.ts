import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // one Redis and one ZooKeeper for the whole run (inject('redisUrl'), inject('zkConnect'))
    globalSetup: ['test/global-setup.ts'],
    // 2 cores here and in CI: two test files at a time; most integration time is spent
    // waiting on real servers, and more workers only add JVM/sshd contention
    maxWorkers: 2,
    teardownTimeout: 20_000,
  },
});
