// `deploybot worker` (docs/reference/command-line.md): workers only. Run as many as you like on any machine that
// reaches Redis, ZooKeeper and the hosts (several machines only with every market on ZooKeeper:
// docs/operations.md, "One machine or several"); a SIGTERM lets running jobs reach a checkpoint.
import { configFileFromEnv } from '../../config/load-config.ts';
import { createDeployWorker } from '../../jobs/deploy-worker.ts';
import { startJobs } from '../app/start-jobs.ts';
import { DeploybotError } from '../core/errors.ts';
import { createLogger, parseLogLevel } from '../core/logger.ts';
import { processRedactor, warnAboutShortSecrets } from '../core/process-redactor.ts';
import { dataDirFromEnv } from '../store/open-release-store.ts';
import { watchRedisGone } from '../services/watch-redis-gone.ts';
import { loadConfigOrReport } from './load-config-or-exit.ts';
import { projectCommands } from './project-commands.ts';

export async function runWorker(options: { configFile?: string }): Promise<number> {
  const config = loadConfigOrReport(options.configFile ?? configFileFromEnv());
  if (!config) return 1;
  const redisUrl = process.env.REDIS_URL;
  if (!redisUrl) {
    process.stderr.write('deploybot worker: set REDIS_URL to the Redis that `deploybot serve` uses\n');
    return 1;
  }
  const redactor = processRedactor(config);
  const logger = createLogger({ level: parseLogLevel(process.env.LOG_LEVEL), redactor, base: { process: 'worker', pid: process.pid } });
  warnAboutShortSecrets(redactor, logger);
  const graceMs = reconcileGraceFromEnv(process.env.DEPLOYBOT_RECONCILE_GRACE_SECONDS);
  if (graceMs === null) {
    process.stderr.write('deploybot worker: DEPLOYBOT_RECONCILE_GRACE_SECONDS must be a number of seconds above 0\n');
    return 1;
  }
  let jobs;
  try {
    jobs = await startJobs({
      config, commands: projectCommands(), redisUrl, redactor, workers: (rt) => createDeployWorker(rt), dataDir: dataDirFromEnv(), logger,
      ...(process.env.DEPLOYBOT_REDIS_PREFIX ? { prefix: process.env.DEPLOYBOT_REDIS_PREFIX } : {}),
      ...(graceMs !== undefined ? { reconcile: { graceMs } } : {}),
    });
  } catch (error) {
    if (!(error instanceof DeploybotError)) throw error;
    logger.error('worker could not start', { code: error.code, error: error.message });
    process.stderr.write(`deploybot worker: ${error.message}\n`);
    return 1;
  }
  await jobs.worker!.waitUntilReady();
  logger.info('worker ready', { queue: jobs.worker!.name });
  process.stdout.write(`deploybot worker ${process.pid} ready\n`);
  await new Promise<void>((resolve) => {
    process.once('SIGTERM', resolve);
    process.once('SIGINT', resolve);
  });
  // a graceful stop waits on Redis; with Redis gone, stop anyway (the deploys in flight
  // resume from their checkpoints in whichever worker runs once Redis is back)
  const redisGone = watchRedisGone(redisUrl, 5000);
  const outcome = await Promise.race([jobs.close().then(() => 'stopped' as const), redisGone.promise.then(() => 'redis-gone' as const)]);
  redisGone.cancel();
  if (outcome === 'redis-gone') {
    process.stderr.write('deploybot worker: Redis has not answered for 5 s; stopped without waiting for it\n');
    return 1;
  }
  return 0;
}

/**
 * The reconciler's grace (docs/operations.md "Stuck deploys"): 60 s unless
 * DEPLOYBOT_RECONCILE_GRACE_SECONDS says otherwise (tests, drills); null when it is not a
 * number of seconds above 0.
 */
function reconcileGraceFromEnv(value: string | undefined): number | undefined | null {
  if (value === undefined || value === '') return undefined;
  const seconds = Number(value);
  return Number.isFinite(seconds) && seconds > 0 ? Math.round(seconds * 1000) : null;
}
