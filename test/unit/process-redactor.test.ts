// "The secrets of this process" come from one list: keys, the credential variables, ZooKeeper
// auth and repo URL credentials — and nothing else is redacted.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Config } from '../../config/load-config.ts';
import { processRedactor, processSecrets, SECRET_ENV } from '../../src/core/process-redactor.ts';
import { writeTestConfig } from '../fixtures/write-test-config.ts';

const dir = mkdtempSync(join(tmpdir(), 'deploybot-secrets-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function config(repos: Record<string, string>, zookeeperAuthEnv?: string): Config {
  const loaded = writeTestConfig(dir, {
    keys: { deploy: { env: 'K' } },
    hosts: { h: { local: 'h' } },
    markets: { dev: { zookeeper: { connect: '127.0.0.1:2181' }, locations: { main: { role: 'production', hosts: ['h'] } } } },
    projects: Object.fromEntries(Object.entries(repos).map(([name, repo]) => [name, { repo, path: '/p', releasesDir: '/r', markets: ['dev'] }])),
  }, { K: 'key-material-0123456789' });
  if (!zookeeperAuthEnv) return loaded;
  // the `auth` field is added to the schema by the ZooKeeper work; the redactor reads it when present
  const dev = loaded.markets.dev!;
  return { ...loaded, markets: { dev: { ...dev, zookeeper: { ...dev.zookeeper!, auth: { env: zookeeperAuthEnv } } as typeof dev.zookeeper } } };
}

describe('processSecrets', () => {
  it('when every credential variable, ZooKeeper auth and a repo token are set, then each is redacted and unrelated variables are not', () => {
    const env = Object.fromEntries(SECRET_ENV.map((name) => [name, `value-of-${name}`]));
    const redactor = processRedactor(config({ a: 'https://x-access-token:ghp_TOKEN123@git.example.com/a.git', b: 'https://ghs_USERTOKEN@git.example.com/b.git', c: 'ssh://git@git.example.com/c.git' }, 'ZK_AUTH'), { ...env, ZK_AUTH: 'deploybot:zk-password', HOME: '/home/deploybot', PORT: '3000' });
    const text = [...SECRET_ENV.map((name) => `value-of-${name}`), 'deploybot:zk-password', 'key-material-0123456789', 'ghp_TOKEN123', 'ghs_USERTOKEN'].join(' ');
    expect(redactor.redact(text)).toBe(Array(SECRET_ENV.length + 4).fill('[redacted]').join(' '));
    expect(redactor.redact('/home/deploybot 3000 git x-access-token')).toBe('/home/deploybot 3000 git x-access-token');
  });

  it('labels secrets by where they come from, never by value', () => {
    const labels = processSecrets(config({ a: 'https://u:tok@h/a.git' }), { METRICS_TOKEN: 'm-token' }).map((s) => (typeof s === 'string' ? s : s.label));
    expect(labels).toContain('METRICS_TOKEN');
    expect(labels).toContain('the credentials in projects.a.repo');
    expect(labels).toContain('key deploy');
    expect(processRedactor(config({ a: 'https://u:tok@h/a.git' }), {}).tooShort).toEqual(['the credentials in projects.a.repo']);
  });
});
