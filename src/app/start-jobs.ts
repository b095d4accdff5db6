// Starts the job layer in this process: the runtime, and the workers the composition root
// hands in (src/cli, src/demo pass jobs/deploy-worker.ts's `createDeployWorker`): src/ never
// imports jobs/, the thin processors call into it.
import type { Worker } from 'bullmq';
import type { Config } from '../../config/load-config.ts';
import type { Messenger, Platform } from '../core/chat-types.ts';
import type { CommandRegistry } from '../core/command-registry.ts';
import type { Logger } from '../core/logger.ts';
import type { Redactor } from '../core/redactor.ts';
import type { SandboxTool } from '../deploy/repository-sandbox.ts';
import type { TransportFactory } from '../deploy/transports/host-transport.ts';
import { claimEmbeddedStore, thisMachine } from '../store/embedded-store-owner.ts';
import { openReleaseStore } from '../store/open-release-store.ts';
import type { ReleaseStore } from '../store/release-store.ts';
import { JobRuntime } from './job-runtime.ts';
import { type ReconcileOptions, startReconciler } from './reconcile-deploys.ts';
import { startRetentionSweep } from './sweep-retention.ts';

/** Starts this process's workers on the job runtime. */
export type StartWorker = (rt: JobRuntime) => Worker;

export interface StartJobsOptions {
  config: Config;
  /** The declared verbs (src/cli/project-commands.ts builds the project's). */
  commands: CommandRegistry;
  redisUrl: string;
  dataDir: string;
  logger: Logger;
  prefix?: string;
  messengers?: Partial<Record<Platform, Messenger>>;
  transport?: TransportFactory;
  releases?: ReleaseStore;
  /** Where bubblewrap is (default /usr/bin/bwrap). */
  sandbox?: SandboxTool;
  /** The workers to run in this process, or `false` for none (said explicitly: a process without workers runs no deploys). */
  workers: StartWorker | false;
  /** The reconciler of stuck deploys, run with the workers (reconcile-deploys.ts). */
  reconcile?: ReconcileOptions & { everyMs?: number };
  /** How often the retention sweep runs with the workers (sweep-retention.ts). @defaultValue 1 h */
  sweepEveryMs?: number;
  now?: () => Date;
  /** The process's redactor. @defaultValue processRedactor(config) */
  redactor?: Redactor;
}

export interface RunningJobs {
  rt: JobRuntime;
  worker: Worker | undefined;
  close(): Promise<void>;
}

export async function startJobs(options: StartJobsOptions): Promise<RunningJobs> {
  const releases = options.releases ?? openReleaseStore(options.config, { dataDir: options.dataDir });
  const rt = new JobRuntime({
    config: options.config,
    commands: options.commands,
    redisUrl: options.redisUrl,
    releases,
    dataDir: options.dataDir,
    logger: options.logger,
    ...(options.prefix ? { prefix: options.prefix } : {}),
    ...(options.messengers ? { messengers: options.messengers } : {}),
    ...(options.transport ? { transport: options.transport } : {}),
    ...(options.sandbox ? { sandbox: options.sandbox } : {}),
    ...(options.now ? { now: options.now } : {}),
    ...(options.redactor ? { redactor: options.redactor } : {}),
  });
  // one embedded store for every process of this bot, or a split brain (embedded-store-owner.ts)
  const embedded = Object.entries(options.config.markets).filter(([, market]) => !market.zookeeper).map(([name]) => name);
  if (!options.releases && embedded.length > 0) {
    try {
      await claimEmbeddedStore(rt.redis, rt.keys, thisMachine(options.dataDir), embedded);
    } catch (error) {
      await rt.close();
      await releases.close();
      throw error;
    }
  }
  const worker = options.workers === false ? undefined : options.workers(rt);
  const reconciler = worker ? startReconciler(rt, options.reconcile) : undefined;
  const sweep = worker ? startRetentionSweep(rt, options.sweepEveryMs) : undefined;
  return {
    rt,
    worker,
    async close() {
      await reconciler?.stop();
      await sweep?.stop();
      await worker?.close();
      await rt.close();
      if (!options.releases) await releases.close();
    },
  };
}
