// A command that ends at once still reports its exit status over SSH. Seen on this machine: a
// host whose shell starts fast answers a quick command's channel opening, output, exit status
// and close in one batch of packets; a listener attached a tick after the channel opened missed
// the exit status, and the hook watcher's "missing" read as "cannot read the state of the hook".
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Secret } from '../../src/core/secret.ts';
import { SshTransport } from '../../src/deploy/transports/ssh-transport.ts';
import { type SshTestHosts, startSshHosts } from '../support/ssh-hosts.ts';

let fleet: SshTestHosts;
let transport: SshTransport;

beforeAll(async () => {
  fleet = await startSshHosts(1);
  const h = fleet.hosts[0]!;
  transport = new SshTransport({ host: h.name, address: h.address, port: h.port, user: h.user, hostKey: h.hostKey, privateKey: new Secret(fleet.privateKey, 'test') });
}, 60_000);

afterAll(async () => {
  await fleet?.stopAll();
});

describe('exit status of quick commands over SSH', () => {
  it('when 200 commands that exit at once run, 40 at a time on one connection, then every one reports its own exit status and output', async () => {
    const wrong: { i: number; expected: number; got: number | null }[] = [];
    for (let round = 0; round < 5; round += 1) {
      await Promise.all(
        Array.from({ length: 40 }, async (_, k) => {
          const i = round * 40 + k;
          const result = await transport.run(['sh', '-c', `echo ${i}; exit ${i % 7}`]);
          if (result.exitCode !== i % 7 || result.stdout !== `${i}\n`) wrong.push({ i, expected: i % 7, got: result.exitCode });
        }),
      );
    }
    expect(wrong).toEqual([]);
  }, 120_000);
});
