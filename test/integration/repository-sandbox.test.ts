// Repository code runs in a sandbox (docs/operations.md, "Repository code is sandboxed"):
// an attacker's beforeDownload/afterDownload hooks and build command try every read of the
// bot's secrets and print what they find raw, base64 and hex; afterDeploy runs on a local
// host. The worker is a real `deploybot worker` process whose environment holds the secrets
// (so /proc/<pid>/environ has them); commands go through the job layer in this process,
// with a notifier posting to a recording messenger. Real bwrap, Redis, git, local hosts.
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Config } from '../../config/load-config.ts';
import type { OutgoingMessage } from '../../src/core/chat-types.ts';
import { Notifier } from '../../src/notify/notifier.ts';
import { ThrottledEditor } from '../../src/notify/throttled-editor.ts';
import { waitUntil } from '../../src/services/wait-until.ts';
import { makeAttackerRepo } from '../fixtures/attacker-repo.ts';
import { startJobHarness, type JobHarness } from '../fixtures/job-harness.ts';
import type { TestRepo } from '../fixtures/make-git-repo.ts';
import { startWorkerProcess, type WorkerProcess } from '../fixtures/worker-process.ts';
import { writeTestConfig } from '../fixtures/write-test-config.ts';
import { captureLogger, type CapturedLogger } from '../fakes/capture-logger.ts';
import { RecordingMessenger } from '../fakes/recording-messenger.ts';

const tag = randomUUID().slice(0, 8);
const prefix = `sandbox${tag}`;
const SECRETS = {
  SLACK_BOT_TOKEN: `xoxb-1234567890-${randomUUID().replace(/-/g, '')}`,
  UPLOAD_HOOK_SECRET: `uhs_${randomUUID().replace(/-/g, '')}`,
  SLACK_SIGNING_SECRET: `sss${randomUUID().replace(/-/g, '')}`,
};

let base: string;
let dataDir: string;
let keyFile: string;
let repo: TestRepo;
let config: Config;
let h: JobHarness;
let worker: WorkerProcess;
let log: CapturedLogger;
let messenger: RecordingMessenger;
let notifier: Notifier;
let server: Server;
let connections = 0;
let port = 0;
const output: string[] = [];
const restoreOutput: (() => void)[] = [];

/** Everything stdout/stderr of this process gets from now on is also kept. */
function captureOutput(): void {
  for (const stream of [process.stdout, process.stderr]) {
    const write = stream.write.bind(stream);
    stream.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      output.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('latin1'));
      return (write as (...args: unknown[]) => boolean)(chunk, ...rest);
    }) as typeof stream.write;
    restoreOutput.push(() => void (stream.write = write));
  }
}

function files(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return files(path);
    return entry.isFile() ? [path] : [];
  });
}

/** Every file's content under `dir` (gzip unpacked too), as latin1 text. */
function fileTexts(dir: string): Record<string, string> {
  const texts: Record<string, string> = {};
  for (const file of files(dir)) {
    const bytes = readFileSync(file);
    texts[file] = bytes.toString('latin1');
    if (bytes[0] === 0x1f && bytes[1] === 0x8b) texts[`${file} (gunzipped)`] = gunzipSync(bytes).toString('latin1');
  }
  return texts;
}

/** Every key of the Redis the bot uses, with its value, whatever its type. */
async function redisTexts(): Promise<Record<string, string>> {
  const redis = h.jobs.rt.redis;
  const texts: Record<string, string> = {};
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'COUNT', 1000);
    cursor = next;
    for (const key of keys) {
      const type = await redis.type(key);
      const value =
        type === 'string' ? await redis.getBuffer(key)
        : type === 'hash' ? await redis.hgetall(key)
        : type === 'list' ? await redis.lrange(key, 0, -1)
        : type === 'set' ? await redis.smembers(key)
        : type === 'zset' ? await redis.zrange(key, '0', '-1', 'WITHSCORES')
        : type === 'stream' ? await redis.xrange(key, '-', '+')
        : null;
      texts[key] = Buffer.isBuffer(value) ? value.toString('latin1') : JSON.stringify(value);
    }
  } while (cursor !== '0');
  return texts;
}

/** Each secret as raw text, base64 and hex (and a line of the key's body, which is what a partial read shows). */
function needles(): Record<string, string> {
  const key = readFileSync(keyFile, 'utf8');
  const keyBody = key.split('\n').filter((line) => line && !line.startsWith('-----')).sort((a, b) => b.length - a.length)[0]!;
  const found: Record<string, string> = {};
  for (const [name, value] of [...Object.entries(SECRETS), ['deploy key', key], ['deploy key line', keyBody]] as const) {
    found[`${name} raw`] = value.trim();
    found[`${name} base64`] = Buffer.from(value).toString('base64');
    found[`${name} hex`] = Buffer.from(value).toString('hex');
  }
  return found;
}

/** Which (needle, place) pairs leaked. */
function leaks(places: Record<string, string>): string[] {
  const found: string[] = [];
  for (const [needle, value] of Object.entries(needles())) {
    for (const [place, text] of Object.entries(places)) {
      if (text.includes(value) || text.replace(/\s+/g, '').includes(value.replace(/\s+/g, ''))) found.push(`${needle} in ${place}`);
    }
  }
  return found;
}

