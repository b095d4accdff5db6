// The ZooKeeper the release-store tests talk to: the one the vitest global setup provides
// (`inject('zkConnect')`) when there is one, else a server started for this test file.
import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import { type LocalZooKeeper, startLocalZooKeeper } from '../../src/services/local-zookeeper.ts';

export interface SharedZooKeeper {
  connect: string;
  release(): Promise<void>;
}

export async function sharedZooKeeper(): Promise<SharedZooKeeper> {
  const provided = (inject as (key: string) => unknown)('zkConnect');
  if (typeof provided === 'string' && provided !== '') return { connect: provided, release: async () => {} };
  const server: LocalZooKeeper = await startLocalZooKeeper();
  return { connect: server.connect, release: () => server.stop() };
}

/** A fresh root per test, so tests never see each other's nodes. */
export function uniqueRoot(): string {
  return `/t-${randomBytes(5).toString('hex')}`;
}
