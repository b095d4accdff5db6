// Builds the requests Slack sends to `POST /slack/events`, signed the way Slack signs them:
// `X-Slack-Signature: v0=<hex HMAC-SHA256(signing secret, "v0:<timestamp>:<raw body>")>`
// and `X-Slack-Request-Timestamp` (seconds). Slash commands are form-encoded fields;
// interactivity (block_actions) is a form field `payload` holding JSON.
import { createHmac, randomBytes } from 'node:crypto';

export interface SignedSlackRequest {
  body: string;
  headers: Record<string, string>;
}

export interface SignOptions {
  signingSecret: string;
  /** Seconds since the epoch. @defaultValue now */
  timestamp?: number;
}

export function signSlackRequest(body: string, options: SignOptions): SignedSlackRequest {
  const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
  const signature = createHmac('sha256', options.signingSecret).update(`v0:${timestamp}:${body}`).digest('hex');
  return {
    body,
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'x-slack-request-timestamp': String(timestamp),
      'x-slack-signature': `v0=${signature}`,
    },
  };
}

export interface SlashCommandPayload {
  command: string;
  text: string;
  userId: string;
  userName?: string;
  channelId: string;
  responseUrl?: string;
  teamId?: string;
  /** @defaultValue a fresh one per request, as Slack sends */
  triggerId?: string;
}

export function slashCommandRequest(payload: SlashCommandPayload, options: SignOptions): SignedSlackRequest {
  return signSlackRequest(new URLSearchParams(slashCommandFields(payload)).toString(), options);
}

/** The fields of a slash command (form-encoded over HTTP; the envelope payload in Socket Mode). */
export function slashCommandFields(payload: SlashCommandPayload): Record<string, string> {
  return {
    token: 'deprecated-verification-token',
    team_id: payload.teamId ?? 'T0FAKE',
    team_domain: 'fake',
    channel_id: payload.channelId,
    channel_name: 'deploys',
    user_id: payload.userId,
    user_name: payload.userName ?? payload.userId.toLowerCase(),
    command: payload.command,
    text: payload.text,
    api_app_id: 'A0FAKE',
    is_enterprise_install: 'false',
    response_url: payload.responseUrl ?? 'http://127.0.0.1:9/respond/unused',
    trigger_id: payload.triggerId ?? freshTriggerId(),
  };
}

/** Slack's trigger ids look like `1234567890.1234567890.0123456789abcdef…`; every request gets its own. */
export function freshTriggerId(): string {
  return `${Date.now()}.${Math.floor(Math.random() * 1e10)}.${randomBytes(16).toString('hex')}`;
}

export interface ButtonClickPayload {
  /** The button's value: the command it runs. */
  value: string;
  actionId: string;
  userId: string;
  userName?: string;
  channelId: string;
  messageTs: string;
  label?: string;
  responseUrl?: string;
  teamId?: string;
  /** @defaultValue a fresh one per request, as Slack sends */
  triggerId?: string;
}

export function buttonClickRequest(click: ButtonClickPayload, options: SignOptions): SignedSlackRequest {
  return signSlackRequest(new URLSearchParams({ payload: JSON.stringify(blockActionsPayload(click)) }).toString(), options);
}

/** A block_actions payload for a button click (the `payload` form field over HTTP; the envelope payload in Socket Mode). */
export function blockActionsPayload(click: ButtonClickPayload): Record<string, unknown> {
  const teamId = click.teamId ?? 'T0FAKE';
  return {
    type: 'block_actions',
    user: { id: click.userId, username: click.userName ?? click.userId.toLowerCase(), name: click.userName ?? click.userId.toLowerCase(), team_id: teamId },
    api_app_id: 'A0FAKE',
    token: 'deprecated-verification-token',
    container: { type: 'message', message_ts: click.messageTs, channel_id: click.channelId, is_ephemeral: false },
    trigger_id: click.triggerId ?? freshTriggerId(),
    team: { id: teamId, domain: 'fake' },
    enterprise: null,
    is_enterprise_install: false,
    channel: { id: click.channelId, name: 'deploys' },
    message: { type: 'message', ts: click.messageTs, text: 'approval', user: 'U0BOT', bot_id: 'B0BOT' },
    state: { values: {} },
    response_url: click.responseUrl ?? 'http://127.0.0.1:9/respond/unused',
    actions: [{
      type: 'button',
      action_id: click.actionId,
      block_id: 'dbt-test-1',
      text: { type: 'plain_text', text: click.label ?? 'Approve', emoji: true },
      value: click.value,
      action_ts: `${Math.floor(Date.now() / 1000)}.000200`,
    }],
  };
}

export interface ViewSubmission {
  /** The view as views.open answered it (id, hash, callback_id, private_metadata, blocks). */
  view: { id: string; hash: string; view: Record<string, unknown> };
  userId: string;
  userName?: string;
  /** What was typed into each input: block_id → action_id → value. */
  values: Record<string, Record<string, string>>;
  teamId?: string;
}

/** A view_submission payload, as Slack posts it when a modal's Submit is pressed (the `payload` form field). */
export function viewSubmissionRequest(submission: ViewSubmission, options: SignOptions): SignedSlackRequest {
  const teamId = submission.teamId ?? 'T0FAKE';
  const values = Object.fromEntries(Object.entries(submission.values).map(([block, actions]) => [block, Object.fromEntries(Object.entries(actions).map(([action, value]) => [action, { type: 'plain_text_input', value }]))]));
  const payload = {
    type: 'view_submission',
    team: { id: teamId, domain: 'fake' },
    user: { id: submission.userId, username: submission.userName ?? submission.userId.toLowerCase(), name: submission.userName ?? submission.userId.toLowerCase(), team_id: teamId },
    api_app_id: 'A0FAKE',
    token: 'deprecated-verification-token',
    trigger_id: freshTriggerId(),
    view: { ...submission.view.view, id: submission.view.id, hash: submission.view.hash, team_id: teamId, app_id: 'A0FAKE', bot_id: 'B0BOT', state: { values }, previous_view_id: null, root_view_id: submission.view.id },
    response_urls: [],
    is_enterprise_install: false,
    enterprise: null,
  };
  return signSlackRequest(new URLSearchParams({ payload: JSON.stringify(payload) }).toString(), options);
}

/** POSTs a signed request; returns the status and body text. */
export async function postToSlackEndpoint(url: string, request: SignedSlackRequest): Promise<{ status: number; body: string }> {
  const response = await fetch(url, { method: 'POST', headers: request.headers, body: request.body });
  return { status: response.status, body: await response.text() };
}
