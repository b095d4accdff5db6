import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ZooKeeperClient } from '../../src/store/zookeeper-client.ts';
import { ZooKeeperReleaseStore } from '../../src/store/zookeeper-release-store.ts';
import { describeReleaseStoreContract } from './release-store-contract.ts';
import { type SharedZooKeeper, sharedZooKeeper, uniqueRoot } from './release-store-zookeeper-server.ts';

let zk: SharedZooKeeper;
beforeAll(async () => {
  zk = await sharedZooKeeper();
});
afterAll(async () => {
  await zk?.release();
});

describeReleaseStoreContract('ZooKeeper', async () => {
  const client = new ZooKeeperClient({ connect: zk.connect, sessionTimeoutMs: 10_000 });
  const store = new ZooKeeperReleaseStore({ client, root: uniqueRoot() });
  return { store, close: () => store.close() };
});
