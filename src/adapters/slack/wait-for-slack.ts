// Waiting for Slack at start: `auth.test` through a client that neither retries on its own
// nor waits out rate limits, again and again with a bounded back-off, saying each time what
// it waits for. A refused token ends the wait (retrying cannot fix it); anything else — no
// answer, a refused connection, a 5xx, a 429 — is retried. Meanwhile `status` says what the
// last attempt met, for /healthz. See docs/slack.md ("When Slack cannot be reached").
import { webApi } from '@slack/bolt';
import { DeploybotError, errorMessage } from '../../core/errors.ts';
import type { Logger } from '../../core/logger.ts';
import { formatDuration } from '../../domain/format-duration.ts';
import { type ReconnectBackoff, reconnectDelay } from '../../domain/reconnect-delay.ts';
import { slackErrorCode } from './slack-messenger.ts';

export interface SlackWaitOptions extends ReconnectBackoff {
  /** How long one `auth.test` may take before it counts as unanswered. @defaultValue 10000 */
  attemptTimeoutMs: number;
}

export const DEFAULT_SLACK_WAIT: SlackWaitOptions = { baseMs: 1000, maxMs: 30_000, attemptTimeoutMs: 10_000 };

/** auth.test answers that mean the token itself is refused. */
const REFUSED = new Set(['invalid_auth', 'not_authed', 'account_inactive', 'token_revoked', 'token_expired', 'not_allowed_token_type']);

export class SlackReachability {
  #status = 'connecting: no answer from Slack yet';
  #cancelled = false;
  #wake: (() => void) | undefined;

  constructor(
    private readonly client: webApi.WebClient,
    private readonly logger: Logger,
    private readonly options: SlackWaitOptions = DEFAULT_SLACK_WAIT,
    private readonly apiUrl = 'https://slack.com/api/',
  ) {}

  /** The workspace's team id, once auth.test answered with one. */
  teamId: string | undefined;

  /** "ok" once Slack answered, else what the last attempt met. */
  get status(): string {
    return this.#status;
  }

  /** Resolves true once auth.test succeeds, false after `cancel()`; rejects `slack_auth_failed` on a refused token. */
  async wait(): Promise<boolean> {
    for (let attempt = 0; ; attempt += 1) {
      if (this.#cancelled) return false;
      try {
        const answer = await this.client.auth.test();
        if (typeof answer.team_id === 'string' && answer.team_id !== '') this.teamId = answer.team_id;
        if (attempt > 0) this.logger.info('slack answered; starting the Slack adapter', { attempts: attempt + 1 });
        return true;
      } catch (error) {
        const code = slackErrorCode(error);
        if (code && REFUSED.has(code)) {
          this.#status = `Slack did not accept SLACK_BOT_TOKEN (auth.test: ${code})`;
          throw new DeploybotError('slack_auth_failed', `Slack did not accept SLACK_BOT_TOKEN (auth.test: ${code}); check the token and SLACK_API_URL`);
        }
        const delayMs = reconnectDelay(attempt, this.options);
        const met = code ?? errorMessage(error);
        this.#status = `unreachable: ${met}`;
        this.logger.warn(`waiting for Slack: auth.test at ${this.apiUrl} failed (${met}); retrying in ${formatDuration(delayMs)} — commands from Slack are not answered until then`, { attempt: attempt + 1 });
        await this.#pause(delayMs);
      }
    }
  }

  cancel(): void {
    this.#cancelled = true;
    this.#wake?.();
  }

  #pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.#wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.#wake = done;
    });
  }
}
