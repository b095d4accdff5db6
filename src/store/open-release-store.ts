// Chooses the release store per market (docs/configuration.md): ZooKeeper for a market with `zookeeper`
// in the config, the embedded file store under the data directory otherwise. The result is
// one ReleaseStore that routes each call by its market; markets on the same ZooKeeper share
// one client (one session).
import { resolve } from 'node:path';
import type { Config } from '../../config/load-config.ts';
import { DeploybotError } from '../core/errors.ts';
import type { MarketReleases, PromoteResult, ReleaseRecord } from './release-store.ts';
import type { PromoteInput, RecordReleaseInput, ReleaseStore, RemoveReleaseInput, StoreHealth } from './release-store.ts';
import { FileReleaseStore } from './file-release-store.ts';
import { digestId } from './zookeeper-acl.ts';
import { ZooKeeperClient } from './zookeeper-client.ts';
import { ZooKeeperReleaseStore } from './zookeeper-release-store.ts';

export interface OpenReleaseStoreOptions {
  /** @defaultValue `DEPLOYBOT_DATA`, else `./var` */
  dataDir?: string;
  /** Per store operation, retries included. @defaultValue 30000 */
  operationTimeoutMs?: number;
}

export function dataDirFromEnv(env: NodeJS.ProcessEnv = process.env): string {
  return resolve(env.DEPLOYBOT_DATA || './var');
}

export class MarketReleaseStore implements ReleaseStore {
  readonly #byMarket: Map<string, ReleaseStore>;
  readonly #clients: ZooKeeperClient[];
  readonly #embedded: FileReleaseStore | undefined;

  constructor(byMarket: Map<string, ReleaseStore>, clients: ZooKeeperClient[], embedded: FileReleaseStore | undefined) {
    this.#byMarket = byMarket;
    this.#clients = clients;
    this.#embedded = embedded;
  }

  /** The store that holds `market`'s state. */
  storeFor(market: string): ReleaseStore {
    const store = this.#byMarket.get(market);
    if (!store) throw new DeploybotError('unknown_market', `no market ${JSON.stringify(market)} in the config`);
    return store;
  }

  /** `zookeeper` for a market with ZooKeeper, `embedded` otherwise. */
  backendOf(market: string): 'zookeeper' | 'embedded' {
    return this.storeFor(market) instanceof ZooKeeperReleaseStore ? 'zookeeper' : 'embedded';
  }

  read(project: string, market: string): Promise<MarketReleases> {
    return this.storeFor(market).read(project, market);
  }

  recordRelease(input: RecordReleaseInput): Promise<ReleaseRecord> {
    return this.storeFor(input.market).recordRelease(input);
  }

  promote(input: PromoteInput): Promise<PromoteResult> {
    return this.storeFor(input.market).promote(input);
  }

  removeRelease(input: RemoveReleaseInput): Promise<{ removed: boolean }> {
    return this.storeFor(input.market).removeRelease(input);
  }

  /** ZooKeeper when any market uses it (ok only when every ZooKeeper answers), else embedded. */
  async checkHealth(): Promise<StoreHealth> {
    const zookeepers = new Map<string, ReleaseStore>();
    for (const store of this.#byMarket.values()) {
      if (store instanceof ZooKeeperReleaseStore) zookeepers.set(store.connect, store);
    }
    if (zookeepers.size === 0) return { backend: 'embedded', ok: true };
    const results = await Promise.all([...zookeepers].map(async ([connect, store]) => ({ connect, health: await store.checkHealth() })));
    const failing = results.filter((r) => !r.health.ok);
    if (failing.length === 0) return { backend: 'zookeeper', ok: true };
    return { backend: 'zookeeper', ok: false, error: failing.map((f) => `${f.connect}: ${f.health.error ?? 'unavailable'}`).join('; ') };
  }

  async close(): Promise<void> {
    await Promise.all([...this.#clients.map((c) => c.close()), this.#embedded?.close()]);
  }
}

/** Markets on one ZooKeeper share a client (one session) when they authenticate the same way. */
export function openReleaseStore(config: Pick<Config, 'markets'> & Partial<Pick<Config, 'zookeeperAuth'>>, options: OpenReleaseStoreOptions = {}): MarketReleaseStore {
  const clients = new Map<string, ZooKeeperClient>();
  const stores = new Map<string, ZooKeeperReleaseStore>();
  const byMarket = new Map<string, ReleaseStore>();
  let embedded: FileReleaseStore | undefined;
  for (const [market, settings] of Object.entries(config.markets)) {
    const zk = settings.zookeeper;
    if (!zk) {
      embedded ??= new FileReleaseStore({ dataDir: options.dataDir ?? dataDirFromEnv() });
      byMarket.set(market, embedded);
      continue;
    }
    const auth = config.zookeeperAuth?.[market];
    if (zk.auth && !auth) throw new DeploybotError('zookeeper_auth_missing', `markets.${market}.zookeeper.auth: the credentials were not loaded (environment variable ${zk.auth.env})`);
    // the identity is part of the key: its digest id, never the password itself
    const identity = auth ? digestId(auth.reveal()) : '';
    const clientKey = `${zk.connect}\u0000${identity}`;
    let client = clients.get(clientKey);
    if (!client) {
      client = new ZooKeeperClient({ connect: zk.connect, sessionTimeoutMs: zk.sessionTimeout, ...(auth ? { auth } : {}) });
      clients.set(clientKey, client);
    }
    const key = `${clientKey}\u0000${zk.root}`;
    let store = stores.get(key);
    if (!store) {
      store = new ZooKeeperReleaseStore({ client, root: zk.root, ownsClient: false, ...(options.operationTimeoutMs ? { operationTimeoutMs: options.operationTimeoutMs } : {}) });
      stores.set(key, store);
    }
    byMarket.set(market, store);
  }
  return new MarketReleaseStore(byMarket, [...clients.values()], embedded);
}
