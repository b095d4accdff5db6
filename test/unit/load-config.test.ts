import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { loadConfig, parseConfig, summarizeConfig } from '../../config/load-config.ts';
import { rolloutSettings } from '../../src/deploy/rollout-settings.ts';
import { chatLimitsOf, DEFAULT_CHAT_LIMITS } from '../../src/notify/chat-limits.ts';

// a real private key, made for this run only
const KEY_TEXT = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const KEY_BODY = KEY_TEXT.split('\n')[1]!;
const HOST_KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKp0dGVzdGhvc3RrZXl0ZXN0aG9zdGtleXRlc3Q';

const BASE = `
keys:
  deploy: { env: TEST_DEPLOY_KEY }
hosts:
  dev-1:   { local: hosts/dev-1 }
  br-1:    { address: 127.0.0.1, port: 2201, user: deploy, key: deploy, hostKey: "${HOST_KEY}" }
  br-2:    { address: 127.0.0.1, port: 2202, user: deploy, key: deploy, hostKey: "${HOST_KEY}" }
  br-gray: { address: 127.0.0.1, port: 2203, user: deploy, key: deploy, hostKey: "${HOST_KEY}" }
  br-admin: { address: 127.0.0.1, port: 2204, user: deploy, key: deploy, hostKey: "${HOST_KEY}" }
  br-rev:  { address: 127.0.0.1, port: 2205, user: deploy, key: deploy, hostKey: "${HOST_KEY}" }
markets:
  dev:
    approval: none
    locations:
      main: { role: production, hosts: [dev-1] }
  brazil:
    approval: { approvers: [U01ALICE, U01BOB], required: 1 }
    requiresPassIn: [dev]
    zookeeper: { connect: "127.0.0.1:2181", root: /deploybot }
    locations:
      main:     { role: production, hosts: [br-1, br-2, br-gray], grayHosts: [br-gray], admin: br-admin }
      appstore: { role: review, hosts: [br-rev] }
projects:
  mala-core:
    repo: repos/mala-core
    path: /data/prod/mala-core
    releasesDir: /data/codes/mala-core
    hostTimeout: 90s
    hooks:
      afterDeploy: { template: restart }
    markets: [dev, brazil]
hookTemplates:
  restart: "svc -t /service/{project}"
chat:
  channels: { mala-core: { brazil: C0BRAZIL } }
`;

const env = { TEST_DEPLOY_KEY: KEY_TEXT };
const dir = mkdtempSync(join(tmpdir(), 'deploybot-config-'));
const file = join(dir, 'deploybot.yaml');

/** Applies a change to the base document and validates it. */
function withChange(change: (doc: ReturnType<typeof parseDocument>) => void) {
  const doc = parseDocument(BASE);
  change(doc);
  return parseConfig(doc.toString(), file, env);
}

