// The Slack ChatAdapter on Bolt. HTTP mode (signing secret; Bolt's ExpressReceiver verifies
// every request's signature and refuses timestamps older than 5 minutes with 401) serves
// `POST /slack/events` through `requestListener`, which the HTTP surface mounts; Socket Mode
// is used when an app token is given. Every slash command and button click is acked first
// (well within Slack's 3 s) and then handed to the ChatHandler as a command line — unless its
// `trigger_id` was already seen in the last 10 minutes (a replayed request, or Slack
// delivering one twice): that is acknowledged and ignored (docs/slack.md).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { App, ExpressReceiver, LogLevel, webApi } from '@slack/bolt';
import { dispatchCommand } from '../../core/dispatch-command.ts';
import type { ChatAdapter, ChatHandler, ChatUser, IncomingCommand, OutgoingMessage } from '../../core/chat-types.ts';
import { DeploybotError } from '../../core/errors.ts';
import type { Logger } from '../../core/logger.ts';
import type { ReplayGuard } from '../../core/replay-guard.ts';
import type { Secret } from '../../core/secret.ts';
import { parseUserId, qualifyUserId } from '../../domain/user-id.ts';
import type { Clock } from '../../notify/clock.ts';
import type { DeploybotMetrics } from '../../notify/metrics.ts';
import { createHash } from 'node:crypto';
import type { ChatBudget } from '../../notify/chat-budget.ts';
import { type ChatLimits, DEFAULT_CHAT_LIMITS, perSecondOf, slackUpdateWindows } from '../../notify/chat-limits.ts';
import { systemClock } from '../../notify/clock.ts';
import { MemoryChatBudget } from '../../notify/memory-chat-budget.ts';
import { ThrottledEditor, type ThrottledEditorOptions } from '../../notify/throttled-editor.ts';
import { boltLogger } from './bolt-logger.ts';
import { BUTTON_ACTION_PREFIX, LINK_ACTION_PREFIX } from './render-slack-message.ts';
import { SlackMessenger, slackErrorCode, slackRetryAfterMs } from './slack-messenger.ts';
import { slashCommandText } from './slash-command-text.ts';
import { PROMPT_ACTION_PREFIX, PROMPT_CALLBACK_ID, promptModal, submittedCommand } from './slack-prompt-modal.ts';
import { DEFAULT_SLACK_WAIT, SlackReachability, type SlackWaitOptions } from './wait-for-slack.ts';

type RetryOptions = NonNullable<webApi.WebClientOptions['retryConfig']>;
type Respond = (message: { response_type: 'ephemeral'; text: string }) => Promise<unknown>;

export interface SlackAdapterOptions {
  /** `SLACK_BOT_TOKEN` (xoxb-…). */
  botToken: Secret;
  /** `SLACK_SIGNING_SECRET`: HTTP mode. Required unless `appToken` is given. */
  signingSecret?: Secret;
  /** `SLACK_APP_TOKEN` (xapp-…): Socket Mode, no public URL needed. */
  appToken?: Secret;
  /** `SLACK_API_URL`: the Web API base. @defaultValue https://slack.com/api/ */
  apiUrl?: string;
  logger: Logger;
  metrics?: DeploybotMetrics;
  /** Check the bot token with `auth.test` at start. @defaultValue true */
  verifyToken?: boolean;
  /** Retry policy of the ordinary client (approval cards, summaries, replies). @defaultValue Slack's tenRetriesInAboutThirtyMinutes */
  retryConfig?: RetryOptions;
  /** Bolt's own log level. @defaultValue info */
  boltLogLevel?: LogLevel;
  /** The slash commands to answer (`slashCommandsOf(registry)`, as manifest.yaml lists them). */
  slashCommands: readonly string[];
  /** Remembers handled trigger_ids (Redis, shared by every `serve`), so a repeat runs nothing. */
  replayGuard: ReplayGuard;
  /** How `start` waits for a Slack that does not answer (back-off, per-attempt timeout). @defaultValue DEFAULT_SLACK_WAIT */
  startupWait?: Partial<SlackWaitOptions>;
  /** Where posts and edits spend (docs/reference/chat-limits.md); give every process the Redis one. @defaultValue a MemoryChatBudget of its own */
  budget?: ChatBudget;
  /** config.chat.rateLimits. @defaultValue DEFAULT_CHAT_LIMITS */
  chatLimits?: ChatLimits;
  clock?: Clock;
}

/** How long a handled trigger_id is remembered. */
export const TRIGGER_REPLAY_WINDOW_SECONDS = 10 * 60;
const REPLAY_SCOPE = 'slack-trigger';

export type SlackMode = 'http' | 'socket';

