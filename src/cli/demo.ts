// `npm run demo`: everything on one machine (SPEC §10) — a local Redis, the embedded
// release store, sample services in local git repositories, local hosts, and the console
// chat on the example config.
import { dirname, join } from 'node:path';
import { ensureSampleRepos } from '../demo/sample-repos.ts';
import { EXAMPLE_CONFIG_FILE, runConsole } from './run-console.ts';

const varDir = join(dirname(EXAMPLE_CONFIG_FILE), '..', 'var');
process.env.DEPLOYBOT_DATA ??= join(varDir, 'demo', 'data');
ensureSampleRepos(join(varDir, 'demo', 'repos'), {
  'mala-core': ['v1.0', 'v1.1', 'v1.2', 'v1.3'],
  'mala-client': ['c-3', 'c-7'],
  api: ['v1', 'v2'],
});
process.exitCode = await runConsole({ configFile: process.env.DEPLOYBOT_CONFIG ?? EXAMPLE_CONFIG_FILE, user: process.env.DEPLOYBOT_USER ?? 'alice' });
