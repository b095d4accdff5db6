// An attacker's hooks against the redaction boundaries: a deploy through the real bot
// (startBot: job layer, workers, notifier, real Redis, a local host) whose beforeDeploy and
// failing afterDeploy hooks print SLACK_BOT_TOKEN, UPLOAD_HOOK_SECRET and the deploy key
// raw, JSON-escaped, base64 (three alignments, both alphabets), hex and split across two
// writes. No form may reach chat, the logs, any Redis value or any file under the data
// directory. A repo URL with credentials shows as https://***@… in chat, Redis and logs.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Config } from '../../config/load-config.ts';
import { createDeployWorker } from '../../jobs/deploy-worker.ts';
import { startBot, type RunningBot } from '../../src/app/start-bot.ts';
import { waitForDeploy } from '../../src/app/wait-for-deploy.ts';
import type { OutgoingMessage } from '../../src/core/chat-types.ts';
import { processRedactor } from '../../src/core/process-redactor.ts';
import { captureLogger, type CapturedLogger } from '../fakes/capture-logger.ts';
import { RecordingMessenger } from '../fakes/recording-messenger.ts';
import { makeGitRepo } from '../fixtures/make-git-repo.ts';
import { writeTestConfig } from '../fixtures/write-test-config.ts';
import { projectCommands } from '../../src/cli/project-commands.ts';

let base: string;
let dataDir: string;
let config: Config;
let bot: RunningBot;
let redis: Redis;
let log: CapturedLogger;
const messenger = new RecordingMessenger();
const answers: OutgoingMessage[] = [];
const uploads: string[] = [];
const secrets = {
  SLACK_BOT_TOKEN: `xoxb-${randomBytes(18).toString('hex')}`,
  UPLOAD_HOOK_SECRET: randomBytes(24).toString('base64'),
  key: '',
};

beforeAll(async () => {
  base = mkdtempSync(join(tmpdir(), 'deploybot-redact-'));
  dataDir = join(base, 'var');
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'redaction-test', '-f', join(base, 'deploy_key')]);
  secrets.key = readFileSync(join(base, 'deploy_key'), 'utf8');
  rmSync(join(base, 'deploy_key'));
  rmSync(join(base, 'deploy_key.pub'));
  // local hosts run their hooks in the sandbox with only the host's directory visible, so
  // the operator's script that prints the secrets lives there
  const leak = writeLeakScript(join(base, 'hosts', 'dev-1', 'leak'));
  const repo = makeGitRepo(join(base, 'repo'), { tags: ['v1'] });
  config = writeTestConfig(base, {
    keys: { deploy: { env: 'REDACTION_TEST_KEY' } },
    hosts: { 'dev-1': { local: 'hosts/dev-1' } },
    markets: { dev: { approval: 'none', locations: { main: { role: 'production', hosts: ['dev-1'] } } } },
    projects: {
      'mala-core': {
        repo: repo.dir,
        build: { command: 'sh build.sh', output: 'dist' },
        path: '/data/prod/mala-core',
        releasesDir: '/data/codes/mala-core',
        hostTimeout: '20s',
        hooks: { beforeDeploy: `sh ${leak}`, afterDeploy: `sh ${leak}; exit 1` },
        markets: ['dev'],
      },
      'leaky-repo': { repo: 'https://user:tok@127.0.0.1:1/x.git', path: '/data/prod/leaky', releasesDir: '/data/codes/leaky', markets: ['dev'] },
    },
  }, { REDACTION_TEST_KEY: secrets.key });
  // the entry points build one redactor from the process's secrets and hand it to the logger and the bot
  const redactor = processRedactor(config, { SLACK_BOT_TOKEN: secrets.SLACK_BOT_TOKEN, UPLOAD_HOOK_SECRET: secrets.UPLOAD_HOOK_SECRET });
  log = captureLogger('debug', redactor);
  bot = await startBot({ commands: projectCommands(),
    config,
    dataDir,
    logger: log.logger,
    messengers: { console: messenger },
    redisUrl: inject('redisUrl'),
    prefix: `t${randomBytes(4).toString('hex')}`,
    redactor,
    workers: (rt) => createDeployWorker(rt),
    notifier: { uploadLog: { console: async (_ref, _name, content) => void uploads.push(content) } },
  });
  redis = new Redis(inject('redisUrl'));
});

afterAll(async () => {
  redis?.disconnect();
  await bot?.stop();
  rmSync(base, { recursive: true, force: true });
});

