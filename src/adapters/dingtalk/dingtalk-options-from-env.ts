// DingTalk is on when DINGTALK_CLIENT_ID and DINGTALK_CLIENT_SECRET are set (docs/configuration.md); the
// robot code and card template come from config.chat.dingtalk. DINGTALK_GATEWAY_URL and
// DINGTALK_OPENAPI_URL (not needed in production) point the client at other endpoints.
import type { Config } from '../../../config/load-config.ts';
import { Secret } from '../../core/secret.ts';
import type { DingTalkAdapterOptions } from './dingtalk-adapter.ts';

export type DingTalkEnvOptions = Pick<DingTalkAdapterOptions, 'clientId' | 'clientSecret' | 'robotCode' | 'cardTemplateId' | 'gatewayUrl' | 'openApiUrl'>;

export type DingTalkFromEnv = { ok: true; options: DingTalkEnvOptions } | { ok: false; reason: string };

export function dingTalkOptionsFromEnv(config: Config, env: NodeJS.ProcessEnv = process.env): DingTalkFromEnv {
  const clientId = env.DINGTALK_CLIENT_ID;
  const clientSecret = env.DINGTALK_CLIENT_SECRET;
  if (!clientId || !clientSecret) return { ok: false, reason: 'DINGTALK_CLIENT_ID and DINGTALK_CLIENT_SECRET are not both set' };
  return {
    ok: true,
    options: {
      clientId,
      clientSecret: new Secret(clientSecret, 'DINGTALK_CLIENT_SECRET'),
      robotCode: config.chat.dingtalk?.robotCode,
      cardTemplateId: config.chat.dingtalk?.cardTemplateId,
      gatewayUrl: env.DINGTALK_GATEWAY_URL || undefined,
      openApiUrl: env.DINGTALK_OPENAPI_URL || undefined,
    },
  };
}
