// `deploybot serve` (docs/reference/http-surface.md, docs/reference/command-line.md): the chat adapters that have credentials, the HTTP
// surface (/slack/events, /hooks/upload, /healthz, /metrics), the notifier and — unless
// `--no-workers` — the workers, in one process. Without chat credentials it still serves
// HTTP and runs workers, and says on stdout which adapters are off and why. Listens on
// `HOST`:`PORT`; `METRICS_TOKEN` guards /metrics (docs/operations.md). Wiring only.
import { Redis } from 'ioredis';
import type { Config } from '../../config/load-config.ts';
import { configFileFromEnv } from '../../config/load-config.ts';
import { DingTalkAdapter } from '../adapters/dingtalk/dingtalk-adapter.ts';
import { dingTalkOptionsFromEnv } from '../adapters/dingtalk/dingtalk-options-from-env.ts';
import { SlackAdapter, type SlackAdapterOptions } from '../adapters/slack/slack-adapter.ts';
import { slackOptionsFromEnv } from '../adapters/slack/slack-options-from-env.ts';
import { createDeployWorker } from '../../jobs/deploy-worker.ts';
import { type RunningBot, startBot } from '../app/start-bot.ts';
import type { Messenger, Platform } from '../core/chat-types.ts';
import { DeploybotError, errorMessage } from '../core/errors.ts';
import { createLogger, type Logger, parseLogLevel } from '../core/logger.ts';
import { processRedactor, warnAboutShortSecrets } from '../core/process-redactor.ts';
import type { Redactor } from '../core/redactor.ts';
import { Secret } from '../core/secret.ts';
import type { TransportFactory } from '../deploy/transports/host-transport.ts';
import { type HealthChecks, redisHealthCheck } from '../http/health-route.ts';
import { type RunningHttpServer, startHttpServer } from '../http/start-http-server.ts';
import type { GitHookOptions } from '../http/git-hook-route.ts';
import { gitHookSecretsFromEnv } from '../http/git-hook-secrets.ts';
import { queuePushedCommit } from '../app/queue-prebuild.ts';
import type { UploadHookOptions } from '../http/upload-hook-route.ts';
import { type EditorFactory, throttledEditors } from '../notify/message-editor.ts';
import { createMetrics, type DeploybotMetrics } from '../notify/metrics.ts';
import { metricsFromNotices, queueDepthSampler } from '../notify/metrics-from-notices.ts';
import type { LogUploader } from '../notify/deploy-renderer.ts';
import { dataDirFromEnv } from '../store/open-release-store.ts';
import { RedisKeys } from '../store/redis-keys.ts';
import { RedisReplayGuard } from '../store/redis-replay-guard.ts';
import { RedisChatBudget } from '../store/redis-chat-budget.ts';
import { chatLimitsOf } from '../notify/chat-limits.ts';
import { watchRedisGone } from '../services/watch-redis-gone.ts';
import { redactRedisWrites } from '../store/redact-redis-writes.ts';
import { loadConfigOrReport } from './load-config-or-exit.ts';
import { projectCommands } from './project-commands.ts';
import type { CommandRegistry } from '../core/command-registry.ts';
import { slashCommandsOf } from '../adapters/slack/slash-command-text.ts';
import { deployPagesFromEnv } from './deploy-pages.ts';

/** How long serve gives a reachable Slack to answer before it says it is ready without it. */
const SLACK_HEAD_START_MS = 2000;

/** How long a replay check (Slack trigger_id, upload signature) waits for Redis before refusing. */
const REPLAY_CHECK_TIMEOUT_MS = 5000;

export interface ServeOptions {
  config: Config;
  /** @defaultValue process.env */
  env?: NodeJS.ProcessEnv;
  logger: Logger;
  /** Where the "what is on, what is off" lines go. @defaultValue stdout */
  say?: (line: string) => void;
  /** Run workers in this process (`--no-workers`: false). @defaultValue true */
  workers?: boolean;
  /** @defaultValue `PORT`, else 3000 */
  port?: number;
  /** @defaultValue `HOST`, else '0.0.0.0' */
  host?: string;
  /** @defaultValue `DEPLOYBOT_DATA`, else ./var */
  dataDir?: string;
  /** Redis key prefix. @defaultValue `DEPLOYBOT_REDIS_PREFIX`, else 'deploybot' */
  prefix?: string;
  transport?: TransportFactory;
  /** Extra Slack adapter settings (tests: a short retry policy). */
  slack?: Pick<SlackAdapterOptions, 'retryConfig' | 'boltLogLevel' | 'startupWait'>;
  /** The process's redactor (the same the logger uses). @defaultValue processRedactor(config, env) */
  redactor?: Redactor;
  /** The declared verbs. @defaultValue projectCommands() (commands/) */
  commands?: CommandRegistry;
}

