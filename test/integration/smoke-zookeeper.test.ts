// Smoke test: the ZooKeeper operations the release store relies on, on the run's real server.
import { randomUUID } from 'node:crypto';
import zookeeper, { type Client, type Exception, type Stat } from 'node-zookeeper-client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { waitUntil } from '../../src/services/wait-until.ts';

let client: Client;
const root = `/smoke-${randomUUID()}`;

beforeAll(async () => {
  client = zookeeper.createClient(inject('zkConnect'), { sessionTimeout: 10_000, retries: 1 });
  let connected = false;
  client.once('connected', () => {
    connected = true;
  });
  client.connect();
  await waitUntil(() => connected, { what: 'the ZooKeeper session', timeoutMs: 10_000 });
  await create(root, '');
});

afterAll(async () => {
  if (!client) return;
  await removeTree(root);
  client.close();
});

describe('ZooKeeper on the real server', () => {
  it('when a node is created, then it reads back with its data', async () => {
    await create(`${root}/created`, '["v1.2"]');

    const { data, stat } = await getData(`${root}/created`);

    expect(data).toBe('["v1.2"]');
    expect(stat.version).toBe(0);
  });

  it('when setData carries a stale version, then it is refused with BAD_VERSION and the value is unchanged', async () => {
    const path = `${root}/versioned`;
    await create(path, 'a');
    const first = await getData(path);
    await setData(path, 'b', first.stat.version);

    const stale = await setData(path, 'c', first.stat.version).catch((error: Exception) => error);

    expect(codeOf(stale)).toBe(zookeeper.Exception.BAD_VERSION);
    expect(codeOf(stale)).toBe(-103);
    expect((await getData(path)).data).toBe('b');
  });

  it('when one op of a multi fails, then none of its ops is applied', async () => {
    const path = `${root}/multi`;
    await create(path, 'before');

    const failed = await commit(
      client
        .transaction()
        .setData(path, Buffer.from('after'), 0)
        .create(`${path}/child`, Buffer.from('x'))
        .check(`${root}/does-not-exist`),
    ).catch((error: Exception) => error);

    expect(codeOf(failed)).toBe(zookeeper.Exception.NO_NODE);
    expect((await getData(path)).data).toBe('before');
    expect(await exists(`${path}/child`)).toBe(false);
  });

  it('when every op of a multi succeeds, then all are applied together', async () => {
    const path = `${root}/multi-ok`;
    await create(path, 'v0');

    await commit(client.transaction().setData(path, Buffer.from('v1'), 0).create(`${path}/child`, Buffer.from('x')));

    const { data, stat } = await getData(path);
    expect(data).toBe('v1');
    expect(stat.version).toBe(1);
    expect(await exists(`${path}/child`)).toBe(true);
  });
});

function codeOf(value: unknown): number | undefined {
  return value instanceof zookeeper.Exception ? value.getCode() : undefined;
}

async function removeTree(path: string): Promise<void> {
  const children = await new Promise<string[]>((resolve) => client.getChildren(path, (error, names) => resolve(error ? [] : names)));
  for (const child of children) await removeTree(`${path}/${child}`);
  await new Promise<void>((resolve) => client.remove(path, () => resolve()));
}

function create(path: string, data: string): Promise<void> {
  return new Promise((resolve, reject) => client.create(path, Buffer.from(data), (error) => (error ? reject(error) : resolve())));
}

function getData(path: string): Promise<{ data: string; stat: Stat }> {
  return new Promise((resolve, reject) =>
    client.getData(path, (error, data, stat) => (error ? reject(error) : resolve({ data: data?.toString('utf8') ?? '', stat }))),
  );
}

function setData(path: string, data: string, version: number): Promise<Stat> {
  return new Promise((resolve, reject) => client.setData(path, Buffer.from(data), version, (error, stat) => (error ? reject(error) : resolve(stat))));
}

function exists(path: string): Promise<boolean> {
  return new Promise((resolve, reject) => client.exists(path, (error, stat) => (error ? reject(error) : resolve(Boolean(stat)))));
}

function commit(transaction: ReturnType<Client['transaction']>): Promise<unknown> {
  return new Promise((resolve, reject) => transaction.commit((error, results) => (error ? reject(error) : resolve(results))));
}