async function deploy(text: string): Promise<string> {
  const ids: string[] = [];
  const privately: string[] = [];
  await bot.router.onCommand({
    text,
    user: { id: 'console:alice' },
    channel: 'C0TEST',
    platform: 'console',
    reply: async (message) => {
      answers.push(message);
      return { channel: 'C0TEST', id: `a${answers.length}` };
    },
    replyPrivately: async (message) => {
      privately.push(message);
      answers.push({ text: message });
    },
    track: (job) => void ids.push(job.deployId),
  });
  const id = ids[0];
  if (!id) throw new Error(`"${text}" was not accepted: ${privately.join(' | ')}`);
  await waitForDeploy(bot.jobs.rt, id, undefined, 40_000);
  await bot.notifier.settled(id);
  return id;
}

describe('redaction at every boundary', () => {
  it('when hooks print every secret in every encoding, also split across writes, then no form reaches chat, logs, Redis or the data directory', async () => {
    const id = await deploy('deploy mala-core dev v1');
    const record = await bot.jobs.rt.records.require(id);
    // switched, then afterDeploy failed on the only host
    expect(record.state).toBe('partial');

    const chat = chatText();
    // the hook output did reach chat and Redis — redacted
    expect(chat).toContain('afterDeploy');
    expect(chat).toContain('[redacted]');
    const stored = await everyRedisValue();
    expect(stored).toContain('split [redacted]');

    const forbidden = forbiddenForms();
    const files = everyFileUnder(dataDir);
    for (const form of forbidden) {
      expect(chat, `chat shows ${form}`).not.toContain(form);
      expect(log.text(), `logs show ${form}`).not.toContain(form);
      expect(stored, `Redis holds ${form}`).not.toContain(form);
      expect(files, `a file under the data dir holds ${form}`).not.toContain(form);
    }
  });

  it('when a repo URL carries credentials and the fetch fails, then chat, Redis and logs show https://***@ and never the credentials', async () => {
    const id = await deploy('deploy leaky-repo dev v1');
    const record = await bot.jobs.rt.records.require(id);
    expect(record.state).toBe('failed');
    const chat = chatText();
    expect(chat).toContain('cannot fetch https://***@127.0.0.1:1/x.git');
    const stored = await everyRedisValue();
    expect(stored).toContain('https://***@127.0.0.1:1/x.git');
    for (const where of [chat, stored, log.text(), everyFileUnder(dataDir)]) {
      expect(where).not.toContain('user:tok');
      expect(where).not.toMatch(/\/\/user[:@]/);
    }
  });
});

describe('the boundaries themselves', () => {
  it('when any code writes a secret to Redis through the runtime, then Redis holds it redacted, in every form', async () => {
    const key = `${bot.jobs.rt.keys.bullPrefix()}:probe`;
    const token = secrets.SLACK_BOT_TOKEN;
    await bot.jobs.rt.redis.set(key, `raw ${token} b64 ${Buffer.from(`x${token}`).toString('base64')} url https://u:${token}@h/x`);
    await bot.jobs.rt.redis.rpush(`${key}:list`, JSON.stringify({ reason: `"${token}"` }));
    const raw = [await redis.get(key), ...(await redis.lrange(`${key}:list`, 0, -1))].join('\n');
    expect(raw).toContain('raw [redacted]');
    expect(raw).toContain('https://***@h/x');
    for (const form of forbiddenForms()) expect(raw).not.toContain(form);
    await redis.del(key, `${key}:list`);
  });

  it('when a message carrying a secret is posted, edited or sent privately through the bot, then chat gets it redacted', async () => {
    const chatMessenger = bot.messengers.console!;
    const before = messenger.sent.length;
    const ref = await chatMessenger.post('C0TEST', { text: `token ${secrets.UPLOAD_HOOK_SECRET}`, lines: [secrets.key], buttons: [{ label: secrets.SLACK_BOT_TOKEN, command: 'status mala-core' }] });
    await chatMessenger.update(ref, { text: Buffer.from(secrets.SLACK_BOT_TOKEN).toString('hex') });
    await chatMessenger.postPrivate('C0TEST', { id: 'console:alice' }, `key ${JSON.stringify(secrets.key)}`);
    const sent = messenger.sent.slice(before).map((s) => JSON.stringify(s.message)).join('\n');
    expect(sent).toContain('[redacted]');
    for (const form of forbiddenForms()) expect(sent).not.toContain(form);
  });
});

