// The deploy pages over HTTP: a real server on port 0 and a real Redis, with a deploy's notices
// published on the real event bus. Tokens (403 without revealing anything; 404 for an unknown
// deploy), the Content-Security-Policy, the page without JavaScript, the SSE stream carrying
// new notices as they are published, and the list with its filters and DORA figures.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INDEX_SCOPE, pageLinks, signPageToken } from '../../src/core/page-link.ts';
import type { DeployRecord } from '../../src/domain/deploy-record.ts';
import { NoticeScript } from '../fixtures/notices.ts';
import { PAGE_REDACTED_VALUE, PAGE_SECRET as secret, type PageServer, startPageServer } from '../fixtures/page-server.ts';

let pages: PageServer;
let server: PageServer['server'];
let offServer: PageServer['offServer'];
let records: PageServer['records'];
const nowSeconds = () => Math.floor(Date.now() / 1000);

beforeAll(async () => {
  pages = await startPageServer();
  ({ server, offServer, records } = pages);
});

afterAll(async () => {
  await pages?.stop();
});

const publish = (script: NoticeScript, from: number) => pages.publish(script, from);

describe('deploy pages over HTTP', () => {
  it('when the token is missing, changed, expired or for another scope, then 403 with nothing of the deploy; an unknown deploy is 404', async () => {
    const script = new NoticeScript({ id: 'd-20261201-0101', hosts: ['br-1'] }).accepted().state('running');
    await publish(script, 0);
    const links = pageLinks(server.url, secret);
    const good = links.deploy(script.deployId);
    expect((await fetch(good)).status).toBe(200);

    const expired = `${server.url}/deploys/${script.deployId}?t=${signPageToken(secret, script.deployId, nowSeconds() - 1)}`;
    const otherDeploy = `${server.url}/deploys/${script.deployId}?t=${signPageToken(secret, 'd-20261201-0102', nowSeconds() + 60)}`;
    const indexToken = `${server.url}/deploys/${script.deployId}?t=${signPageToken(secret, INDEX_SCOPE, nowSeconds() + 60)}`;
    const changed = good.replace(/.$/, (c) => (c === '0' ? '1' : '0'));
    for (const url of [`${server.url}/deploys/${script.deployId}`, changed, expired, otherDeploy, indexToken, `${server.url}/deploys/${script.deployId}/events?t=x`, `${server.url}/deploys?t=${signPageToken(secret, script.deployId, nowSeconds() + 60)}`]) {
      const response = await fetch(url);
      expect(response.status, url).toBe(403);
      const body = await response.text();
      for (const leaked of [script.deployId, 'mala-core', 'br-1', 'brazil']) expect(body).not.toContain(leaked);
    }
    const unknown = await fetch(links.deploy('d-20261201-0999'));
    expect(unknown.status).toBe(404);
    const off = await fetch(pageLinks(offServer.url, secret).deploy(script.deployId));
    expect(off.status).toBe(404);
    expect(await off.text()).toContain('DEPLOYBOT_WEB_SECRET');
  });

  it('the page is whole without JavaScript, under a CSP with no inline script, and passes the redactor', async () => {
    const script = new NoticeScript({ id: 'd-20261201-0103', hosts: ['br-1', 'br-2'] }).accepted().state('running').started().resolveAndBuild().step('distribute');
    script.hostDone('distribute', 'br-1', { outputTail: [`token=${PAGE_REDACTED_VALUE}`] });
    await publish(script, 0);
    const response = await fetch(pageLinks(server.url, secret).deploy(script.deployId));
    const csp = response.headers.get('content-security-policy')!;
    expect(csp).toMatch(/default-src 'none'/);
    expect(csp).toMatch(/script-src 'self'(;|$)/);
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|https?:/);
    const html = await response.text();
    expect(html).not.toMatch(/<script(?![^>]*\ssrc="\/deploys\/page\.js")/); // the only script is the served one
    expect(html).not.toMatch(/\sstyle="|\son[a-z]+="/); // no inline style or handler attributes
    expect(html).not.toMatch(/(src|href)="https?:/); // no external assets
    expect(html).toContain('data-host-row="br-1" data-state="running"');
    expect(html).toMatch(/data-host="br-1" data-host-step="distribute"/);
    expect(html).toContain('br-1: distribute done');
    expect(html).not.toContain(PAGE_REDACTED_VALUE);
    expect(html).toContain('[redacted]');
    const js = await fetch(`${server.url}/deploys/page.js`);
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toContain('javascript');
  });

  it('when notices are published while the events stream is open, then they arrive as updates, and the stream ends with the finished deploy', async () => {
    const script = new NoticeScript({ id: 'd-20261201-0104', hosts: ['br-1', 'br-2'] }).accepted().state('running').started();
    await publish(script, 0);
    const token = new URL(pageLinks(server.url, secret).deploy(script.deployId)).searchParams.get('t')!;
    const response = await fetch(`${server.url}/deploys/${script.deployId}/events?t=${token}&from=${script.notices.length}`);
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    let text = '';
    const updates = () => [...text.matchAll(/event: update\ndata: (.*)\n\n/g)].map((m) => JSON.parse(m[1]!) as { log: string[]; flow: string; finished: boolean; state: string });
    const readUntil = async (done: () => boolean) => {
      while (!done()) {
        const { value, done: ended } = await reader.read();
        if (ended) break;
        text += value;
      }
    };
    await readUntil(() => updates().length >= 1);
    expect(updates()[0]!.log).toEqual([]); // the page already has the lines up to `from`

    let from = script.notices.length;
    script.resolveAndBuild().step('distribute');
    script.hostDone('distribute', 'br-1');
    await publish(script, from);
    await readUntil(() => updates().some((u) => u.log.some((line) => line.includes('br-1: distribute done'))));
    expect(updates().at(-1)!.flow).toContain('data-host="br-1" data-host-step="distribute"');

    from = script.notices.length;
    script.hostDone('distribute', 'br-2').stepDone('distribute').runHosts().finished().state('success');
    await publish(script, from);
    await readUntil(() => false); // the server ends the stream after the finished update
    const last = updates().at(-1)!;
    expect(last.finished).toBe(true);
    expect(last.state).toBe('success');
    const lines = updates().flatMap((u) => u.log).filter((line) => /^\d{4}-/.test(line)); // notice lines (output lines may repeat)
    expect(lines.filter((line, i) => lines.indexOf(line) !== i)).toEqual([]); // no line sent twice
  });

  it('the list shows recent deploys with filters and the DORA figures per project × market', async () => {
    const hour = 3600_000;
    const finished = (id: string, state: string, hoursAgo: number, extra: Partial<DeployRecord> = {}): DeployRecord => ({
      ...new NoticeScript({ id }).record,
      state: state as DeployRecord['state'],
      createdAt: new Date(Date.now() - (hoursAgo + 1) * hour).toISOString(),
      finishedAt: new Date(Date.now() - hoursAgo * hour).toISOString(),
      ...extra,
    });
    for (const r of [
      finished('d-20261130-0001', 'success', 30, { commitAt: new Date(Date.now() - 32 * hour).toISOString() }),
      finished('d-20261130-0002', 'failed', 20),
      finished('d-20261130-0003', 'success', 18, { verb: 'rollback' }),
      finished('d-20261130-0004', 'success', 5, { market: 'chile' }),
    ]) records.set(r.id, r);
    const links = pageLinks(server.url, secret);
    const all = await (await fetch(links.index())).text();
    expect(all).toMatch(/data-dora="mala-core\/brazil">.*?<td>2 h 0 min median \(1\)<\/td><td data-failure-rate>50% \(1\/2\)<\/td><td>2 h 0 min median \(1\)<\/td>/);
    expect(all).toContain('data-dora="mala-core/chile"');
    expect(all).toContain('href="/deploys/d-20261130-0002?t=');
    const filtered = await (await fetch(links.index({ market: 'chile', outcome: 'success' }))).text();
    expect(filtered).toContain('data-deploy-row="d-20261130-0004"');
    expect(filtered).not.toContain('data-deploy-row="d-20261130-0001"');
    expect(filtered).not.toContain('data-dora="mala-core/brazil"');
  });
});
