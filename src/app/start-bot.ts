// One running bot in this process: Redis (REDIS_URL, or a local one started here), the
// job layer with its workers, the notifier, and the command handlers for the adapters.
// Here the chat boundary is wired once: every messenger, progress editor, log upload and
// command answer goes out through the process's redactor.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { Config } from '../../config/load-config.ts';
import type { ChatHandler, Messenger, Platform } from '../core/chat-types.ts';
import type { CommandRegistry } from '../core/command-registry.ts';
import { createCommandRouter } from '../core/command-router.ts';
import type { Logger } from '../core/logger.ts';
import type { PageLinks } from '../core/page-link.ts';
import { processRedactor } from '../core/process-redactor.ts';
import { redactingChatHandler } from '../core/redacting-chat-handler.ts';
import { redactingMessenger } from '../core/redacting-messenger.ts';
import type { Redactor } from '../core/redactor.ts';
import type { TransportFactory } from '../deploy/transports/host-transport.ts';
import { type EditorFactory, throttledEditors } from '../notify/message-editor.ts';
import { Notifier, type NotifierOptions } from '../notify/notifier.ts';
import { redactingEditors } from '../notify/redacting-editor.ts';
import { redactingUploaders } from '../notify/redacting-uploaders.ts';
import { startLocalRedis } from '../services/local-redis.ts';
import { commandHandlers } from './command-handlers.ts';
import { RedisCommandRateLimiter } from './redis-command-rate-limiter.ts';
import { startJobs, type RunningJobs, type StartWorker } from './start-jobs.ts';

export interface StartBotOptions {
  config: Config;
  /** The declared verbs (src/cli/project-commands.ts builds the project's). */
  commands: CommandRegistry;
  dataDir: string;
  logger: Logger;
  messengers: Partial<Record<Platform, Messenger>>;
  /** Unset: a local redis-server is started for this process (demo, console). */
  redisUrl?: string;
  prefix?: string;
  /** The workers to run in this process, or `false` for none. */
  workers: StartWorker | false;
  editorFor?: EditorFactory;
  transport?: TransportFactory;
  now?: () => Date;
  /** Notifier extras: observers (metrics), failure-log uploads. */
  notifier?: Pick<NotifierOptions, 'observers' | 'uploadLog' | 'detailsUrl'>;
  /** The process's redactor. @defaultValue processRedactor(config) */
  redactor?: Redactor;
  /** The deploy pages' links, when pages are on (`history` and `stats` link to the list). */
  pageLinks?: () => PageLinks | undefined;
}

export interface RunningBot {
  jobs: RunningJobs;
  notifier: Notifier;
  router: ChatHandler;
  /** The messengers as given, behind the redacting boundary (post through these). */
  messengers: Partial<Record<Platform, Messenger>>;
  redisUrl: string;
  stop(): Promise<void>;
}

export async function startBot(options: StartBotOptions): Promise<RunningBot> {
  // a local Redis keeps its data next to the embedded release store, so the two agree
  // from one run of the console or demo to the next
  // it requires a random password: repository code in the build sandbox shares the network
  const localRedis = options.redisUrl ? undefined : await startLocalRedis({ dir: join(options.dataDir, 'redis'), appendOnly: true, password: randomBytes(18).toString('hex') });
  const redisUrl = options.redisUrl ?? localRedis!.url;
  const redactor = options.redactor ?? processRedactor(options.config);
  const messengers: Partial<Record<Platform, Messenger>> = Object.fromEntries(
    Object.entries(options.messengers).map(([platform, messenger]) => [platform, redactingMessenger(messenger, redactor)]),
  );
  if (localRedis) options.logger.info('started a local redis-server with a random password (REDIS_URL is unset)', { address: `127.0.0.1:${localRedis.port}` });
  let jobs: RunningJobs;
  try {
    jobs = await startJobs({
      config: options.config,
      commands: options.commands,
      redisUrl,
      dataDir: options.dataDir,
      logger: options.logger,
      messengers,
      redactor,
      ...(options.prefix ? { prefix: options.prefix } : {}),
      workers: options.workers,
      ...(options.transport ? { transport: options.transport } : {}),
      ...(options.now ? { now: options.now } : {}),
    });
  } catch (error) {
    await localRedis?.stop();
    throw error;
  }
  const { rt } = jobs;
  const notifier = new Notifier({
    bus: rt.bus,
    records: rt.records,
    redis: rt.redis,
    keys: rt.keys,
    config: options.config,
    messengers,
    logger: options.logger,
    ...(options.notifier?.observers ? { observers: options.notifier.observers } : {}),
    ...(options.notifier?.uploadLog ? { uploadLog: redactingUploaders(options.notifier.uploadLog, redactor) } : {}),
    ...(options.notifier?.detailsUrl ? { detailsUrl: options.notifier.detailsUrl } : {}),
    editorFor: redactingEditors(options.editorFor ?? throttledEditors, redactor),
    ...(options.now ? { now: options.now } : {}),
  });
  await notifier.start();
  const router = redactingChatHandler(createCommandRouter({
    config: options.config,
    commands: options.commands,
    handlers: commandHandlers(rt, (id) => notifier.trackedJob(id), options.pageLinks),
    logger: options.logger,
    limiter: new RedisCommandRateLimiter(rt, options.config.limits.commandsPerMinute),
  }), redactor);
  return {
    jobs,
    notifier,
    router,
    messengers,
    redisUrl,
    async stop() {
      await notifier.stop();
      await jobs.close();
      await localRedis?.stop();
    },
  };
}