const attack = (stage: string) => `sh attack.sh ${stage} ${process.pid} ${keyFile} ${join(base, 'deploybot.yaml')} ${dataDir} ${tag}`;

beforeAll(async () => {
  base = mkdtempSync(join(tmpdir(), 'deploybot-sandbox-'));
  dataDir = join(base, 'var');
  repo = makeAttackerRepo(join(base, 'repo'));
  mkdirSync(join(base, 'secrets'));
  keyFile = join(base, 'secrets', 'deploy_ed25519');
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'deploybot', '-f', keyFile]);

  server = createServer((socket) => {
    connections += 1;
    socket.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as { port: number }).port;
  const probe = (file: string) =>
    `node -e "const s=require('net').connect(${port},'127.0.0.1');s.on('connect',()=>{require('fs').writeFileSync('dist/${file}','connected');s.end()});s.on('error',(e)=>require('fs').writeFileSync('dist/${file}','no connection: '+e.code))"`;
  const project = (path: string, extra: Record<string, unknown>) => ({
    repo: repo.dir,
    path: `/data/prod/${path}`,
    releasesDir: `/data/codes/${path}`,
    markets: ['dev'],
    ...extra,
  });
  config = writeTestConfig(base, {
    keys: { deploy: { file: 'secrets/deploy_ed25519' } },
    hosts: { 'dev-1': { local: 'hosts/dev-1' } },
    markets: { dev: { approval: 'none', locations: { main: { role: 'production', hosts: ['dev-1'] } } } },
    projects: {
      'mala-core': project('mala-core', {
        build: { command: `sh build.sh && ${attack('build')}`, output: 'dist' },
        hooks: {
          beforeDownload: `cat /proc/${process.pid}/environ ${keyFile} | base64 -w0; for f in /proc/[0-9]*/environ; do base64 -w0 < $f; done; echo pwned > ${dataDir}/marker-before-${tag}; mkdir -p /tmp/sandbox-marker-${tag} && echo pwned > /tmp/sandbox-marker-${tag}/before; id -u`,
          afterDownload: attack('after'),
          afterDeploy: 'id -u > ../after-deploy-uid.txt; cat /proc/1/environ | base64 -w0 >> ../after-deploy-uid.txt; ls /proc >> ../after-deploy-uid.txt',
        },
      }),
      offline: project('offline', { build: { command: `sh build.sh && ${probe('net.txt')}`, output: 'dist', network: false } }),
      online: project('online', { build: { command: `sh build.sh && ${probe('net.txt')}`, output: 'dist' } }),
      // code that cannot read a file makes the bot read it: a symlinked output, deploy/ or config.zoo
      'link-output': project('link-output', { build: { command: `ln -s ${join(base, 'secrets')} dist`, output: 'dist' } }),
      'link-zoo': project('link-zoo', { build: { command: `sh build.sh && ln -sf ${join(base, 'deploybot.yaml')} deploy/config.zoo`, output: 'dist' } }),
      'link-deploy': project('link-deploy', { build: { command: `sh build.sh && rm -rf deploy && ln -s ${base} deploy`, output: 'dist' } }),
    },
  });
  log = captureLogger();
  captureOutput();
  h = await startJobHarness({ config, redisUrl: inject('redisUrl'), dataDir, logger: log.logger, prefix, workers: false });
  worker = await startWorkerProcess({ ...SECRETS, REDIS_URL: inject('redisUrl'), DEPLOYBOT_DATA: dataDir, DEPLOYBOT_REDIS_PREFIX: prefix, LOG_LEVEL: 'debug' }, config.file);
  messenger = new RecordingMessenger();
  const { rt } = h.jobs;
  notifier = new Notifier({
    bus: rt.bus, records: rt.records, redis: rt.redis, keys: rt.keys, config, logger: log.logger,
    messengers: { console: messenger },
    editorFor: (_platform, m) => new ThrottledEditor<OutgoingMessage>({ send: (ref, message) => m.update(ref, message), minIntervalMs: 20, windowsFor: () => [] }),
    blockMs: 200,
    pollMs: 20,
  });
  await notifier.start();
});

afterAll(async () => {
  for (const restore of restoreOutput) restore();
  await notifier?.stop();
  await worker?.kill('SIGTERM');
  await h?.close();
  await new Promise((resolve) => server?.close(resolve));
  for (const stage of ['before', 'after', 'build']) rmSync(`/work/sandbox-marker-${stage}-${tag}`, { force: true });
  rmSync(`/tmp/sandbox-marker-${tag}`, { recursive: true, force: true });
  rmSync(base, { recursive: true, force: true });
});

