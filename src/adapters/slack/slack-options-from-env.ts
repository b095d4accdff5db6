// Which Slack mode the environment asks for (docs/configuration.md): SLACK_BOT_TOKEN plus either
// SLACK_APP_TOKEN (Socket Mode) or SLACK_SIGNING_SECRET (HTTP mode at /slack/events);
// SLACK_API_URL points the Web API elsewhere. Without them Slack is off, and `reason` says why.
import { Secret } from '../../core/secret.ts';
import type { SlackAdapterOptions } from './slack-adapter.ts';

export type SlackEnvOptions = Pick<SlackAdapterOptions, 'botToken' | 'signingSecret' | 'appToken' | 'apiUrl'>;

export type SlackFromEnv = { ok: true; options: SlackEnvOptions } | { ok: false; reason: string };

export function slackOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): SlackFromEnv {
  const token = env.SLACK_BOT_TOKEN;
  if (!token) return { ok: false, reason: 'SLACK_BOT_TOKEN is not set' };
  const appToken = env.SLACK_APP_TOKEN;
  const signingSecret = env.SLACK_SIGNING_SECRET;
  if (!appToken && !signingSecret) return { ok: false, reason: 'set SLACK_APP_TOKEN (Socket Mode) or SLACK_SIGNING_SECRET (HTTP mode at /slack/events)' };
  return {
    ok: true,
    options: {
      botToken: new Secret(token, 'SLACK_BOT_TOKEN'),
      ...(appToken ? { appToken: new Secret(appToken, 'SLACK_APP_TOKEN') } : {}),
      ...(signingSecret ? { signingSecret: new Secret(signingSecret, 'SLACK_SIGNING_SECRET') } : {}),
      ...(env.SLACK_API_URL ? { apiUrl: env.SLACK_API_URL } : {}),
    },
  };
}
