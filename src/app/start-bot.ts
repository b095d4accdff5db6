// One running bot in this process: Redis (REDIS_URL, or a local one started here), the
// job layer with its workers, the notifier, and the command handlers for the adapters.
import { join } from 'node:path';
import type { Config } from '../../config/load-config.ts';
import type { ChatHandler, Messenger, Platform } from '../core/chat-types.ts';
import { createCommandRouter } from '../core/command-router.ts';
import type { Logger } from '../core/logger.ts';
import type { TransportFactory } from '../deploy/transports/host-transport.ts';
import type { EditorFactory } from '../notify/message-editor.ts';
import { Notifier, type NotifierOptions } from '../notify/notifier.ts';
import { startLocalRedis } from '../services/local-redis.ts';
import { commandHandlers } from './command-handlers.ts';
import { RedisCommandRateLimiter } from './redis-command-rate-limiter.ts';
import { startJobs, type RunningJobs } from './start-jobs.ts';

export interface StartBotOptions {
  config: Config;
  dataDir: string;
  logger: Logger;
  messengers: Partial<Record<Platform, Messenger>>;
  /** Unset: a local redis-server is started for this process (demo, console). */
  redisUrl?: string;
  prefix?: string;
  workers?: boolean;
  editorFor?: EditorFactory;
  transport?: TransportFactory;
  now?: () => Date;
  /** Notifier extras: observers (metrics), failure-log uploads, secrets to redact from them. */
  notifier?: Pick<NotifierOptions, 'observers' | 'uploadLog' | 'secrets'>;
}

export interface RunningBot {
  jobs: RunningJobs;
  notifier: Notifier;
  router: ChatHandler;
  redisUrl: string;
  stop(): Promise<void>;
}

export async function startBot(options: StartBotOptions): Promise<RunningBot> {
  // a local Redis keeps its data next to the embedded release store, so the two agree
  // from one run of the console or demo to the next
  const localRedis = options.redisUrl ? undefined : await startLocalRedis({ dir: join(options.dataDir, 'redis'), appendOnly: true });
  const redisUrl = options.redisUrl ?? localRedis!.url;
  if (localRedis) options.logger.info('started a local redis-server (REDIS_URL is unset)', { url: redisUrl });
  const jobs = await startJobs({
    config: options.config,
    redisUrl,
    dataDir: options.dataDir,
    logger: options.logger,
    messengers: options.messengers,
    ...(options.prefix ? { prefix: options.prefix } : {}),
    ...(options.workers === false ? { workers: false } : {}),
    ...(options.transport ? { transport: options.transport } : {}),
    ...(options.now ? { now: options.now } : {}),
  });
  const { rt } = jobs;
  const notifier = new Notifier({
    bus: rt.bus,
    records: rt.records,
    redis: rt.redis,
    keys: rt.keys,
    config: options.config,
    messengers: options.messengers,
    logger: options.logger,
    ...options.notifier,
    ...(options.editorFor ? { editorFor: options.editorFor } : {}),
    ...(options.now ? { now: options.now } : {}),
  });
  await notifier.start();
  const router = createCommandRouter({
    config: options.config,
    handlers: commandHandlers(rt, (id) => notifier.trackedJob(id)),
    logger: options.logger,
    limiter: new RedisCommandRateLimiter(rt, options.config.limits.commandsPerMinute),
  });
  return {
    jobs,
    notifier,
    router,
    redisUrl,
    async stop() {
      await notifier.stop();
      await jobs.close();
      await localRedis?.stop();
    },
  };
}