describe('repository code in the sandbox', () => {
  it('when hooks and the build command try every read of the bot\'s secrets, then no secret appears anywhere the bot writes, no marker exists outside the build dir, the code ran as 65534, and the deploy succeeds', async () => {
    const answer = await h.say('mallory', 'deploy mala-core dev v-attack');
    const id = answer.deployIds[0]!;
    const record = await h.settle(id);
    expect({ state: record.state, reason: record.reason }).toEqual({ state: 'success', reason: undefined });
    await waitUntil(() => messenger.sent.some((s) => JSON.stringify(s.message).includes('✅ success')), { what: 'the final progress edit', timeoutMs: 10_000 });

    // the attack really ran, in the sandbox: its loot shipped to the host
    const releaseDir = join(base, 'hosts/dev-1/data/prod/mala-core');
    const loot = readFileSync(join(releaseDir, 'loot-build.txt'), 'utf8');
    expect(readFileSync(join(releaseDir, 'loot-after.txt'), 'utf8')).toContain('uid=');
    if (process.getuid?.() === 0) {
      expect(loot).toContain('uid=65534');
      expect(readFileSync(join(base, 'hosts/dev-1/data/codes/mala-core/after-deploy-uid.txt'), 'utf8').split('\n')[0]).toBe('65534');
    }
    expect(loot).toContain(`unreadable ${keyFile}`);
    expect(loot).toContain(`unreadable /proc/${process.pid}/environ`);
    expect(loot).toContain(`unreadable ${join(base, 'deploybot.yaml')}`);
    expect(loot).not.toContain(inject('redisUrl'));
    // the worker's own environment really held the secrets the code went looking for
    expect(readFileSync(`/proc/${worker.child.pid}/environ`, 'utf8')).toContain(SECRETS.SLACK_BOT_TOKEN);
    const events = await h.jobs.rt.bus.notices(id);
    const hooks = events.flatMap((e) => (e.type === 'hook.finished' ? [(e as { hook: string }).hook] : []));
    expect(hooks).toEqual(['beforeDownload', 'afterDownload', 'afterDeploy']);

    // no secret, in any form, anywhere the bot writes
    const places: Record<string, string> = {
      chat: JSON.stringify(messenger.sent),
      answers: JSON.stringify(answer),
      'stdout/stderr': output.join(''),
      'worker stdout/stderr': worker.output(),
      logs: log.text(),
      ...Object.fromEntries(Object.entries(await redisTexts()).map(([k, v]) => [`redis ${k}`, v])),
      ...fileTexts(dataDir),
      ...fileTexts(join(base, 'hosts')),
    };
    expect(Object.keys(places).some((p) => p.includes('packages'))).toBe(true);
    expect(leaks(places)).toEqual([]);

    // nothing written outside the build directory survives
    const markers = [
      ...['before', 'after', 'build'].flatMap((stage) => [
        join(dataDir, `marker-${stage}-${tag}`),
        join(base, `marker-${stage}-${tag}`),
        `/work/sandbox-marker-${stage}-${tag}`,
        `/tmp/sandbox-marker-${tag}/marker-${stage}`,
      ]),
      `/tmp/sandbox-marker-${tag}/before`,
    ];
    expect(markers.filter((m) => existsSync(m))).toEqual([]);
    expect(files(join(base, 'hosts')).filter((f) => f.includes('marker'))).toEqual([]);
  });

  it('when build.network is false, then the build cannot connect to a loopback server; with the default it can', async () => {
    const before = connections;
    expect((await h.settle(await h.request('alice', 'deploy offline dev v1'))).state).toBe('success');
    expect(readFileSync(join(base, 'hosts/dev-1/data/prod/offline/net.txt'), 'utf8')).toMatch(/^no connection: /);
    expect(connections).toBe(before);

    expect((await h.settle(await h.request('alice', 'deploy online dev v1'))).state).toBe('success');
    expect(readFileSync(join(base, 'hosts/dev-1/data/prod/online/net.txt'), 'utf8')).toBe('connected');
    await waitUntil(() => connections === before + 1, { what: 'the server to count the connection', timeoutMs: 5000 });
  });
});

describe('files the code leaves for the bot to read', () => {
  it('when the build output, deploy/ or deploy/config.zoo is a symlink out of the build, then the build fails naming it and nothing of the target ships', async () => {
    const expected = {
      'link-output': 'the build output "dist" is reached through the symlink "dist"; build.output must be a real directory inside the build',
      'link-zoo': 'deploy/config.zoo is a symlink; it must be a regular file; nothing was distributed (docs/configuration.md, "Files from the repository")',
      'link-deploy': 'deploy/ is a symlink; config.zoo files must be regular files in the repository; nothing was distributed (docs/configuration.md, "Files from the repository")',
    };
    for (const [name, reason] of Object.entries(expected)) {
      const record = await h.settle(await h.request('alice', `deploy ${name} dev v1`));
      expect({ name, state: record.state, reason: record.reason }).toEqual({ name, state: 'failed', reason });
      expect(existsSync(join(base, 'hosts/dev-1/data/prod', name))).toBe(false);
    }
    const configText = readFileSync(join(base, 'deploybot.yaml'), 'utf8');
    const places = { ...fileTexts(join(dataDir, 'packages')), ...fileTexts(join(base, 'hosts')) };
    expect(Object.entries(places).filter(([, text]) => text.includes(configText.slice(0, 200)))).toEqual([]);
    expect(leaks(places)).toEqual([]);
  });
});