describe('loading a config', () => {
  it('when the file is valid, then defaults are filled, durations parsed and relative paths resolved', () => {
    const result = parseConfig(BASE, file, env);
    if (!result.ok) throw new Error(result.problems.join('\n'));
    const { config } = result;
    expect(config.hosts['br-1']).toMatchObject({ port: 2201, user: 'deploy' });
    expect(config.hosts['dev-1']).toEqual({ local: join(dir, 'hosts/dev-1') });
    expect(config.projects['mala-core']).toMatchObject({ keepReleases: 5, parallel: 10, hostTimeout: 90_000, maxFailedHosts: 0, repo: join(dir, 'repos/mala-core') });
    expect(config.markets.brazil?.approval).toMatchObject({ required: 1, expiresAfter: 30 * 60_000 });
    expect(config.markets.brazil?.locations.appstore?.grayHosts).toEqual([]);
    expect(config.keys.deploy?.reveal()).toBe(KEY_TEXT);
  });

  it('when chat.rateLimits is not given, then the chat budget keeps Slack\'s and DingTalk\'s defaults; a shrunk window and a reserve that leaves no progress are read and refused', () => {
    const base = parseConfig(BASE, file, env);
    if (!base.ok) throw new Error(base.problems.join('\n'));
    expect(chatLimitsOf(base.config)).toEqual(DEFAULT_CHAT_LIMITS);
    const shrunk = withChange((d) => d.setIn(['chat', 'rateLimits'], d.createNode({ window: '6s', slackUpdates: 20, finalReserve: 4 })));
    if (!shrunk.ok) throw new Error(shrunk.problems.join('\n'));
    expect(chatLimitsOf(shrunk.config)).toEqual({ windowMs: 6000, slackUpdates: 20, finalReserve: 4, dingtalkMessages: 15 });
    const starved = withChange((d) => d.setIn(['chat', 'rateLimits'], d.createNode({ slackUpdates: 8, finalReserve: 8 })));
    expect(starved.ok).toBe(false);
    if (!starved.ok) expect(starved.problems).toEqual([expect.stringMatching(/^chat\.rateLimits: finalReserve must be below slackUpdates/)]);
  });

  it('when a host omits its port, then it is 22', () => {
    const result = withChange((d) => d.deleteIn(['hosts', 'br-1', 'port']));
    expect(result.ok && result.config.hosts['br-1']).toMatchObject({ port: 22 });
  });

  it('when a secret is resolved, then printing the config never shows it', () => {
    const result = parseConfig(BASE, file, env);
    if (!result.ok) throw new Error('invalid');
    const printed = [JSON.stringify(result.config), inspect(result.config, { depth: 10 }), String(result.config.keys.deploy)].join('\n');
    expect(printed).not.toContain(KEY_BODY);
  });

  it('when a key file is given, then it is read relative to the config file', () => {
    writeFileSync(join(dir, 'id_test'), KEY_TEXT);
    const result = withChange((d) => d.setIn(['keys', 'deploy'], d.createNode({ file: 'id_test' })));
    expect(result.ok && result.config.keys.deploy?.reveal()).toBe(KEY_TEXT);
  });

  const broken: Array<[string, (d: ReturnType<typeof parseDocument>) => void, string[]]> = [
    ['an unknown host in a location', (d) => d.setIn(['markets', 'brazil', 'locations', 'main', 'hosts', 1], 'br-9'),
      ['markets.brazil.locations.main.hosts.1: unknown host "br-9" (did you mean "br-1"?)']],
    ['an unknown gray host', (d) => d.setIn(['markets', 'brazil', 'locations', 'main', 'grayHosts', 0], 'x'),
      ['markets.brazil.locations.main.grayHosts.0: unknown host "x"']],
    ['a gray host outside the location', (d) => d.setIn(['markets', 'brazil', 'locations', 'main', 'grayHosts', 0], 'br-rev'),
      ['markets.brazil.locations.main.grayHosts.0: "br-rev" is not one of this location\'s hosts']],
    ['an unknown admin', (d) => d.setIn(['markets', 'brazil', 'locations', 'main', 'admin'], 'nobody'),
      ['markets.brazil.locations.main.admin: unknown host "nobody"']],
    ['an unknown key', (d) => d.setIn(['hosts', 'br-2', 'key'], 'other'), ['hosts.br-2.key: unknown key "other"']],
    ['an unknown market in a project', (d) => d.setIn(['projects', 'mala-core', 'markets', 1], 'mars'),
      ['projects.mala-core.markets.1: unknown market "mars"']],
    ['an unknown hook template', (d) => d.setIn(['projects', 'mala-core', 'hooks', 'afterDeploy', 'template'], 'nope'),
      ['projects.mala-core.hooks.afterDeploy.template: unknown hook template "nope"']],
    ['an approval without approvers', (d) => d.setIn(['markets', 'brazil', 'approval', 'approvers'], d.createNode([])),
      ['markets.brazil.approval.approvers: needs at least one approver']],
    ['a duplicate host in a location', (d) => d.setIn(['markets', 'brazil', 'locations', 'main', 'hosts', 1], 'br-1'),
      ['markets.brazil.locations.main.hosts.1: duplicate host "br-1"']],
    ['an inline secret', (d) => d.setIn(['keys', 'deploy'], KEY_TEXT),
      ['keys.deploy: must be { file: path } or { env: NAME }; secrets are never written inline']],
    ['a missing environment variable', (d) => d.setIn(['keys', 'deploy', 'env'], 'NOT_SET_ANYWHERE'),
      ['keys.deploy.env: environment variable NOT_SET_ANYWHERE is not set']],
    ['a bad duration', (d) => d.setIn(['projects', 'mala-core', 'hostTimeout'], 'soon'),
      ['projects.mala-core.hostTimeout: invalid duration "soon": use 90s, 2m, 1h or a number of seconds']],
    ['a malformed host key', (d) => d.setIn(['hosts', 'br-1', 'hostKey'], 'AAAA'),
      ['hosts.br-1.hostKey: must be a public key line like "ssh-ed25519 AAAA..."']],
    ['a relative online path', (d) => d.setIn(['projects', 'mala-core', 'path'], 'data/prod'),
      ['projects.mala-core.path: must be an absolute path']],
    ['an unknown field', (d) => d.setIn(['projects', 'mala-core', 'colour'], 'blue'),
      ['projects.mala-core: unknown field "colour"']],
    ['a missing section', (d) => d.delete('projects'), ['projects: is required']],
    ['two production locations', (d) => d.setIn(['markets', 'brazil', 'locations', 'appstore', 'role'], 'production'),
      ['markets.brazil.locations: needs exactly one location with role production, found 2 (main, appstore)']],
    ['a requiresPassIn of an unknown market', (d) => d.setIn(['markets', 'brazil', 'requiresPassIn', 0], 'qa'),
      ['markets.brazil.requiresPassIn.0: unknown market "qa"']],
    ['review platforms in a market without platforms', (d) => d.setIn(['markets', 'brazil', 'locations', 'appstore', 'platforms'], d.createNode(['iqq'])),
      ['markets.brazil.locations.appstore.platforms.0: the market has no platforms; "iqq" needs markets.brazil.platforms']],
    ['a review platform the market does not have', (d) => {
      d.setIn(['markets', 'brazil', 'platforms'], d.createNode(['aqq', 'iqq']));
      d.setIn(['markets', 'brazil', 'locations', 'appstore', 'platforms'], d.createNode(['iqq', 'iwx']));
    }, ['markets.brazil.locations.appstore.platforms.1: unknown platform "iwx" (the market\'s: aqq, iqq)']],
    ['platforms on a production location', (d) => {
      d.setIn(['markets', 'brazil', 'platforms'], d.createNode(['aqq', 'iqq']));
      d.setIn(['markets', 'brazil', 'locations', 'main', 'platforms'], d.createNode(['iqq']));
    }, ['markets.brazil.locations.main.platforms: only a review location names platforms; deploys name them with --platforms']],
    ['a duplicate platform', (d) => d.setIn(['markets', 'brazil', 'platforms'], d.createNode(['aqq', 'aqq'])),
      ['markets.brazil.platforms.1: duplicate platform "aqq"']],
    ['a platform that is no name', (d) => d.setIn(['markets', 'brazil', 'platforms'], d.createNode(['a/q'])),
      [expect.stringMatching(/^markets\.brazil\.platforms\.0: /)]],
  ];

  for (const [what, change, expected] of broken) {
    it(`when a config has ${what}, then it is refused naming the path`, () => {
      const result = withChange(change);
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.problems).toEqual(expected);
    });
  }

  it('when a mapping key is duplicated, then the YAML is refused with its line', () => {
    const result = parseConfig(`${BASE}\nhookTemplates:\n  other: x\n`, file, env);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problems[0]).toMatch(/YAML line \d+, column \d+: .*unique/i);
  });

  it('when a config has many problems, then all of them are listed at once', () => {
    const result = withChange((d) => {
      d.setIn(['markets', 'brazil', 'locations', 'main', 'hosts', 0], 'ghost');
      d.setIn(['projects', 'mala-core', 'markets', 0], 'mars');
      d.setIn(['hosts', 'br-2', 'key'], 'other');
    });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problems).toHaveLength(3);
  });

  it('when the file does not exist, then the problem names it', () => {
    const result = loadConfig(join(dir, 'missing.yaml'), env);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problems[0]).toContain('missing.yaml: cannot read the config file (ENOENT)');
  });

  it('the example config is valid', () => {
    const result = loadConfig('config/deploybot.example.yaml', {});
    if (!result.ok) throw new Error(result.problems.join('\n'));
    expect(Object.keys(result.config.projects)).toEqual(['mala-core', 'mala-client', 'api']);
    expect(Object.keys(result.config.markets)).toEqual(['dev', 'brazil', 'india', 'idn']);
  });
});

