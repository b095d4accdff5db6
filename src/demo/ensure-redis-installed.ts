// The demo starts its own Redis when REDIS_URL is unset. When redis-server is missing it is
// installed from Debian by the project's script — Redis alone, not the test services — if we
// may (root, and DEPLOYBOT_NO_INSTALL unset) — else the newcomer is told the one command to run.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { requireBinary } from '../services/require-binary.ts';

const INSTALL_SCRIPT = fileURLToPath(new URL('../../scripts/install-services.sh', import.meta.url));

/** What the demo needs from Debian: Redis; everything else it runs is Node or already there. */
export const DEMO_PACKAGES = ['redis-server'] as const;

/** Returns undefined when Redis is there (or was installed), else what to tell the user. */
export function ensureRedisInstalled(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.REDIS_URL) return undefined;
  try {
    requireBinary('redis-server', 'redis-server');
    return undefined;
  } catch (error) {
    if (process.getuid?.() !== 0 || env.DEPLOYBOT_NO_INSTALL) {
      return `${(error as Error).message}\n(or point the demo at a Redis you have: REDIS_URL=redis://host:6379 npm run demo)`;
    }
    process.stderr.write('deploybot demo: redis-server is missing; installing it from Debian (scripts/install-services.sh)…\n');
    execFileSync('bash', [INSTALL_SCRIPT, ...DEMO_PACKAGES], { stdio: ['ignore', 'inherit', 'inherit'] });
    return undefined;
  }
}
