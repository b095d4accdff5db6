// `markets.<m>.zookeeper.auth: { env: NAME }` in the config: resolved into a Secret, listed
// with the other secrets, never printed; a market without it is named in the summary as
// world-writable (trials only).
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { configSecrets, parseConfig, summarizeConfig } from '../../config/load-config.ts';

const PASSWORD = 'Zk-pass-8c2e71';

function document(auth?: unknown): string {
  return JSON.stringify({
    hosts: { h: { local: 'hosts/h' } },
    markets: {
      brazil: { zookeeper: { connect: '127.0.0.1:2181', ...(auth === undefined ? {} : { auth }) }, locations: { main: { role: 'production', hosts: ['h'] } } },
      dev: { locations: { main: { role: 'production', hosts: ['h'] } } },
    },
    projects: { p: { repo: 'repo', path: '/data/p', releasesDir: '/data/r', markets: ['brazil', 'dev'] } },
  });
}

describe('zookeeper.auth in the config', () => {
  it('when the variable holds user:password, then the market has it as a Secret that never prints, and it is among the secrets', () => {
    const loaded = parseConfig(document({ env: 'ZK_AUTH' }), '/etc/deploybot/deploybot.yaml', { ZK_AUTH: `deploybot:${PASSWORD}` });
    if (!loaded.ok) throw new Error(loaded.problems.join('\n'));
    const secret = loaded.config.zookeeperAuth.brazil!;
    expect(secret.reveal()).toBe(`deploybot:${PASSWORD}`);
    expect(loaded.config.zookeeperAuth.dev).toBeUndefined();
    expect(configSecrets(loaded.config)).toContain(secret);
    for (const text of [JSON.stringify(loaded.config), inspect(loaded.config, { depth: 10 }), `${secret}`, summarizeConfig(loaded.config)]) expect(text).not.toContain(PASSWORD);
    expect(summarizeConfig(loaded.config)).not.toContain('without auth');
  });

  it('when the variable is unset, empty or not user:password, then the config is refused naming the field', () => {
    for (const [env, message] of [[{}, 'ZK_AUTH is not set'], [{ ZK_AUTH: '' }, 'ZK_AUTH is not set'], [{ ZK_AUTH: 'no-colon' }, 'ZK_AUTH must hold user:password'], [{ ZK_AUTH: ':pw' }, 'ZK_AUTH must hold user:password'], [{ ZK_AUTH: 'user:' }, 'ZK_AUTH must hold user:password']] as const) {
      const loaded = parseConfig(document({ env: 'ZK_AUTH' }), '/etc/deploybot/deploybot.yaml', env);
      expect(loaded.ok).toBe(false);
      if (!loaded.ok) expect(loaded.problems).toEqual([`markets.brazil.zookeeper.auth.env: environment variable ${message}`]);
    }
  });

  it('when auth is written inline, then it is refused: secrets come from the environment', () => {
    const loaded = parseConfig(document({ user: 'deploybot', password: PASSWORD }), '/etc/deploybot/deploybot.yaml', {});
    expect(loaded.ok).toBe(false);
    if (!loaded.ok) {
      expect(loaded.problems.join('\n')).toContain('markets.brazil.zookeeper.auth');
      expect(loaded.problems.join('\n')).not.toContain(PASSWORD);
    }
  });

  it('when a market uses ZooKeeper without auth, then the summary names it as writable by anyone, for trials only', () => {
    const loaded = parseConfig(document(), '/etc/deploybot/deploybot.yaml', {});
    if (!loaded.ok) throw new Error(loaded.problems.join('\n'));
    expect(summarizeConfig(loaded.config)).toContain('ZooKeeper without auth for brazil: its nodes are writable by anyone who reaches it (for trials only');
  });
});
