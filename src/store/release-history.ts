// What the job layer remembers about releases beyond ZooKeeper's current state: which
// commits passed in a market (requiresPassIn), which production release ids were current
// in turn (rollback's "previous"), which deploy made each release id, every review version
// ever started (update packages), and recent update-package sizes (anomaly flags).
import type { Redis } from 'ioredis';
import type { RedisKeys } from './redis-keys.ts';

export interface ReleaseIdInfo {
  deployId: string;
  version: string;
  commit: string;
  /** sha256 of the package the hosts got (absent in entries written before it was kept). */
  sha256?: string;
}

const NEXT_SECOND = `
local last = tonumber(redis.call('GET', KEYS[1]) or '0')
local second = math.max(tonumber(ARGV[1]), last + 1)
redis.call('SET', KEYS[1], second)
return second`;

export class ReleaseHistory {
  constructor(private readonly redis: Redis, private readonly keys: RedisKeys) {}

  async markPassed(project: string, market: string, commit: string): Promise<void> {
    await this.redis.sadd(this.keys.passedCommits(project, market), commit);
  }

  async hasPassed(project: string, market: string, commit: string): Promise<boolean> {
    return (await this.redis.sismember(this.keys.passedCommits(project, market), commit)) === 1;
  }

  async rememberReleaseId(project: string, market: string, releaseId: string, info: ReleaseIdInfo): Promise<void> {
    await this.redis.hset(this.keys.releaseIds(project, market), releaseId, JSON.stringify(info));
  }

  async releaseIdInfo(project: string, market: string, releaseId: string): Promise<ReleaseIdInfo | undefined> {
    const text = await this.redis.hget(this.keys.releaseIds(project, market), releaseId);
    return text ? (JSON.parse(text) as ReleaseIdInfo) : undefined;
  }

  /** Production's release ids in the order they became current, newest last. */
  async productionStack(project: string, market: string): Promise<string[]> {
    return this.redis.lrange(this.keys.productionStack(project, market), 0, -1);
  }

  /** A deploy made `releaseId` current (not pushed twice in a row: a resumed record step is harmless). */
  async pushProduction(project: string, market: string, releaseId: string): Promise<void> {
    const key = this.keys.productionStack(project, market);
    const top = await this.redis.lindex(key, -1);
    if (top !== releaseId) await this.redis.rpush(key, releaseId);
    await this.redis.ltrim(key, -200, -1);
  }

  /** A rollback went back to `releaseId`: everything after it is dropped from the stack. */
  async rollBackTo(project: string, market: string, releaseId: string): Promise<void> {
    const key = this.keys.productionStack(project, market);
    const stack = await this.productionStack(project, market);
    const at = stack.lastIndexOf(releaseId);
    if (at === -1) {
      await this.redis.rpush(key, releaseId);
      return;
    }
    if (at < stack.length - 1) await this.redis.ltrim(key, 0, at);
  }

  /**
   * The time for a new release id of `project`: `at`, moved on by whole seconds when an
   * earlier release id already used that second, so two deploys of one commit in one second
   * (a gray start and its promote) never name the same directory.
   */
  async allocateReleaseTime(project: string, at: Date): Promise<Date> {
    const second = (await this.redis.eval(NEXT_SECOND, 1, this.keys.releaseSecond(project), String(Math.floor(at.getTime() / 1000)))) as number;
    return new Date(second * 1000);
  }

  /** Remembers a review version (per market, and per platform for each of `platforms`: docs/platforms.md). */
  async addReviewVersion(project: string, market: string, version: string, platforms: readonly string[] = []): Promise<void> {
    for (const key of [this.keys.reviewVersions(project, market), ...platforms.map((p) => this.keys.platformReviewVersions(project, market, p))]) {
      const known = await this.redis.lrange(key, 0, -1);
      if (!known.includes(version)) await this.redis.rpush(key, version);
    }
  }

  /** Every review version started in the market, or (given `platform`) on that platform. */
  async reviewVersions(project: string, market: string, platform?: string): Promise<string[]> {
    return this.redis.lrange(platform === undefined ? this.keys.reviewVersions(project, market) : this.keys.platformReviewVersions(project, market, platform), 0, -1);
  }

  /** Sizes of the project's update packages (of one platform's, given `platform`), the last 50 kept. */
  async addSpanSizes(project: string, sizes: readonly number[], platform?: string): Promise<void> {
    if (sizes.length === 0) return;
    const key = platform === undefined ? this.keys.spanSizes(project) : this.keys.platformSpanSizes(project, platform);
    await this.redis.rpush(key, ...sizes.map(String));
    await this.redis.ltrim(key, -50, -1);
  }

  async recentSpanSizes(project: string, platform?: string): Promise<number[]> {
    return (await this.redis.lrange(platform === undefined ? this.keys.spanSizes(project) : this.keys.platformSpanSizes(project, platform), 0, -1)).map(Number);
  }
}