describe('admin relay settings', () => {
  it('when a location relays through its admin, then the admin paths are taken, and relay without an admin is refused', () => {
    const withRelay = withChange((d) => d.setIn(['markets', 'brazil', 'locations', 'main', 'relay'], d.createNode({ identityFile: '/home/deploy/.ssh/cluster', knownHostsFile: '/home/deploy/.ssh/cluster_known_hosts' })));
    expect(withRelay.ok && withRelay.config.markets.brazil?.locations.main?.relay).toEqual({ identityFile: '/home/deploy/.ssh/cluster', knownHostsFile: '/home/deploy/.ssh/cluster_known_hosts' });
    const orphan = withChange((d) => d.setIn(['markets', 'brazil', 'locations', 'appstore', 'relay'], d.createNode({ identityFile: '/k' })));
    expect(orphan.ok).toBe(false);
    if (!orphan.ok) expect(orphan.problems).toEqual(['markets.brazil.locations.appstore.relay: relay settings need an admin host']);
  });
});

describe('sandbox and ref policy settings', () => {
  it('when nothing is said, then repository code is sandboxed with the network, and any ref is allowed', () => {
    const result = parseConfig(BASE, file, env);
    if (!result.ok) throw new Error(result.problems.join('\n'));
    expect(result.config.projects['mala-core']!.build).toEqual({ network: true, sandbox: 'on' });
    expect(result.config.markets.brazil!.allowedRefs).toBeUndefined();
    expect(summarizeConfig(result.config)).not.toContain('UNSAFE');
  });

  it('when a project sets build.sandbox: off, then config check\'s one-line summary names it as unsafe', () => {
    const result = withChange((d) => d.setIn(['projects', 'mala-core', 'build'], d.createNode({ command: 'make', sandbox: 'off', network: false })));
    if (!result.ok) throw new Error(result.problems.join('\n'));
    expect(result.config.projects['mala-core']!.build).toEqual({ command: 'make', sandbox: 'off', network: false });
    const summary = summarizeConfig(result.config);
    expect(summary.split('\n')).toHaveLength(1);
    expect(summary).toContain('UNSAFE: build.sandbox off for mala-core');
  });

  it('when the settings are malformed, then each is refused by path', () => {
    const result = withChange((d) => {
      d.setIn(['projects', 'mala-core', 'build'], d.createNode({ sandbox: 'maybe', network: 'yes' }));
      d.setIn(['markets', 'brazil', 'allowedRefs'], d.createNode(['v*', 'bad ref', '']));
      d.setIn(['markets', 'dev', 'allowedRefs'], d.createNode([]));
    });
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.problems).toEqual(expect.arrayContaining([
        expect.stringMatching(/^projects\.mala-core\.build\.sandbox: must be "on" or "off"/),
        expect.stringMatching(/^projects\.mala-core\.build\.network: /),
        expect.stringMatching(/^markets\.brazil\.allowedRefs\.1: must be a glob/),
        expect.stringMatching(/^markets\.brazil\.allowedRefs\.2: must be a glob/),
        expect.stringMatching(/^markets\.dev\.allowedRefs: lists at least one pattern/),
      ]));
    }
  });
});

