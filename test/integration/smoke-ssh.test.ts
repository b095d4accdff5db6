// Smoke test: ssh2 against real sshd hosts (test/support/ssh-hosts.ts): exec, SFTP upload,
// host key pinning, separate /data per host, and the stop/start/pause/resume the deploy
// tests use to simulate dead and hanging hosts.
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, type SFTPWrapper } from 'ssh2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSshHosts, type SshTestHost, type SshTestHosts } from '../support/ssh-hosts.ts';

let fleet: SshTestHosts;
let h1: SshTestHost;
let h2: SshTestHost;
let scratch: string;
const clients: Client[] = [];

beforeAll(async () => {
  fleet = await startSshHosts(2);
  [h1, h2] = fleet.hosts as [SshTestHost, SshTestHost];
  scratch = mkdtempSync(join(tmpdir(), 'deploybot-smoke-ssh-'));
});

afterAll(async () => {
  for (const client of clients) client.destroy();
  await fleet?.stopAll();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

describe('ssh2 against real sshd hosts', () => {
  it('when the pinned host key matches, then exec runs and an SFTP upload lands intact under /data', async () => {
    const client = await connect(h1);
    const local = join(scratch, 'package.tar.gz');
    const content = randomBytes(1024 * 1024);
    writeFileSync(local, content);

    const who = await exec(client, 'echo hello; id -u; cd /data && pwd');
    await fastPut(await sftp(client), local, '/data/package.tar.gz');
    const remoteSum = await exec(client, 'sha256sum /data/package.tar.gz');

    expect(who).toEqual({ code: 0, stdout: 'hello\n0\n/data\n', stderr: '' });
    expect(remoteSum.stdout.split(' ')[0]).toBe(createHash('sha256').update(content).digest('hex'));
    expect(readFileSync(join(h1.root, 'package.tar.gz')).equals(content)).toBe(true);
  });

  it('when the presented host key differs from the pinned one, then the connection fails and nothing runs', async () => {
    let ran = false;
    const attempt = connect(h1, { pinnedHostKey: h2.hostKey }).then(async (client) => {
      ran = true;
      await exec(client, 'touch /data/must-not-exist');
    });

    await expect(attempt).rejects.toThrow();
    expect(ran).toBe(false);
    expect(existsSync(join(h1.root, 'must-not-exist'))).toBe(false);
  });

  it('when a file is written via host 1, then host 2 does not see it and it is under host1.root on this machine', async () => {
    const local = join(scratch, 'only-h1.txt');
    writeFileSync(local, 'h1 only\n');

    await fastPut(await sftp(await connect(h1)), local, '/data/only-h1.txt');
    const onH2 = await stat(await sftp(await connect(h2)), '/data/only-h1.txt').catch((error: { code?: number }) => error);

    expect(onH2).toMatchObject({ code: 2 }); // SFTP NO_SUCH_FILE
    expect(readFileSync(join(h1.root, 'only-h1.txt'), 'utf8')).toBe('h1 only\n');
    expect(existsSync(join(h2.root, 'only-h1.txt'))).toBe(false);
  });

  it('when a host is stopped, then connections are refused, and after start it answers with the same host key', async () => {
    await h2.stop();
    const refused = await connect(h2).catch((error: NodeJS.ErrnoException) => error);
    expect(refused).toMatchObject({ code: 'ECONNREFUSED' });

    await h2.start();
    const client = await connect(h2);
    expect((await exec(client, 'echo back')).stdout).toBe('back\n');
  });

  it('when a host is paused, then new and open connections hang, and after resume they carry on', async () => {
    const open = await connect(h1);
    h1.pause();
    try {
      const fresh = connect(h1, { readyTimeoutMs: 1500 });
      await expect(fresh).rejects.toThrow(/timed out/i);
      const pending = exec(open, 'echo still-here');
      expect(await settlesWithin(pending, 1000)).toBe(false);
      h1.resume();
      expect((await pending).stdout).toBe('still-here\n');
    } finally {
      h1.resume();
    }
  });
});

function connect(host: SshTestHost, opts: { pinnedHostKey?: string; readyTimeoutMs?: number } = {}): Promise<Client> {
  const pinned = Buffer.from((opts.pinnedHostKey ?? host.hostKey).split(' ')[1] ?? '', 'base64');
  const client = new Client();
  clients.push(client);
  return new Promise((resolve, reject) => {
    client.once('ready', () => resolve(client));
    // 'on', not 'once': ssh2 may emit a second error (e.g. "connection lost") after the first
    client.on('error', reject);
    client.connect({
      host: host.address,
      port: host.port,
      username: host.user,
      privateKey: host.privateKey,
      readyTimeout: opts.readyTimeoutMs ?? 10_000,
      hostVerifier: (key: Buffer): boolean => key.equals(pinned),
    });
  });
}

function exec(client: Client, command: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    client.exec(command, (error, stream) => {
      if (error) return reject(error);
      let stdout = '';
      let stderr = '';
      stream.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
      stream.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
      stream.on('close', (code: number | null) => resolve({ code, stdout, stderr }));
    });
  });
}

function sftp(client: Client): Promise<SFTPWrapper> {
  return new Promise((resolve, reject) => client.sftp((error, wrapper) => (error ? reject(error) : resolve(wrapper))));
}

function fastPut(wrapper: SFTPWrapper, local: string, remote: string): Promise<void> {
  return new Promise((resolve, reject) => wrapper.fastPut(local, remote, (error) => (error ? reject(error) : resolve())));
}

function stat(wrapper: SFTPWrapper, remote: string): Promise<unknown> {
  return new Promise((resolve, reject) => wrapper.stat(remote, (error, stats) => (error ? reject(error) : resolve(stats))));
}

/** Whether `promise` settles within `ms` (a bounded wait for something that must NOT happen). */
async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([promise.then(() => true, () => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