export interface RunningServe {
  http: RunningHttpServer;
  bot: RunningBot;
  metrics: DeploybotMetrics;
  slack: SlackAdapter | undefined;
  dingtalk: DingTalkAdapter | undefined;
  /** Rejects when a chat adapter fails for good after start (a refused Slack token); never resolves. */
  failed: Promise<never>;
  /** Stops taking requests, then the adapters, the notifier and the workers. */
  stop(): Promise<void>;
}

/** Starts everything `serve` runs; throws (having stopped what it started) when a part cannot start. */
export async function startServe(options: ServeOptions): Promise<RunningServe> {
  const env = options.env ?? process.env;
  const say = options.say ?? ((line: string) => void process.stdout.write(`${line}\n`));
  const logger = options.logger;
  const redisUrl = env.REDIS_URL;
  if (!redisUrl) throw new DeploybotError('redis_url_missing', 'set REDIS_URL: serve keeps deploys, approvals and the job queue in Redis');
  const prefix = options.prefix ?? (env.DEPLOYBOT_REDIS_PREFIX || undefined);
  const redactor = options.redactor ?? processRedactor(options.config, env);

  let bot: RunningBot | undefined;
  const metrics = createMetrics({ queueDepth: queueDepthSampler(() => (bot ? [bot.jobs.rt.queue] : [])) });
  const stack: Array<() => Promise<void>> = [];
  const stopAll = async () => {
    for (const stop of stack.splice(0).reverse()) {
      await stop().catch((error: unknown) => logger.warn('stopping a part of serve failed', { error: errorMessage(error) }));
    }
  };

  try {
    const lines: string[] = [];
    const messengers: Partial<Record<Platform, Messenger>> = {};
    const uploadLog: Partial<Record<Platform, LogUploader>> = {};

    // Replays (a Slack trigger_id, an upload signature seen before) are recognised through
    // Redis, so every serve process agrees; a check that gets no answer refuses the request.
    const guardRedis = new Redis(redisUrl, { maxRetriesPerRequest: 1, commandTimeout: REPLAY_CHECK_TIMEOUT_MS });
    guardRedis.on('error', (error: Error) => logger.debug('replay guard redis connection error', { error: error.message }));
    stack.push(async () => void guardRedis.disconnect());
    const replayGuard = new RedisReplayGuard(guardRedis, new RedisKeys(prefix));

    // One chat budget for the workspace / robot, shared by every serve process through Redis (docs/reference/chat-limits.md).
    const budgetRedis = new Redis(redisUrl, { maxRetriesPerRequest: 2 });
    budgetRedis.on('error', (error: Error) => logger.debug('chat budget redis connection error', { error: error.message }));
    stack.push(async () => void budgetRedis.disconnect());
    const chatBudget = new RedisChatBudget(budgetRedis, new RedisKeys(prefix));
    const chatLimits = chatLimitsOf(options.config);

    const commands = options.commands ?? projectCommands();
    const slackEnv = slackOptionsFromEnv(env);
    const slack = slackEnv.ok ? new SlackAdapter({ ...slackEnv.options, ...options.slack, logger, metrics, replayGuard, slashCommands: slashCommandsOf(commands), budget: chatBudget, chatLimits }) : undefined;
    if (slack) {
      messengers.slack = slack.messenger;
      uploadLog.slack = (ref, filename, content) => slack.uploadLog(ref.channel, ref.id, filename, content);
      lines.push(`slack: on (${slack.mode === 'socket' ? 'Socket Mode, SLACK_APP_TOKEN' : 'HTTP mode, POST /slack/events'})`);
    } else if (!slackEnv.ok) {
      lines.push(`slack: off — ${slackEnv.reason}`);
    }

    const dingEnv = dingTalkOptionsFromEnv(options.config, env);
    let dingtalk: DingTalkAdapter | undefined;
    if (dingEnv.ok) {
      // The adapter's redelivery dedupe and conversation routes live in Redis, on a connection of its own.
      const redis = redactRedisWrites(new Redis(redisUrl, { maxRetriesPerRequest: 2 }), redactor);
      redis.on('error', (error: Error) => logger.debug('dingtalk redis connection error', { error: error.message }));
      stack.push(async () => void redis.disconnect());
      dingtalk = new DingTalkAdapter({ ...dingEnv.options, redis, logger, metrics, keyPrefix: `${prefix ?? 'deploybot'}:dingtalk:`, budget: chatBudget, chatLimits });
      messengers.dingtalk = dingtalk.messenger;
      lines.push(`dingtalk: on (Stream mode${dingEnv.options.cardTemplateId ? ', interactive cards' : ', approvals by `approve <id>` replies'})`);
    } else {
      lines.push(`dingtalk: off — ${dingEnv.reason}`);
    }
    if (!slack && !dingtalk) lines.push('no chat adapter is on: nobody can send commands, but the HTTP surface and the workers run');

    // Slack progress edits go through the adapter's rejecting client (docs/reference/messages.md: coalesce on 429, never stall the queue).
    const editorFor: EditorFactory = (platform, messenger) => {
      if (platform === 'slack' && slack) return slack.createProgressEditor();
      if (platform === 'dingtalk' && dingtalk) return dingtalk.createProgressEditor();
      return throttledEditors(platform, messenger);
    };

    const pages = deployPagesFromEnv(options.config, env);
    stack.push(() => pages.stop());
    lines.push(pages.status);

    const workers = options.workers ?? true;
    bot = await startBot({
      config: options.config,
      commands,
      dataDir: options.dataDir ?? dataDirFromEnv(env),
      logger,
      messengers,
      redisUrl,
      ...(prefix ? { prefix } : {}),
      workers: workers ? (rt) => createDeployWorker(rt) : false,
      editorFor,
      ...(options.transport ? { transport: options.transport } : {}),
      notifier: { observers: [metricsFromNotices(metrics)], uploadLog, detailsUrl: pages.detailsUrl },
      pageLinks: pages.links,
      redactor,
    });
    const running = bot;
    stack.push(() => running.stop());
    if (running.jobs.worker) await running.jobs.worker.waitUntilReady();
    lines.push(workers ? 'workers: on (in this process)' : 'workers: off (--no-workers; run `deploybot worker` elsewhere)');

    // Slack starts in the background: while it cannot be reached the HTTP surface and the
    // workers run, the adapter retries with a bounded back-off and /healthz says why
    // (docs/slack.md, "When Slack cannot be reached"). A refused token is fatal.
    let failed: Promise<never> = new Promise<never>(() => undefined);
    let slackStarted: Promise<unknown> = Promise.resolve();
    if (slack) {
      stack.push(() => slack.stop());
      const starting = slack.start(running.router);
      slackStarted = starting;
      failed = starting.then(() => new Promise<never>(() => undefined));
      failed.catch(() => undefined);
    }
    if (dingtalk) {
      const adapter = dingtalk;
      await adapter.start(running.router);
      stack.push(() => adapter.stop());
    }

    let uploadHook: UploadHookOptions | undefined;
    const uploadSecret = env.UPLOAD_HOOK_SECRET;
    const uploadMessenger = running.messengers.slack ?? running.messengers.dingtalk;
    if (!uploadSecret) {
      lines.push('upload hook: off — UPLOAD_HOOK_SECRET is not set');
    } else if (!uploadMessenger) {
      lines.push('upload hook: off — no chat adapter is on to post its notices');
    } else {
      uploadHook = {
        secret: new Secret(uploadSecret, 'UPLOAD_HOOK_SECRET'),
        config: options.config,
        messenger: uploadMessenger,
        replayGuard,
        logger,
        ...(slack ? {} : { defaultChannel: options.config.chat.dingtalk?.defaultConversation }),
      };
      lines.push(`upload hook: on (POST /hooks/upload, posting to ${slack ? 'slack' : 'dingtalk'})`);
    }

    const gitSecrets = gitHookSecretsFromEnv(env);
    let gitHook: GitHookOptions | undefined;
    if (Object.keys(gitSecrets).length === 0) {
      lines.push('push events: off — GIT_HOOK_SECRET is not set');
    } else {
      const rt = running.jobs.rt;
      gitHook = { secrets: gitSecrets, config: options.config, logger, queue: (target) => queuePushedCommit(rt, target) };
      lines.push(`push events: on (POST /hooks/git for ${Object.keys(gitSecrets).join(', ')})`);
    }

    const usesZooKeeper = Object.values(options.config.markets).some((market) => market.zookeeper);
    const health: HealthChecks = {
      redis: redisHealthCheck(running.jobs.rt.redis),
      ...(slack ? { slack: () => slack.status } : {}),
      zookeeper: usesZooKeeper
        ? async () => {
          const store = await running.jobs.rt.releases.checkHealth();
          if (!store.ok) throw new Error(store.error ?? 'unavailable');
        }
        : 'embedded',
    };
    const metricsToken = env.METRICS_TOKEN ? new Secret(env.METRICS_TOKEN, 'METRICS_TOKEN') : undefined;
    const http = await startHttpServer({
      port: options.port ?? portFromEnv(env),
      host: options.host ?? (env.HOST || '0.0.0.0'),
      logger,
      slackEvents: slack?.requestListener,
      uploadHook,
      gitHook,
      health,
      metricsRegistry: metrics.registry,
      redactor,
      ...(metricsToken ? { metricsToken } : {}),
      deployPages: pages.route(running, redactor, logger),
    });
    stack.push(() => http.stop());
    pages.listening(http.url);

    // a reachable Slack answers within moments: give it that long, so the summary can say so
    // (and a refused token stops serve before it calls itself ready)
    if (slack) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([slackStarted, new Promise((resolve) => (timer = setTimeout(resolve, SLACK_HEAD_START_MS)))]).finally(() => clearTimeout(timer));
      if (slack.status !== 'ok') lines.push(`slack: waiting for the Slack Web API (${slack.status}); retrying in the background, serving without Slack meanwhile`);
    }
    for (const line of lines) say(`deploybot serve: ${line}`);
    say(`deploybot serve: http listening on ${http.url} (address ${http.host}; /healthz, /metrics${metricsToken ? ' with METRICS_TOKEN' : ''}${slack?.mode === 'http' ? ', /slack/events' : ''}${uploadHook ? ', /hooks/upload' : ''}${gitHook ? ', /hooks/git' : ''})`);
    say(`deploybot serve ${process.pid} ready`);
    logger.info('serve ready', { port: http.port, slack: slack?.mode ?? 'off', dingtalk: dingtalk ? 'on' : 'off', workers });
    return { http, bot: running, metrics, slack, dingtalk, failed, stop: stopAll };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

/** The `serve` command: starts, then runs until SIGTERM/SIGINT and stops gracefully. Returns the exit code. */
export async function runServe(options: { configFile?: string; workers?: boolean }): Promise<number> {
  const config = loadConfigOrReport(options.configFile ?? configFileFromEnv());
  if (!config) return 1;
  const env = process.env;
  const redactor = processRedactor(config, env);
  const logger = createLogger({ level: parseLogLevel(env.LOG_LEVEL), redactor, base: { process: 'serve', pid: process.pid } });
  warnAboutShortSecrets(redactor, logger);
  let serve: RunningServe;
  try {
    serve = await startServe({ config, env, logger, redactor, ...(options.workers === false ? { workers: false } : {}) });
  } catch (error) {
    logger.error('serve could not start', { error });
    process.stderr.write(`deploybot serve: ${errorMessage(error)}\n`);
    return 1;
  }
  const signal = await Promise.race([
    new Promise<NodeJS.Signals>((resolve) => {
      process.once('SIGTERM', () => resolve('SIGTERM'));
      process.once('SIGINT', () => resolve('SIGINT'));
    }),
    serve.failed.catch((error: unknown) => error),
  ]);
  if (typeof signal !== 'string') {
    logger.error('serve stops: a chat adapter failed', { error: signal });
    process.stderr.write(`deploybot serve: ${errorMessage(signal)}\n`);
    await serve.stop();
    return 1;
  }
  say(`deploybot serve: ${signal}: stopping (running deploys reach a safe point first; send it again to stop at once)`);
  process.once(signal, () => {
    process.stderr.write('deploybot serve: stopped at once\n');
    process.exit(130);
  });
  // A graceful stop waits on Redis (workers finishing their jobs, the notifier's last renders);
  // with Redis gone it would wait forever. Nothing is lost by leaving then: a deploy in flight
  // is resumed from its last checkpoint by a worker once Redis is back.
  const redisGone = watchRedisGone(env.REDIS_URL!, 5000);
  const outcome = await Promise.race([serve.stop().then(() => 'stopped' as const), redisGone.promise.then(() => 'redis-gone' as const)]);
  redisGone.cancel();
  if (outcome === 'redis-gone') {
    process.stderr.write('deploybot serve: Redis has not answered for 5 s; stopped without waiting for it (deploys in flight resume from their last checkpoint once Redis is back)\n');
    return 1;
  }
  say('deploybot serve: stopped');
  return 0;
}

function say(line: string): void {
  process.stdout.write(`${line}\n`);
}

function portFromEnv(env: NodeJS.ProcessEnv): number {
  const raw = env.PORT;
  if (raw === undefined || raw === '') return 3000;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new DeploybotError('invalid_port', `PORT must be a port number (0–65535), not ${JSON.stringify(raw)}`);
  return port;
}
