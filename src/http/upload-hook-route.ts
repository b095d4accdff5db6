// POST /hooks/upload (docs/reference/messages.md, docs/operations.md): a build system reports an uploaded
// client package. The raw body must carry a valid `X-Deploybot-Signature` (else 401); then
// the body is validated (400), the project (and market, when given) must be configured by
// that exact name (404 — `constructor` is not a project); a signature already accepted in the
// last 24 h is a replay (200 `{"duplicate": true}`); only then is the notice posted, and the
// answer is 202. Nothing is posted for a refused request.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import type { Config } from '../../config/load-config.ts';
import type { Messenger } from '../core/chat-types.ts';
import type { Logger } from '../core/logger.ts';
import { ownEntry } from '../core/own-entry.ts';
import type { ReplayGuard } from '../core/replay-guard.ts';
import type { Secret } from '../core/secret.ts';
import { readBodyOr413 } from './read-raw-body.ts';
import { sendJson } from './send-json.ts';
import { formatUploadNotice, uploadChannel } from './upload-notice.ts';
import { acceptedSignature, UPLOAD_SIGNATURE_HEADER } from './verify-hmac-signature.ts';

export interface UploadHookOptions {
  /** `UPLOAD_HOOK_SECRET`; without it every request is refused (503). */
  secret: Secret | undefined;
  config: Config;
  messenger: Messenger;
  /** Remembers accepted signatures (Redis, shared by every process) so a replayed body posts nothing. */
  replayGuard: ReplayGuard;
  /** @defaultValue config.chat.slack.defaultChannel, else config.chat.dingtalk.defaultConversation */
  defaultChannel?: string;
  logger: Logger;
  /** @defaultValue 65536 */
  maxBodyBytes?: number;
}

/** How long an accepted signature is remembered. */
export const UPLOAD_REPLAY_WINDOW_SECONDS = 24 * 3600;
const REPLAY_SCOPE = 'upload';

const uploadBodySchema = z.object({
  project: z.string().min(1),
  market: z.string().min(1).optional(),
  platform: z.string().min(1).max(100),
  file: z.string().min(1).max(1000),
  size: z.number().int().nonnegative(),
  fromVersion: z.string().min(1).max(200),
  toVersion: z.string().min(1).max(200),
});

export function createUploadHookRoute(options: UploadHookOptions) {
  const limit = options.maxBodyBytes ?? 65_536;
  const defaultChannel = options.defaultChannel ?? options.config.chat.slack?.defaultChannel ?? options.config.chat.dingtalk?.defaultConversation;
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (!options.secret) {
      options.logger.warn('upload hook refused: UPLOAD_HOOK_SECRET is not set');
      return sendJson(res, 503, { error: 'upload hook is disabled: set UPLOAD_HOOK_SECRET' });
    }
    const raw = await readBodyOr413(req, res, limit);
    if (!raw) return;
    const signature = acceptedSignature(options.secret, raw, req.headers[UPLOAD_SIGNATURE_HEADER]);
    if (signature === undefined) {
      options.logger.warn('upload hook refused: bad or missing signature', { remote: req.socket.remoteAddress });
      return sendJson(res, 401, { error: 'bad or missing X-Deploybot-Signature' });
    }
    let json: unknown;
    try {
      json = JSON.parse(raw.toString('utf8'));
    } catch {
      return sendJson(res, 400, { error: 'body is not JSON' });
    }
    const parsed = uploadBodySchema.safeParse(json);
    if (!parsed.success) {
      const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || 'body'}: ${issue.message}`);
      return sendJson(res, 400, { error: 'invalid body', problems });
    }
    const notice = parsed.data;
    const project = ownEntry(options.config.projects, notice.project);
    if (!project) return sendJson(res, 404, { error: `unknown project "${notice.project}"` });
    if (notice.market !== undefined && !project.markets.includes(notice.market)) {
      return sendJson(res, 404, { error: `unknown market "${notice.market}" for project "${notice.project}"` });
    }
    const channel = uploadChannel(options.config, notice.project, notice.market, defaultChannel);
    if (!channel) return sendJson(res, 500, { error: `no chat channel is configured for project "${notice.project}" and there is no default channel` });
    let first: boolean;
    try {
      first = await options.replayGuard.claim(REPLAY_SCOPE, signature, UPLOAD_REPLAY_WINDOW_SECONDS);
    } catch (error) {
      options.logger.error('upload hook refused: the state store (Redis) did not answer', { error });
      return sendJson(res, 503, { error: 'the state store (Redis) is unreachable, so replays cannot be recognised; nothing was posted, try again later' });
    }
    if (!first) {
      options.logger.warn('upload hook: a signature already accepted was sent again; nothing posted', { project: notice.project });
      return sendJson(res, 200, { duplicate: true });
    }
    const text = formatUploadNotice(notice);
    try {
      await options.messenger.post(channel, { text });
    } catch (error) {
      // not posted, so not accepted: the sender may try the same body again
      await options.replayGuard.release(REPLAY_SCOPE, signature).catch(() => undefined);
      options.logger.error('upload notice could not be posted', { project: notice.project, channel, error });
      return sendJson(res, 502, { error: 'the notice could not be posted to chat; see the bot log' });
    }
    options.logger.info('upload notice posted', { project: notice.project, market: notice.market, channel });
    sendJson(res, 202, { ok: true, channel, text });
  };
}
