import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { dingTalkOptionsFromEnv } from '../../src/adapters/dingtalk/dingtalk-options-from-env.ts';
import { slackOptionsFromEnv } from '../../src/adapters/slack/slack-options-from-env.ts';
import { chatTestConfig } from '../fakes/chat-test-config.ts';

describe('chat adapters from the environment', () => {
  it('Slack is off without a bot token, or without both an app token and a signing secret', () => {
    expect(slackOptionsFromEnv({})).toEqual({ ok: false, reason: 'SLACK_BOT_TOKEN is not set' });
    expect(slackOptionsFromEnv({ SLACK_BOT_TOKEN: 'xoxb-1' })).toMatchObject({ ok: false, reason: expect.stringContaining('SLACK_APP_TOKEN') });
  });

  it('Slack options carry secrets that never print', () => {
    const result = slackOptionsFromEnv({ SLACK_BOT_TOKEN: 'xoxb-secret-1', SLACK_SIGNING_SECRET: 'sign-secret-2', SLACK_API_URL: 'http://127.0.0.1:9/api/' });
    if (!result.ok) throw new Error(result.reason);
    expect(result.options.apiUrl).toBe('http://127.0.0.1:9/api/');
    expect(result.options.appToken).toBeUndefined();
    expect(result.options.botToken.reveal()).toBe('xoxb-secret-1');
    const printed = `${JSON.stringify(result)} ${inspect(result)}`;
    expect(printed).not.toContain('xoxb-secret-1');
    expect(printed).not.toContain('sign-secret-2');
  });

  it('DingTalk needs both client id and secret, and takes robot code and card template from the config', () => {
    expect(dingTalkOptionsFromEnv(chatTestConfig(), { DINGTALK_CLIENT_ID: 'ding1' }).ok).toBe(false);
    const result = dingTalkOptionsFromEnv(chatTestConfig(), { DINGTALK_CLIENT_ID: 'ding1', DINGTALK_CLIENT_SECRET: 'ding-secret' });
    if (!result.ok) throw new Error(result.reason);
    expect(result.options).toMatchObject({ clientId: 'ding1', robotCode: undefined, cardTemplateId: undefined, gatewayUrl: undefined });
    expect(JSON.stringify(result)).not.toContain('ding-secret');
  });
});