export class SlackAdapter implements ChatAdapter {
  readonly platform = 'slack' as const;
  readonly mode: SlackMode;
  /** post/update/postPrivate/uploadLog with Slack's retrying client. */
  readonly messenger: SlackMessenger;
  /** For progress edits: rejects on 429 instead of pausing (see ThrottledEditor). */
  readonly editMessenger: SlackMessenger;
  readonly #app: App;
  readonly #receiver: ExpressReceiver | undefined;
  readonly #logger: Logger;
  readonly #slashCommands: readonly string[];
  readonly #metrics: DeploybotMetrics | undefined;
  readonly #replayGuard: ReplayGuard;
  readonly #reachability: SlackReachability | undefined;
  readonly #budget: ChatBudget;
  readonly #limits: ChatLimits;
  readonly #clock: Clock;
  /** Names the workspace in budget keys before its team id is known: never the token itself. */
  readonly #tokenScope: string;
  #handler: ChatHandler | undefined;
  #started = false;

  constructor(options: SlackAdapterOptions) {
    this.#logger = options.logger.child({ adapter: 'slack' });
    this.#slashCommands = options.slashCommands;
    this.#metrics = options.metrics;
    this.#replayGuard = options.replayGuard;
    const logger = boltLogger(this.#logger, options.boltLogLevel ?? LogLevel.INFO);
    const clientOptions: webApi.WebClientOptions = {
      ...(options.apiUrl ? { slackApiUrl: options.apiUrl } : {}),
      ...(options.retryConfig ? { retryConfig: options.retryConfig } : {}),
    };
    const common = {
      token: options.botToken.reveal(),
      logger,
      clientOptions,
      deferInitialization: true,
      tokenVerificationEnabled: options.verifyToken ?? true,
    };
    if (options.appToken) {
      this.mode = 'socket';
      this.#app = new App({ ...common, appToken: options.appToken.reveal(), socketMode: true });
    } else {
      if (!options.signingSecret) throw new Error('Slack HTTP mode needs a signing secret (SLACK_SIGNING_SECRET), or give an app token for Socket Mode');
      this.mode = 'http';
      this.#receiver = new ExpressReceiver({
        signingSecret: options.signingSecret.reveal(),
        endpoints: '/slack/events',
        processBeforeResponse: false,
        logger,
        processEventErrorHandler: async ({ error, response }) => {
          if (response.headersSent) return false;
          // Bolt threw on a signed payload before any listener acked: a payload missing
          // what Bolt reads (`user`, `team` …) is the sender's fault, not a server error
          this.#logger.warn('slack request refused: Bolt could not process its payload', { error: error.message, code: (error as { code?: string }).code });
          response.writeHead(error.name === 'AuthorizationError' ? 401 : 400, { 'content-type': 'text/plain' });
          response.end('malformed Slack payload');
          return true;
        },
      });
      this.#app = new App({ ...common, receiver: this.#receiver });
    }
    this.#clock = options.clock ?? systemClock;
    this.#budget = options.budget ?? new MemoryChatBudget({ clock: this.#clock });
    this.#limits = options.chatLimits ?? DEFAULT_CHAT_LIMITS;
    this.#tokenScope = `token-${createHash('sha256').update(options.botToken.reveal()).digest('hex').slice(0, 12)}`;
    // posts and updates that must land: a client that rejects on 429 (the budget waits and
    // retries, pausing the window for every process) but retries other failures as usual
    const mustLand = new webApi.WebClient(options.botToken.reveal(), { ...clientOptions, logger, rejectRateLimitedCalls: true });
    this.messenger = new SlackMessenger(this.#app.client, this.#metrics, { client: mustLand, budget: this.#budget, limits: this.#limits, scope: () => this.budgetScope, clock: this.#clock });
    this.editMessenger = new SlackMessenger(
      new webApi.WebClient(options.botToken.reveal(), { ...clientOptions, logger, rejectRateLimitedCalls: true, retryConfig: { retries: 0 } }),
      this.#metrics,
    );
    for (const client of [this.#app.client, mustLand, this.editMessenger.client]) {
      client.on(webApi.WebClientEvent.RATE_LIMITED, (_seconds: number, request: { url: string }) => {
        this.#metrics?.chatRateLimited.inc({ platform: 'slack', method: request.url.split('/').pop() ?? 'unknown' });
      });
    }
    // start() first waits until auth.test answers, through a client that gives up quickly
    // (the ordinary one retries for half an hour), so a Slack outage delays only Slack
    if (common.tokenVerificationEnabled) {
      const wait = { ...DEFAULT_SLACK_WAIT, ...options.startupWait };
      const probe = new webApi.WebClient(options.botToken.reveal(), { ...clientOptions, logger, rejectRateLimitedCalls: true, retryConfig: { retries: 0 }, timeout: wait.attemptTimeoutMs });
      this.#reachability = new SlackReachability(probe, this.#logger, wait, options.apiUrl);
    }
    this.#register();
  }

  /** For /healthz: "ok" once started, else what the wait for Slack last met. */
  get status(): string {
    if (this.#started) return 'ok';
    return this.#reachability?.status ?? 'starting';
  }

  /** Names this workspace in chat budget keys: `team-<id>` once auth.test told it, else a short hash of the token. */
  get budgetScope(): string {
    const team = this.#reachability?.teamId;
    return team ? `team-${team}` : this.#tokenScope;
  }

  /** HTTP mode: the handler for `/slack/events` (raw, unparsed requests; Bolt verifies the signature). */
  get requestListener(): ((req: IncomingMessage, res: ServerResponse) => void) | undefined {
    const receiver = this.#receiver;
    if (!receiver) return undefined;
    return (req, res) => {
      if (!this.#started) {
        res.writeHead(503, { 'content-type': 'text/plain', 'retry-after': '5' });
        res.end('deploybot is waiting for the Slack Web API; try again in a moment');
        return;
      }
      receiver.app(req, res);
    };
  }

  /**
   * Waits until Slack answers (retrying with a bounded back-off, logging each wait), then
   * starts. Rejects `slack_auth_failed` when the token is refused; resolves without starting
   * when `stop()` is called first.
   */
  async start(handler: ChatHandler): Promise<void> {
    if (this.#reachability && !(await this.#reachability.wait())) return;
    try {
      await this.#app.init();
    } catch (error) {
      const code = slackErrorCode(error) ?? (error instanceof Error ? error.message : String(error));
      throw new DeploybotError('slack_auth_failed', `Slack did not accept SLACK_BOT_TOKEN (auth.test: ${code}); check the token and SLACK_API_URL`);
    }
    this.#handler = handler;
    if (this.mode === 'socket') await this.#app.start();
    this.#started = true;
    this.#logger.info('slack adapter started', { mode: this.mode });
  }

  async stop(): Promise<void> {
    this.#reachability?.cancel();
    this.#handler = undefined;
    if (this.mode === 'socket' && this.#started) await this.#app.stop();
    this.#started = false;
  }

  /**
   * A throttled editor for progress messages: chat.update through the rejecting client,
   * coalesced, ≤ 1 edit/s per message, spending in the adapter's budget (the workspace's 40
   * a window, finals first) — see docs/reference/chat-limits.md.
   */
  createProgressEditor(options: Pick<ThrottledEditorOptions<OutgoingMessage>, 'finalAttempts' | 'retryBackoffMs' | 'minIntervalMs'> = {}): ThrottledEditor<OutgoingMessage> {
    return new ThrottledEditor<OutgoingMessage>({
      minIntervalMs: perSecondOf(this.#limits),
      ...options,
      budget: this.#budget,
      clock: this.#clock,
      windowsFor: (ref) => slackUpdateWindows(this.budgetScope, this.#limits, ref),
      send: (ref, message) => this.editMessenger.update(ref, message),
      rateLimitDelay: slackRetryAfterMs,
      logger: this.#logger,
    });
  }

  /** Uploads a full log into a message's thread (files.getUploadURLExternal + completeUploadExternal). */
  uploadLog(channel: string, threadTs: string | undefined, filename: string, content: string): Promise<void> {
    return this.messenger.uploadLog(channel, threadTs, filename, content);
  }

  #register(): void {
    for (const name of this.#slashCommands) {
      this.#app.command(name, async ({ command, ack, respond }) => {
        await ack();
        const user = { id: qualifyUserId('slack', command.user_id), name: command.user_name };
        if (!(await this.#firstDelivery(command.trigger_id, command.channel_id, user, respond))) return;
        await this.#dispatch(slashCommandText(command.command, command.text), user, command.channel_id, respond);
      });
    }
    this.#app.action({ type: 'block_actions', action_id: new RegExp(`^${BUTTON_ACTION_PREFIX}`) }, async ({ ack, body, action, respond }) => {
      await ack();
      const value = 'value' in action && typeof action.value === 'string' ? action.value : '';
      const channel = body.channel?.id ?? (body.container as { channel_id?: string } | undefined)?.channel_id;
      if (!channel || value === '') {
        this.#logger.warn('button click without a channel or command; ignored', { action: action.action_id });
        return;
      }
      const user = { id: qualifyUserId('slack', body.user.id), name: body.user.name ?? body.user.username };
      if (!(await this.#firstDelivery(body.trigger_id, channel, user, respond))) return;
      await this.#dispatch(value, user, channel, respond);
    });
    // a button that asks first (Reject with a reason): open its modal; the submission runs it
    this.#app.action({ type: 'block_actions', action_id: new RegExp(`^${PROMPT_ACTION_PREFIX}`) }, async ({ ack, body, action, respond, client }) => {
      await ack();
      const value = 'value' in action && typeof action.value === 'string' ? action.value : '';
      const channel = body.channel?.id ?? (body.container as { channel_id?: string } | undefined)?.channel_id;
      const view = channel ? promptModal(value, channel) : undefined;
      if (!channel || !view) {
        this.#logger.warn('prompt button click without a channel or a usable value; ignored', { action: action.action_id });
        return;
      }
      const user = { id: qualifyUserId('slack', body.user.id), name: body.user.name ?? body.user.username };
      if (!(await this.#firstDelivery(body.trigger_id, channel, user, respond))) return;
      try {
        await client.views.open({ trigger_id: body.trigger_id, view });
      } catch (error) {
        this.#logger.warn('views.open failed; the button ran nothing', { code: slackErrorCode(error) ?? (error instanceof Error ? error.message : String(error)) });
        await this.#replyPrivately(channel, user, 'Slack did not open the form; nothing was run. Type the command instead (help lists it).', respond).catch(() => undefined);
      }
    });
    this.#app.view(PROMPT_CALLBACK_ID, async ({ ack, body, view }) => {
      await ack();
      const submitted = submittedCommand(view);
      if (!submitted) {
        this.#logger.warn('modal submission that is not ours; ignored', { callbackId: view.callback_id });
        return;
      }
      const user = { id: qualifyUserId('slack', body.user.id), name: body.user.name };
      const respond: Respond = async () => undefined;
      const triggerId = (body as { trigger_id?: unknown }).trigger_id ?? `view:${view.id}:${view.hash}`;
      if (!(await this.#firstDelivery(triggerId, submitted.channel, user, respond))) return;
      await this.#dispatch(submitted.text, user, submitted.channel, respond);
    });
    this.#app.action({ type: 'block_actions', action_id: new RegExp(`^${LINK_ACTION_PREFIX}`) }, async ({ ack }) => ack());
    this.#app.error(async (error) => {
      this.#logger.error('slack event failed', { error: error.message, code: error.code });
    });
  }

  /**
   * Claims the request's trigger_id (slash commands and block_actions both carry one at the
   * top level). A repeat, or a request without one or without a user (Slack always sends
   * both), is ignored; when the store does not answer the user is told and nothing runs.
   */
  async #firstDelivery(triggerId: unknown, channel: string, user: ChatUser, respond: Respond): Promise<boolean> {
    if (typeof user.id !== 'string' || parseUserId(user.id) === undefined) {
      this.#logger.warn('slack request without a user id; ignored');
      return false;
    }
    if (typeof triggerId !== 'string' || triggerId === '' || triggerId.length > 200) {
      this.#logger.warn('slack request without a usable trigger_id; ignored', { user: user.id });
      return false;
    }
    try {
      if (await this.#replayGuard.claim(REPLAY_SCOPE, triggerId, TRIGGER_REPLAY_WINDOW_SECONDS)) return true;
      this.#logger.warn('slack request with a trigger_id already handled; ignored', { user: user.id, triggerId });
      return false;
    } catch (error) {
      this.#logger.error('slack request refused: the state store (Redis) did not answer', { error });
      await this.#replyPrivately(channel, user, 'The state store (Redis) is unreachable, so nothing was run; try again in a moment.', respond).catch(() => undefined);
      return false;
    }
  }

  async #dispatch(text: string, user: ChatUser, channel: string, respond: Respond): Promise<void> {
    const handler = this.#handler;
    const replyPrivately = (message: string) => this.#replyPrivately(channel, user, message, respond);
    if (!handler) {
      await replyPrivately('deploybot is starting up; try again in a moment.').catch(() => undefined);
      return;
    }
    const incoming: IncomingCommand = {
      text,
      user,
      channel,
      platform: 'slack',
      reply: (message) => this.messenger.post(channel, message),
      replyPrivately,
      track: () => undefined,
    };
    await dispatchCommand(handler, incoming, this.#logger);
  }

  /**
   * chat.postEphemeral; where the bot cannot post (not in the channel, a DM it is not part
   * of) the one answer goes through the command's response_url instead — once, never for progress.
   */
  async #replyPrivately(channel: string, user: ChatUser, text: string, respond: Respond): Promise<void> {
    try {
      await this.messenger.postPrivate(channel, user, text);
    } catch (error) {
      const code = slackErrorCode(error);
      if (code !== 'channel_not_found' && code !== 'not_in_channel') throw error;
      this.#logger.info('cannot post ephemeral here; answering through response_url', { channel, code });
      await respond({ response_type: 'ephemeral', text });
    }
  }
}