/** The script both hooks run: it prints what an attacker would (the secrets it was handed, via files the test wrote). */
function writeLeakScript(dir: string): string {
  execFileSync('mkdir', ['-p', dir]);
  const files: string[] = [];
  for (const [name, value] of Object.entries(secrets)) {
    writeFileSync(join(dir, name), value);
    writeFileSync(join(dir, `${name}.json`), JSON.stringify(value).slice(1, -1));
    files.push(name);
  }
  const token = secrets.SLACK_BOT_TOKEN;
  const keyLine = secrets.key.split('\n')[1]!;
  const lines = ['#!/bin/sh'];
  for (const name of files) {
    const f = join(dir, name);
    lines.push(
      `printf 'raw %s\\n' "$(cat '${f}')"`,
      `printf 'json %s\\n' "$(cat '${f}.json')"`,
      `printf 'b64 '; base64 -w0 < '${f}'; echo`,
      `printf 'b64+1 '; { printf x; cat '${f}'; printf z; } | base64 -w0; echo`,
      `printf 'b64+2 '; { printf xy; cat '${f}'; } | base64 -w0; echo`,
      `printf 'b64url '; { printf q; cat '${f}'; } | base64 -w0 | tr '+/' '-_'; echo`,
      `printf 'hex '; od -An -v -tx1 < '${f}' | tr -d ' \\n'; echo`,
      `printf 'HEX '; od -An -v -tx1 < '${f}' | tr -d ' \\n' | tr a-f A-F; echo`,
    );
  }
  const half = (s: string) => [s.slice(0, Math.floor(s.length / 2)), s.slice(Math.floor(s.length / 2))];
  for (const [a, b] of [half(token), half(keyLine), half(secrets.UPLOAD_HOOK_SECRET)]) {
    lines.push(`printf 'split '; printf %s '${a}'; sleep 0.2; printf %s '${b}'; echo`);
  }
  const script = join(dir, 'leak.sh');
  writeFileSync(script, `${lines.join('\n')}\n`);
  return script;
}

/** Every form of every secret that must never be written, worked out here, not by the redactor. */
function forbiddenForms(): string[] {
  const units = [secrets.SLACK_BOT_TOKEN, secrets.UPLOAD_HOOK_SECRET, secrets.key, ...secrets.key.split('\n').filter((l) => l.length >= 8 && !l.startsWith('-----'))];
  const forms = new Set<string>();
  for (const unit of units) {
    const bytes = Buffer.from(unit);
    forms.add(unit);
    forms.add(JSON.stringify(unit).slice(1, -1));
    forms.add(bytes.toString('hex'));
    forms.add(bytes.toString('hex').toUpperCase());
    for (let align = 0; align < 3; align += 1) {
      // the base64 characters that stay put when the neighbouring bytes change depend on the secret alone
      const one = Buffer.concat([Buffer.alloc(align, 0x00), bytes, Buffer.alloc(2, 0x00)]).toString('base64');
      const other = Buffer.concat([Buffer.alloc(align, 0xff), bytes, Buffer.alloc(2, 0xff)]).toString('base64');
      let core = '';
      for (let i = 0; i < one.length; i += 1) if (one[i] === other[i]) core += one[i];
      forms.add(core);
      forms.add(core.replace(/\+/g, '-').replace(/\//g, '_'));
    }
  }
  return [...forms].filter((f) => f.length >= 8);
}

function chatText(): string {
  const text = (m: OutgoingMessage) => [m.text, ...(m.lines ?? []), ...(m.buttons ?? []).flatMap((b) => [b.label, b.command])].join('\n');
  return [...messenger.sent.map((s) => text(s.message)), ...answers.map(text), ...uploads].join('\n');
}

async function everyRedisValue(): Promise<string> {
  const out: string[] = [];
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'COUNT', 1000);
    cursor = next;
    for (const key of keys) {
      const type = await redis.type(key);
      out.push(String(key));
      if (type === 'string') out.push((await redis.get(key)) ?? '');
      else if (type === 'list') out.push(...(await redis.lrange(key, 0, -1)));
      else if (type === 'hash') out.push(...Object.entries(await redis.hgetall(key)).flat());
      else if (type === 'set') out.push(...(await redis.smembers(key)));
      else if (type === 'zset') out.push(...(await redis.zrange(key, '0', '-1')).map(String));
      else if (type === 'stream') out.push(...(await redis.xrange(key, '-', '+')).flatMap(([, fields]) => fields));
    }
  } while (cursor !== '0');
  return out.join('\n');
}

function everyFileUnder(dir: string): string {
  const out: string[] = [];
  const walk = (path: string) => {
    for (const entry of readdirSync(path, { withFileTypes: true })) {
      const full = join(path, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile() && statSync(full).size < 20_000_000) out.push(readFileSync(full, 'latin1'));
    }
  };
  walk(dir);
  return out.join('\n');
}
