// GET /deploys/<id>/events (docs/deploy-page.md, "Live updates"): Server-Sent Events for one
// deploy page. It reads the deploy's notices once, then on each announcement only the new
// ones, re-folds and sends an `update` (the changed parts and the new log lines; `id:` is the
// notice count, so a reconnecting browser's Last-Event-ID says where its log ends). At most
// one update per UPDATE_EVERY_MS; the stream ends after the update that shows the deploy
// finished.
import type { ServerResponse } from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';
import type { Logger } from '../core/logger.ts';
import type { Redactor } from '../core/redactor.ts';
import type { DeployNotice } from '../deploy/deploy-notice.ts';
import type { People } from '../domain/people.ts';
import type { DeployWatch } from '../notify/page/deploy-watch.ts';
import { PAGE_CSP } from '../notify/page/page-html.ts';
import { deployPageParts } from '../notify/page/render-deploy-page.ts';
import { deployLogLines } from '../notify/render-deploy-log.ts';

const UPDATE_EVERY_MS = 200;
const KEEP_ALIVE_MS = 15_000;

export interface DeployNoticeSource {
  noticesFrom(deployId: string, from: number): Promise<DeployNotice[]>;
}

export interface DeployEventsStreamOptions {
  source: DeployNoticeSource;
  watch: DeployWatch;
  redactor: Redactor;
  people?: People;
  logger: Logger;
}

/** Open streams, so the server can end them when it stops. */
export class DeployEventStreams {
  readonly #open = new Set<ServerResponse>();

  constructor(private readonly o: DeployEventsStreamOptions) {}

  async serve(res: ServerResponse, deployId: string, logFrom: number): Promise<void> {
    let notices: DeployNotice[] = [];
    let sentLogFrom = Math.max(0, logFrom);
    let busy = false;
    let again = false;
    let closed = false;
    const close = () => {
      if (closed) return;
      closed = true;
      unwatch?.();
      clearInterval(keepAlive);
      this.#open.delete(res);
      res.end();
    };
    const send = () => {
      const parts = deployPageParts(notices, this.o.people);
      const log = deployLogLines(notices, Math.min(sentLogFrom, notices.length));
      sentLogFrom = notices.length;
      const { view: _view, ...update } = parts;
      const data = this.o.redactor.redact(JSON.stringify({ ...update, log }));
      res.write(`id: ${notices.length}\nevent: update\ndata: ${data}\n\n`);
      if (parts.finished) close();
    };
    let sentOnce = false;
    const refresh = async () => {
      if (busy) {
        again = true;
        return;
      }
      busy = true;
      try {
        do {
          again = false;
          const fresh = await this.o.source.noticesFrom(deployId, notices.length);
          if (closed) return;
          if (fresh.length > 0 || !sentOnce) {
            notices = notices.concat(fresh);
            sentOnce = true;
            send();
          }
          if (!closed) await delay(UPDATE_EVERY_MS);
        } while (again && !closed);
      } catch (error) {
        this.o.logger.warn('a deploy page update failed; the stream ends and the browser reconnects', { deployId, error });
        close();
      } finally {
        busy = false;
      }
    };

    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
      'content-security-policy': PAGE_CSP,
    });
    res.write('retry: 2000\n\n');
    this.#open.add(res);
    const keepAlive = setInterval(() => res.write(': keep-alive\n\n'), KEEP_ALIVE_MS);
    let unwatch: (() => void) | undefined;
    // the browser went away (or the stream ended)
    res.on('close', close);
    // watch first, then read: news between the two is read by the refresh it triggers
    unwatch = await this.o.watch.watch(deployId, () => void refresh());
    if (closed) return unwatch();
    await refresh();
  }

  closeAll(): void {
    for (const res of this.#open) res.end();
    this.#open.clear();
  }
}