describe('people and approvers', () => {
  const withPeople = (people: unknown, approvers: unknown[], required = 1) => withChange((d) => {
    d.set('people', d.createNode(people));
    d.setIn(['markets', 'brazil', 'approval'], d.createNode({ approvers, required }));
  });

  it('when approvers are bare ids, then the config loads with one warning per bare id, naming the platform it looks like', () => {
    const result = withPeople({}, ['U01ALICE', 'U01BOB', '0123456', 'carol'], 1);
    if (!result.ok) throw new Error(result.problems.join('\n'));
    expect(result.warnings).toEqual([
      'markets.brazil.approval.approvers.0: "U01ALICE" matches on every platform; write slack:U01ALICE',
      'markets.brazil.approval.approvers.1: "U01BOB" matches on every platform; write slack:U01BOB',
      'markets.brazil.approval.approvers.2: "0123456" matches on every platform; write dingtalk:0123456',
      'markets.brazil.approval.approvers.3: "carol" matches on every platform; write console:carol',
    ]);
  });

  it('when approvers are people and qualified ids, then there is no warning and people are kept', () => {
    const result = withPeople({ alice: { slack: 'U01ALICE', dingtalk: '0123456' }, bob: { console: 'bob' } }, ['alice', 'bob', 'slack:U01CAROL'], 1);
    if (!result.ok) throw new Error(result.problems.join('\n'));
    expect(result.warnings).toEqual([]);
    expect(result.config.people.alice).toEqual({ slack: 'U01ALICE', dingtalk: '0123456' });
  });

  it('when the approvers cannot reach `required` without the requester, then config check warns; with fewer people than required it is a problem', () => {
    const sole = withPeople({ alice: { slack: 'U01ALICE' } }, ['alice', 'slack:U01ALICE'], 1);
    expect(sole.ok && sole.warnings).toEqual(['markets.brazil.approval.required: needs 1 approval(s) from 1 distinct approver(s): a deploy requested by one of them can never be approved']);
    const two = withPeople({ alice: { slack: 'U01ALICE' }, bob: { slack: 'U01BOB' } }, ['alice', 'bob'], 2);
    expect(two.ok && two.warnings).toEqual(['markets.brazil.approval.required: needs 2 approval(s) from 2 distinct approver(s): a deploy requested by one of them can never be approved']);
    const never = withPeople({ alice: { slack: 'U01ALICE' } }, ['alice', 'slack:U01ALICE'], 2);
    expect(!never.ok && never.problems).toEqual(['markets.brazil.approval.required: needs 2 approvals but the approvers are only 1 distinct people']);
  });

  const refused: Array<[string, unknown, unknown[], string[]]> = [
    ['an id claimed by two people', { alice: { slack: 'U01ALICE' }, mallory: { slack: 'U01ALICE' } }, ['alice', 'mallory'],
      ['people.mallory.slack: "U01ALICE" is already alice\'s slack id']],
    ['an unknown platform in an approver', {}, ['slack:U01ALICE', 'teams:U01BOB'],
      ['markets.brazil.approval.approvers.1: "teams:U01BOB" is neither a person nor a qualified id; write slack:<id>, dingtalk:<staffId> or console:<name>']],
    ['a person without any id', { alice: {} }, ['alice', 'slack:U01BOB'],
      ['people.alice: needs an id on at least one platform (slack, dingtalk or console)']],
    ['an unknown platform in a person', { alice: { teams: 'x' } }, ['alice', 'slack:U01BOB'],
      ['people.alice: unknown field "teams"']],
    ['a bare id that is two people\'s ids', { alice: { slack: 'X1' }, bob: { console: 'X1' } }, ['X1', 'slack:U01BOB'],
      ['markets.brazil.approval.approvers.0: "X1" is alice\'s slack id and bob\'s console id; write the person\'s name or a qualified id']],
  ];
  for (const [what, people, approvers, expected] of refused) {
    it(`when a config has ${what}, then it is refused naming the path`, () => {
      const result = withPeople(people, approvers);
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.problems).toEqual(expected);
    });
  }
});

