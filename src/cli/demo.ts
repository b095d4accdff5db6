// `npm run demo`: everything on one machine (docs/reference/command-line.md) — a local Redis, the embedded
// release store, sample services in local git repositories, local hosts, and the console
// chat on the example config. `npm run demo -- --script` plays the checked walkthrough.
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ensureRedisInstalled } from '../demo/ensure-redis-installed.ts';
import { ensureSampleRepos } from '../demo/sample-repos.ts';
import { runWalkthrough } from '../demo/run-walkthrough.ts';
import { walkthroughSteps } from '../demo/walkthrough.ts';
import { dataDirFromEnv } from '../store/open-release-store.ts';
import { loadConfigOrReport } from './load-config-or-exit.ts';
import { EXAMPLE_CONFIG_FILE, runConsole } from './run-console.ts';

const script = process.argv.includes('--script');
const cannotStart = ensureRedisInstalled();
if (cannotStart) {
  process.stderr.write(`deploybot demo: ${cannotStart}\n`);
  process.exit(1);
}
const configFile = process.env.DEPLOYBOT_CONFIG || EXAMPLE_CONFIG_FILE;
// the example config names its hosts and repositories under ../var/demo from its own folder
const demoDir = join(dirname(configFile), '..', 'var', 'demo');
if (script) {
  // the walkthrough starts from a clean slate every time, so it is reproducible
  rmSync(join(demoDir, 'data'), { recursive: true, force: true });
  rmSync(join(demoDir, 'hosts'), { recursive: true, force: true });
}
process.env.DEPLOYBOT_DATA ??= join(demoDir, 'data');
ensureSampleRepos(join(demoDir, 'repos'), {
  'mala-core': ['v1.0', 'v1.1', 'v1.2', 'v1.3', 'v1.4'],
  'mala-client': ['c-3', 'c-7'],
  api: ['v1', 'v2', 'v3-broken'],
});
if (script) {
  const config = loadConfigOrReport(configFile);
  process.exitCode = config ? await runWalkthrough(config, dataDirFromEnv(), walkthroughSteps(join(demoDir, 'hosts'))) : 1;
} else {
  // the console serves the deploy pages too, and prints where
  process.exitCode = await runConsole({ configFile, user: process.env.DEPLOYBOT_USER ?? 'alice', http: true });
}
