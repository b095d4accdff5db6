// For the chat benchmarks: the bot as `deploybot serve` wires it for Slack in HTTP mode — the
// real Bolt app (SlackAdapter) mounted on the real HTTP surface, the notifier with Slack's
// throttled progress editor spending the chat budget in Redis, the job layer with in-process workers on a local redis-server —
// talking to the fake Slack Web API on 127.0.0.1, plus a local-host config with approval-free
// markets. Not a benchmark itself (bench/run.ts skips this directory).
import { randomBytes } from 'node:crypto';
import { LogLevel } from '@slack/bolt';
import type { Config } from '../../config/load-config.ts';
import { createDeployWorker } from '../../jobs/deploy-worker.ts';
import { SlackAdapter } from '../../src/adapters/slack/slack-adapter.ts';
import { type RunningBot, startBot } from '../../src/app/start-bot.ts';
import { createLogger } from '../../src/core/logger.ts';
import { Secret } from '../../src/core/secret.ts';
import { type RunningHttpServer, startHttpServer } from '../../src/http/start-http-server.ts';
import { type EditorFactory, throttledEditors } from '../../src/notify/message-editor.ts';
import { type LocalRedis, startLocalRedis } from '../../src/services/local-redis.ts';
import { RedisKeys } from '../../src/store/redis-keys.ts';
import { RedisReplayGuard } from '../../src/store/redis-replay-guard.ts';
import { RedisChatBudget } from '../../src/store/redis-chat-budget.ts';
import { chatLimitsOf } from '../../src/notify/chat-limits.ts';
import { Redis } from 'ioredis';
import { slashCommandsOf } from '../../src/adapters/slack/slash-command-text.ts';
import { projectCommands } from '../../src/cli/project-commands.ts';
import { FakeSlackApi } from '../../test/fakes/fake-slack-api.ts';
import { postToSlackEndpoint, slashCommandRequest } from '../../test/fakes/sign-slack-request.ts';
import { writeTestConfig } from '../../test/fixtures/write-test-config.ts';

export interface SlackStack {
  slack: FakeSlackApi;
  adapter: SlackAdapter;
  bot: RunningBot;
  http: RunningHttpServer;
  redis: LocalRedis;
  /** `http://127.0.0.1:<port>/slack/events` */
  eventsUrl: string;
  signingSecret: string;
  /** Every progress edit as the throttled editor handed it to the Slack client: message ts and Date.now(). */
  edits: Array<{ ts: string; at: number }>;
  /** POSTs a signed slash command; resolves with the HTTP status once Bolt has answered (the ack). */
  slash(command: string, text: string, user?: string, channel?: string): Promise<{ status: number; body: string }>;
  stop(): Promise<void>;
}

/**
 * A config whose markets are approval-free, one per entry of `markets` (name → host count),
 * each with its own `{ local: … }` hosts under `dir/hosts/`.
 */
export function localMarketsConfig(dir: string, repo: string, markets: Record<string, number>): Config {
  const hosts: Record<string, { local: string }> = {};
  const marketDocs: Record<string, unknown> = {};
  for (const [market, count] of Object.entries(markets)) {
    const names = Array.from({ length: count }, (_, i) => `${market}-h${i + 1}`);
    for (const name of names) hosts[name] = { local: `hosts/${name}` };
    marketDocs[market] = { approval: 'none', locations: { main: { role: 'production', hosts: names } } };
  }
  const document = {
    hosts,
    markets: marketDocs,
    projects: {
      'mala-core': {
        repo,
        build: { command: 'sh build.sh', output: 'dist' },
        path: '/data/prod/mala-core',
        releasesDir: '/data/codes/mala-core',
        keepReleases: 3,
        parallel: 16,
        hostTimeout: '60s',
        markets: Object.keys(markets),
      },
    },
    chat: { slack: { defaultChannel: 'C0DEPLOYS' } },
  };
  return writeTestConfig(dir, document);
}

export async function startSlackStack(options: { config: Config; dataDir: string }): Promise<SlackStack> {
  const token = `xoxb-${randomBytes(12).toString('hex')}`;
  const signingSecret = randomBytes(16).toString('hex');
  const logger = createLogger({ level: 'error' });
  const redis = await startLocalRedis();
  const slack = await FakeSlackApi.start({ token });
  const stops: Array<() => Promise<void>> = [() => redis.stop(), () => slack.close()];
  const stopAll = async () => {
    for (const stop of stops.splice(0).reverse()) await stop().catch(() => undefined);
  };
  try {
    const guardRedis = new Redis(redis.url, { maxRetriesPerRequest: 1 });
    stops.push(async () => void guardRedis.disconnect());
    // as `serve` does: one chat budget in Redis, under the bot's prefix (docs/reference/chat-limits.md)
    const prefix = `bench${randomBytes(3).toString('hex')}`;
    const budgetRedis = new Redis(redis.url, { maxRetriesPerRequest: 2 });
    stops.push(async () => void budgetRedis.disconnect());
    const commands = projectCommands();
    const adapter = new SlackAdapter({
      budget: new RedisChatBudget(budgetRedis, new RedisKeys(prefix)),
      chatLimits: chatLimitsOf(options.config),
      replayGuard: new RedisReplayGuard(guardRedis, new RedisKeys(`bench-replay${randomBytes(3).toString('hex')}`)),
      botToken: new Secret(token, 'SLACK_BOT_TOKEN'),
      signingSecret: new Secret(signingSecret, 'SLACK_SIGNING_SECRET'),
      apiUrl: slack.apiUrl,
      logger,
      boltLogLevel: LogLevel.ERROR,
      slashCommands: slashCommandsOf(commands),
    });
    // record when each progress edit leaves the throttled editor (before the HTTP request)
    const edits: Array<{ ts: string; at: number }> = [];
    const send = adapter.editMessenger.update.bind(adapter.editMessenger);
    adapter.editMessenger.update = (ref, message) => {
      edits.push({ ts: ref.id, at: Date.now() });
      return send(ref, message);
    };
    // as `serve` does: Slack progress edits go through the adapter's rejecting client
    const editorFor: EditorFactory = (platform, messenger) => (platform === 'slack' ? adapter.createProgressEditor() : throttledEditors(platform, messenger));
    const bot = await startBot({
      config: options.config,
      commands,
      dataDir: options.dataDir,
      logger,
      messengers: { slack: adapter.messenger },
      redisUrl: redis.url,
      prefix,
      editorFor,
      workers: (rt) => createDeployWorker(rt),
      notifier: { uploadLog: { slack: (ref, filename, content) => adapter.uploadLog(ref.channel, ref.id, filename, content) } },
    });
    stops.push(() => bot.stop());
    if (bot.jobs.worker) await bot.jobs.worker.waitUntilReady();
    await adapter.start(bot.router);
    stops.push(() => adapter.stop());
    const http = await startHttpServer({
      port: 0,
      host: '127.0.0.1',
      logger,
      slackEvents: adapter.requestListener,
      health: { redis: async () => void (await bot.jobs.rt.redis.ping()), zookeeper: 'embedded' },
    });
    stops.push(() => http.stop());
    const eventsUrl = `${http.url}/slack/events`;
    return {
      slack,
      adapter,
      bot,
      http,
      redis,
      eventsUrl,
      signingSecret,
      edits,
      slash: (command, text, user = 'U01ALICE', channel = 'C0DEPLOYS') =>
        postToSlackEndpoint(eventsUrl, slashCommandRequest({ command, text, userId: user, channelId: channel, responseUrl: slack.responseUrl('bench') }, { signingSecret })),
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