describe('health and rollout settings (docs/configuration.md, "Health and rollout")', () => {
  it('when a project sets health and rollout and a market overrides some fields, then the market wins field by field and defaults fill the rest', () => {
    const result = withChange((d) => {
      d.setIn(['projects', 'mala-core', 'health'], d.createNode([{ command: 'true' }, { http: 'http://{address}:8080/healthz', timeout: '5s' }]));
      d.setIn(['projects', 'mala-core', 'rollout'], d.createNode({ waves: [1, '25%', '100%'], bake: '60s', maxUnhealthy: 0 }));
      d.setIn(['markets', 'brazil', 'rollout'], d.createNode({ waves: [1, '10%'], bake: '5m', onFailure: 'pause' }));
    });
    if (!result.ok) throw new Error(result.problems.join('\n'));
    const brazil = rolloutSettings(result.config, 'mala-core', 'brazil');
    expect(brazil).toMatchObject({ waves: [{ kind: 'count', count: 1 }, { kind: 'percent', hundredths: 1000 }], bake: 300_000, interval: 5_000, healthTimeout: 300_000, onFailure: 'pause', maxUnhealthy: { kind: 'count', count: 0 } });
    expect(brazil.checks).toEqual([{ command: 'true', timeout: 10_000, failureLimit: 0 }, { http: 'http://{address}:8080/healthz', expect: '2xx', timeout: 5_000, failureLimit: 0 }]);
    expect(rolloutSettings(result.config, 'mala-core', 'dev')).toMatchObject({ waves: [{ kind: 'count', count: 1 }, { kind: 'percent', hundredths: 2500 }, { kind: 'percent', hundredths: 10_000 }], bake: 60_000, onFailure: 'rollback' });
  });

  it('when nothing is configured, then one wave and no checks (today\'s behaviour)', () => {
    const result = parseConfig(BASE, file, env);
    if (!result.ok) throw new Error('invalid');
    expect(rolloutSettings(result.config, 'mala-core', 'brazil')).toMatchObject({ waves: [], checks: [], bake: 0 });
  });

  it('when a wave size is zero or a check is neither command nor http, then the problem names the field', () => {
    const zero = withChange((d) => d.setIn(['projects', 'mala-core', 'rollout'], d.createNode({ waves: [0] })));
    expect(zero.ok ? [] : zero.problems.join('\n')).toContain('projects.mala-core.rollout.waves.0: invalid size 0');
    const odd = withChange((d) => d.setIn(['projects', 'mala-core', 'health'], d.createNode([{ tcp: 80 }])));
    expect(odd.ok ? [] : odd.problems.join('\n')).toContain('projects.mala-core.health.0: must be { command');
  });
});

