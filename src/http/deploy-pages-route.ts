// The deploy pages (docs/deploy-page.md): `GET /deploys?t=…` (the list and the DORA figures),
// `GET /deploys/<id>?t=…` (one deploy, live), `GET /deploys/<id>/events?t=…` (its SSE) and
// the page script. A missing, changed or expired token gets 403 and nothing of the deploy;
// an unknown deploy with a good token 404. Everything sent passes the process's redactor.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../core/logger.ts';
import { INDEX_SCOPE, pageLinks, pageTokenValid } from '../core/page-link.ts';
import type { Redactor } from '../core/redactor.ts';
import type { Secret } from '../core/secret.ts';
import type { DeployNotice } from '../deploy/deploy-notice.ts';
import type { DeployRecord } from '../domain/deploy-record.ts';
import type { People } from '../domain/people.ts';
import type { DeployWatch } from '../notify/page/deploy-watch.ts';
import { PAGE_CSP, PAGE_SCRIPT_PATH } from '../notify/page/page-html.ts';
import { PAGE_SCRIPT } from '../notify/page/page-script.ts';
import { renderDeployList } from '../notify/page/render-deploy-list.ts';
import { renderDeployPage } from '../notify/page/render-deploy-page.ts';
import { DeployEventStreams, type DeployNoticeSource } from './deploy-events-stream.ts';

const DEPLOY_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export interface DeployPagesOptions {
  /** `DEPLOYBOT_WEB_SECRET`. */
  secret: Secret;
  source: DeployNoticeSource;
  /** A deploy's record (404 when neither it nor any notice exists). */
  record(deployId: string): Promise<DeployRecord | undefined>;
  /** Recent deploys of every project × market, for the list and its figures. */
  recentDeploys(): Promise<DeployRecord[]>;
  watch: DeployWatch;
  redactor: Redactor;
  people?: People;
  logger: Logger;
  now?: () => Date;
}

export interface DeployPagesRoute {
  handle(req: IncomingMessage, res: ServerResponse, path: string): Promise<void>;
  /** Ends the open event streams (the server is stopping). */
  close(): void;
}

export function createDeployPagesRoute(o: DeployPagesOptions): DeployPagesRoute {
  const now = o.now ?? (() => new Date());
  const streams = new DeployEventStreams({ source: o.source, watch: o.watch, redactor: o.redactor, logger: o.logger, ...(o.people ? { people: o.people } : {}) });
  const relative = pageLinks('', o.secret, now);

  const send = (res: ServerResponse, status: number, type: string, body: string) => {
    const text = o.redactor.redact(body);
    res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store', 'content-security-policy': PAGE_CSP, 'x-content-type-options': 'nosniff', 'referrer-policy': 'no-referrer' });
    res.end(text);
  };
  const forbidden = (res: ServerResponse) => send(res, 403, 'text/plain; charset=utf-8', 'This link is not valid: it expired or was changed. Ask the bot for a new one (the deploy\'s message, or `history`).\n');
  const notFound = (res: ServerResponse, what: string) => send(res, 404, 'text/plain; charset=utf-8', `${what}\n`);

  return {
    async handle(req, res, path) {
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.setHeader('allow', 'GET');
        return send(res, 405, 'text/plain; charset=utf-8', 'use GET\n');
      }
      if (path === PAGE_SCRIPT_PATH) return send(res, 200, 'text/javascript; charset=utf-8', PAGE_SCRIPT);
      const url = new URL(req.url ?? '/', 'http://localhost');
      const token = url.searchParams.get('t');
      const nowSeconds = Math.floor(now().getTime() / 1000);

      if (path === '/deploys' || path === '/deploys/') {
        if (!pageTokenValid(o.secret, INDEX_SCOPE, token, nowSeconds)) return forbidden(res);
        const filters = { project: url.searchParams.get('project') ?? '', market: url.searchParams.get('market') ?? '', outcome: url.searchParams.get('outcome') ?? '' };
        const deploys = await o.recentDeploys();
        return send(res, 200, 'text/html; charset=utf-8', renderDeployList(deploys, { filters, token: token!, nowMs: now().getTime(), pageUrl: (d) => relative.deploy(d.id, new Date(d.createdAt)), ...(o.people ? { people: o.people } : {}) }));
      }

      const match = /^\/deploys\/([^/]+)(\/events)?$/.exec(path);
      const deployId = match ? decodeURIComponent(match[1]!) : undefined;
      if (!match || !deployId || !DEPLOY_ID.test(deployId)) {
        if (!pageTokenValid(o.secret, deployId ?? '', token, nowSeconds)) return forbidden(res);
        return notFound(res, 'no such page');
      }
      if (!pageTokenValid(o.secret, deployId, token, nowSeconds)) return forbidden(res);

      const [record, notices] = await Promise.all([o.record(deployId), o.source.noticesFrom(deployId, 0)]);
      if (!record && notices.length === 0) return notFound(res, `no deploy ${deployId} (it may have expired: see \`retention\`)`);

      if (match[2]) {
        const lastEventId = Number(req.headers['last-event-id'] ?? url.searchParams.get('from') ?? 0);
        return streams.serve(res, deployId, Number.isInteger(lastEventId) ? lastEventId : 0);
      }
      const eventsUrl = `/deploys/${encodeURIComponent(deployId)}/events?t=${encodeURIComponent(token!)}&from=${notices.length}`;
      // a record that has published nothing yet is shown as accepted
      const shown: DeployNotice[] = notices.length > 0 || !record ? notices : [{ type: 'job.accepted', record, deployId, at: record.createdAt }];
      const html = renderDeployPage(shown, { eventsUrl, indexUrl: relative.index(), nowMs: now().getTime(), ...(o.people ? { people: o.people } : {}) });
      return send(res, 200, 'text/html; charset=utf-8', html);
    },
    close() {
      streams.closeAll();
    },
  };
}
