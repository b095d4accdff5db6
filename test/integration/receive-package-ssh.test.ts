// SshTransport.receivePackage against a real sshd host: the package streamed into one remote
// command, kept only when what arrived has the package's sha256
// (docs/reference/deploy-lifecycle.md, "Distribute").
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Secret } from '../../src/core/secret.ts';
import { SshTransport } from '../../src/deploy/transports/ssh-transport.ts';
import { waitUntil } from '../../src/services/wait-until.ts';
import { startSshHosts, type SshTestHost, type SshTestHosts } from '../support/ssh-hosts.ts';

let fleet: SshTestHosts;
let host: SshTestHost;
let transport: SshTransport;
let scratch: string;
let pkg: string;
let sha256: string;

beforeAll(async () => {
  fleet = await startSshHosts(1, { prefix: 'rp-' });
  host = fleet.hosts[0]!;
  transport = new SshTransport({ host: host.name, address: host.address, port: host.port, user: host.user, hostKey: host.hostKey, privateKey: new Secret(fleet.privateKey, 'test') });
  scratch = mkdtempSync(join(tmpdir(), 'deploybot-receive-ssh-'));
  mkdirSync(join(scratch, 'tree/filecache'), { recursive: true });
  writeFileSync(join(scratch, 'tree/filecache/release_indicator.json'), '{"name":"production"}\n');
  writeFileSync(join(scratch, 'tree/app.js'), 'x'.repeat(3_000_000));
  pkg = join(scratch, 'package.tar.gz');
  execFileSync('tar', ['-czf', pkg, '-C', join(scratch, 'tree'), '.']);
  sha256 = createHash('sha256').update(readFileSync(pkg)).digest('hex');
}, 60_000);

afterAll(async () => {
  await transport?.close();
  await fleet?.stopAll();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

const incoming = () => join(host.root, 'codes/app/.incoming');

describe('receiving a package over SSH', () => {
  it('when the package streams whole, then the host has it unpacked aside, every byte counted, and no archive or FIFO beside it', async () => {
    const progress: number[] = [];
    await transport.receivePackage(pkg, '/data/codes/app/.incoming/r1.unpacking', sha256, (sent) => progress.push(sent));
    expect(readFileSync(join(incoming(), 'r1.unpacking/app.js'), 'utf8')).toBe('x'.repeat(3_000_000));
    expect(readdirSync(incoming())).toEqual(['r1.unpacking']);
    expect(progress.at(-1)).toBe(readFileSync(pkg).length);
  });

  it('when the local package cannot be read, then the receive fails as an upload failure, the host keeps nothing, and the connection still serves', async () => {
    const unreadable = join(scratch, 'a-directory');
    mkdirSync(unreadable);
    await expect(transport.receivePackage(unreadable, '/data/codes/app/.incoming/r2.unpacking', sha256)).rejects.toMatchObject({ code: 'upload_failed' });
    // the channel was closed under the command: it sees its input end short and removes what it began
    await waitUntil(() => !existsSync(join(incoming(), 'r2.unpacking')) && !existsSync(join(incoming(), 'r2.unpacking.fifo')), { timeoutMs: 10_000, what: 'the host to drop r2' });
    expect((await transport.run(['echo', 'still here'])).stdout).toBe('still here\n');
  });

  it('when what arrives is not the package, then it is refused naming both checksums and nothing is left', async () => {
    const other = join(scratch, 'other.tar.gz');
    writeFileSync(other, Buffer.concat([readFileSync(pkg), Buffer.from('trailing bytes')]));
    await expect(transport.receivePackage(other, '/data/codes/app/.incoming/r3.unpacking', sha256)).rejects.toMatchObject({ code: 'checksum_mismatch', message: expect.stringContaining(sha256) });
    expect(readdirSync(incoming())).toEqual(['r1.unpacking']);
  });
});
