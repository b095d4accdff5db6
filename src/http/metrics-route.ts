// GET /metrics: the Prometheus text exposition of the bot's registry. With `METRICS_TOKEN`
// set only `Authorization: Bearer <token>` is answered (401 otherwise), compared in constant
// time (docs/operations.md).
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Registry } from 'prom-client';
import type { Secret } from '../core/secret.ts';
import { sendJson } from './send-json.ts';

export function createMetricsRoute(registry: Registry, token?: Secret) {
  const expected = token ? digest(token.reveal()) : undefined;
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (expected && !bearerMatches(req.headers.authorization, expected)) {
      res.setHeader('www-authenticate', 'Bearer realm="deploybot metrics"');
      return sendJson(res, 401, { error: 'send Authorization: Bearer <METRICS_TOKEN>' });
    }
    const body = await registry.metrics();
    res.writeHead(200, { 'content-type': registry.contentType, 'cache-control': 'no-store' });
    res.end(body);
  };
}

/** Both sides hashed first, so the comparison takes the same time whatever the length given. */
function bearerMatches(header: string | undefined, expected: Buffer): boolean {
  const match = typeof header === 'string' ? /^Bearer (\S+)\s*$/i.exec(header.trim()) : null;
  return timingSafeEqual(digest(match?.[1] ?? ''), expected) && match !== null;
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}
