// One real Redis and one real ZooKeeper for the whole test run, handed to tests through
// vitest's provide/inject (`inject('redisUrl')`, `inject('zkConnect')`). Tests that need a
// server of their own (one they stop or restart) call startLocalRedis/startLocalZooKeeper.
// When a service binary is missing it runs scripts/install-services.sh (as root), else fails
// saying so.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';
import { startLocalRedis } from '../src/services/local-redis.ts';
import { startLocalZooKeeper } from '../src/services/local-zookeeper.ts';
import { requireBinary } from '../src/services/require-binary.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** `redis://127.0.0.1:<port>` of the run's shared Redis; use a unique queue name / key prefix. */
    redisUrl: string;
    /** `127.0.0.1:<port>` of the run's shared ZooKeeper; use a unique root path. */
    zkConnect: string;
  }
}

const INSTALL_SCRIPT = fileURLToPath(new URL('../scripts/install-services.sh', import.meta.url));

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  ensureServicesInstalled();
  const started = performance.now();
  const [redis, zookeeper] = await Promise.allSettled([startLocalRedis(), startLocalZooKeeper()]);
  if (redis.status === 'rejected' || zookeeper.status === 'rejected') {
    if (redis.status === 'fulfilled') await redis.value.stop();
    if (zookeeper.status === 'fulfilled') await zookeeper.value.stop();
    throw redis.status === 'rejected' ? redis.reason : (zookeeper as PromiseRejectedResult).reason;
  }
  project.provide('redisUrl', redis.value.url);
  project.provide('zkConnect', zookeeper.value.connect);
  console.info(
    `[global-setup] redis ${redis.value.url}, zookeeper ${zookeeper.value.connect} (started in ${Math.round(performance.now() - started)} ms)`,
  );
  return async () => {
    await Promise.all([redis.value.stop(), zookeeper.value.stop()]);
  };
}

function ensureServicesInstalled(): void {
  if (missingServices().length === 0) return;
  if (process.getuid?.() !== 0) {
    throw new Error(`missing ${missingServices().join(', ')}: run  sudo bash scripts/install-services.sh  first`);
  }
  console.info(`[global-setup] missing ${missingServices().join(', ')}: running scripts/install-services.sh`);
  execFileSync('bash', [INSTALL_SCRIPT], { stdio: 'inherit' });
  const still = missingServices();
  if (still.length > 0) throw new Error(`still missing after scripts/install-services.sh: ${still.join(', ')}`);
}

function missingServices(): string[] {
  const missing: string[] = [];
  for (const [binary, pkg] of [['redis-server', 'redis-server'], ['java', 'zookeeper'], ['sshd', 'openssh-server'], ['ssh-keygen', 'openssh-client']] as const) {
    try {
      requireBinary(binary, pkg);
    } catch {
      missing.push(pkg);
    }
  }
  if (!existsSync('/usr/share/java/zookeeper.jar')) missing.push('zookeeper');
  return [...new Set(missing)];
}
