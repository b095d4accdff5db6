// The embedded release store is a directory on one machine (docs/operations.md, "One
// machine or several"). Every process of one deploybot (one Redis and key prefix) must use
// the same one: a worker on a second machine would record releases the first never sees — a
// split brain. So the first process records the store's owner (hostname and the data
// directory's real path) in Redis, and any process that finds another owner refuses to start.
import { mkdirSync, realpathSync } from 'node:fs';
import { hostname } from 'node:os';
import type { Redis } from 'ioredis';
import { DeploybotError } from '../core/errors.ts';
import type { RedisKeys } from './redis-keys.ts';

interface EmbeddedStoreOwner {
  host: string;
  /** The data directory's real path (the store lives in `<dir>/releases`). */
  dir: string;
}

/** This process as the owner of the embedded store in `dataDir` (created here, so its real path is known). */
export function thisMachine(dataDir: string, host = hostname()): EmbeddedStoreOwner {
  mkdirSync(dataDir, { recursive: true });
  return { host, dir: realpathSync(dataDir) };
}

/**
 * Records `owner` as the embedded store's owner when there is none yet, else checks it is the
 * recorded one; throws `embedded_store_elsewhere` naming the markets, the owner and the fix.
 */
export async function claimEmbeddedStore(redis: Redis, keys: RedisKeys, owner: EmbeddedStoreOwner, markets: readonly string[]): Promise<void> {
  const wanted = JSON.stringify(owner);
  const set = await redis.set(keys.embeddedStoreOwner(), wanted, 'NX');
  if (set === 'OK') return;
  const recorded = await redis.get(keys.embeddedStoreOwner());
  if (recorded === null) return claimEmbeddedStore(redis, keys, owner, markets);
  const current = parseOwner(recorded);
  if (current && current.host === owner.host && current.dir === owner.dir) return;
  throw new DeploybotError('embedded_store_elsewhere', embeddedElsewhereMessage(markets, current, owner, keys.embeddedStoreOwner()), { owner: current, self: owner });
}

function parseOwner(text: string): EmbeddedStoreOwner | undefined {
  try {
    const value = JSON.parse(text) as Partial<EmbeddedStoreOwner>;
    return typeof value.host === 'string' && typeof value.dir === 'string' ? { host: value.host, dir: value.dir } : undefined;
  } catch {
    return undefined;
  }
}

function embeddedElsewhereMessage(markets: readonly string[], owner: EmbeddedStoreOwner | undefined, self: EmbeddedStoreOwner, key: string): string {
  const where = owner ? `${owner.dir} on ${owner.host}` : 'another data directory';
  const fix = markets.map((m) => `markets.${m}.zookeeper`).join(', ');
  return `markets ${markets.join(', ')} use the embedded store, which lives in ${where} (this process has ${self.dir} on ${self.host}); `
    + `several machines need ZooKeeper: set ${fix}. `
    + `To move the embedded store for good, stop every deploybot, move the directory, and delete the Redis key ${key}.`;
}