describe('config check in one round', () => {
  it('when a config has schema, reference and key problems together, then every one is reported at once, in words, with suggestions', () => {
    const result = withChange((d) => {
      d.setIn(['hosts', 'br-2', 'adress'], '127.0.0.1');
      d.deleteIn(['hosts', 'br-2', 'address']);
      d.setIn(['markets', 'dev', 'locations', 'main', 'role'], 'prodution');
      d.setIn(['projects', 'mala-core', 'hostTimout'], '10s');
      d.setIn(['projects', 'mala-core', 'markets', 1], 'brazill');
      d.setIn(['projects', 'mala-core', 'hooks', 'afterDeploy', 'template'], 'restrat');
      d.setIn(['hookTemplates', 'other'], d.createNode({ run: 'x' }));
      d.setIn(['keys', 'deploy', 'env'], 'NOT_SET_ANYWHERE');
      d.setIn(['markets', 'brazil', 'requiresPassIn', 0], 'devv');
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems).toEqual([
      'hosts.br-2: unknown field "adress" (did you mean "address"?)',
      'markets.dev.locations.main.role: must be one of "production", "review", not "prodution" (did you mean "production"?)',
      'projects.mala-core: unknown field "hostTimout" (did you mean "hostTimeout"?)',
      'hookTemplates.other: must be a string, not a mapping',
      'markets.brazil.requiresPassIn.0: unknown market "devv" (did you mean "dev"?)',
      'projects.mala-core.markets.1: unknown market "brazill" (did you mean "brazil"?)',
      'projects.mala-core.hooks.afterDeploy.template: unknown hook template "restrat" (did you mean "restart"?)',
      'keys.deploy.env: environment variable NOT_SET_ANYWHERE is not set',
    ]);
    expect(result.problems.join('\n')).not.toMatch(/Invalid input|Invalid option|expected string/);
  });

  it('when an entity is refused by the schema, then what names it is not reported unknown, and its own parts are not blamed twice', () => {
    const result = withChange((d) => {
      d.setIn(['hosts', 'br-1', 'hostKey'], 'AAAA');
      d.setIn(['markets', 'dev', 'locations', 'main', 'role'], 'nope');
    });
    expect(!result.ok && result.problems).toEqual([
      'hosts.br-1.hostKey: must be a public key line like "ssh-ed25519 AAAA..."',
      'markets.dev.locations.main.role: must be one of "production", "review", not "nope"',
    ]);
  });

  it('when path is releasesDir itself (or inside it), then it is refused', () => {
    const same = withChange((d) => d.setIn(['projects', 'mala-core', 'path'], '/data/codes/mala-core/'));
    expect(!same.ok && same.problems).toEqual(['projects.mala-core.path: must not be releasesDir itself (the symlink would replace the releases; write e.g. path: /data/prod/<project>)']);
    const inside = withChange((d) => d.setIn(['projects', 'mala-core', 'path'], '/data/codes/mala-core/current'));
    expect(!inside.ok && inside.problems).toEqual(['projects.mala-core.path: must not be inside releasesDir (prune would treat it as a release)']);
  });

  it('when a value has the wrong type or is out of range, then the message says what is wanted and what was found', () => {
    const result = withChange((d) => {
      d.setIn(['projects', 'mala-core', 'keepReleases'], 'five');
      d.setIn(['projects', 'mala-core', 'parallel'], 0);
      d.setIn(['hosts', 'br-1', 'port'], 2.5);
    });
    expect(!result.ok && result.problems).toEqual([
      'hosts.br-1.port: must be a whole number, not 2.5',
      'projects.mala-core.keepReleases: must be a number, not "five"',
      'projects.mala-core.parallel: must be at least 1',
    ]);
  });
});
