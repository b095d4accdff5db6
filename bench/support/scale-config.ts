// The config of bench/scale.ts: approval-free markets, each posting to a Slack channel of its
// own (so every Web API call can be told apart by deploy), with `{ local: dir }` hosts or SSH
// test hosts; project `mala-core` deploys, project `mala-fail` is the same repository with a
// beforeDeploy hook that fails alike on every host (same output, same exit code).
import type { Config } from '../../config/load-config.ts';
import type { SshTestHost } from '../../test/support/ssh-hosts.ts';
import { writeTestConfig } from '../../test/fixtures/write-test-config.ts';

export interface ScaleMarket {
  name: string;
  project: 'mala-core' | 'mala-fail';
  /** Local host count, or the SSH test hosts to deploy to. */
  hosts: number | SshTestHost[];
}

/** The environment variable the SSH hosts' private key is read from (pass it to serve and worker). */
export const SCALE_KEY_ENV = 'DEPLOYBOT_BENCH_KEY';

/** The output every host's failing hook prints: one cause, whatever the host. */
export const FAILING_HOOK_OUTPUT = 'port 8080 already in use';

export const channelOf = (market: string): string => `C0${market.toUpperCase().replace(/[^A-Z0-9]/g, '')}`;

export function hostNamesOf(market: ScaleMarket): string[] {
  return typeof market.hosts === 'number' ? Array.from({ length: market.hosts }, (_, i) => `${market.name}-h${i + 1}`) : market.hosts.map((h) => `${market.name}-${h.name}`);
}

export function scaleConfig(options: { dir: string; repo: string; markets: ScaleMarket[]; parallel: number; privateKey?: string }): Config {
  const hosts: Record<string, unknown> = {};
  const markets: Record<string, unknown> = {};
  const channels: Record<string, Record<string, string>> = { 'mala-core': {}, 'mala-fail': {} };
  for (const market of options.markets) {
    const names = hostNamesOf(market);
    names.forEach((name, i) => {
      hosts[name] = typeof market.hosts === 'number'
        ? { local: `hosts/${name}` }
        : { address: market.hosts[i]!.address, port: market.hosts[i]!.port, user: market.hosts[i]!.user, hostKey: market.hosts[i]!.hostKey, key: 'deploy' };
    });
    markets[market.name] = { approval: 'none', locations: { main: { role: 'production', hosts: names } } };
    channels[market.project]![market.name] = channelOf(market.name);
  }
  const project = (list: string[], extra: Record<string, unknown> = {}) => ({
    repo: options.repo,
    build: { command: 'sh build.sh', output: 'dist' },
    path: '/data/prod/mala-core',
    releasesDir: '/data/codes/mala-core',
    keepReleases: 2,
    parallel: options.parallel,
    hostTimeout: '300s',
    markets: list,
    ...extra,
  });
  const of = (name: ScaleMarket['project']) => options.markets.filter((m) => m.project === name).map((m) => m.name);
  const document = {
    ...(options.privateKey ? { keys: { deploy: { env: SCALE_KEY_ENV } } } : {}),
    hosts,
    markets,
    projects: {
      'mala-core': project(of('mala-core')),
      'mala-fail': project(of('mala-fail'), { hooks: { beforeDeploy: `echo "${FAILING_HOOK_OUTPUT}"; exit 3` } }),
    },
    chat: { slack: { defaultChannel: 'C0DEPLOYS' }, channels },
  };
  return writeTestConfig(options.dir, document, options.privateKey ? { [SCALE_KEY_ENV]: options.privateKey } : {});
}
