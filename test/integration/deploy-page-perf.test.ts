// The deploy page stays fast at 500 hosts (docs/deploy-page.md): measured in a real browser
// (Debian's chromium via playwright-core). A deploy halfway through distributing to 500 hosts
// renders, grouped by state, in under a second; then every host's remaining steps are
// published (2,000+ notices) while the page is open, and the browser never stalls for long
// while it applies them, ending with all 500 hosts done.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pageLinks } from '../../src/core/page-link.ts';
import { renderDeployPage } from '../../src/notify/page/render-deploy-page.ts';
import { NoticeScript } from '../fixtures/notices.ts';
import { PAGE_SECRET, type PageServer, startPageServer } from '../fixtures/page-server.ts';

const OUTPUT = join(process.cwd(), 'test-output', 'deploy-page');
const HOSTS = Array.from({ length: 500 }, (_, i) => `host-${String(i + 1).padStart(3, '0')}`);
let pages: PageServer;
let browser: Browser;

beforeAll(async () => {
  mkdirSync(OUTPUT, { recursive: true });
  pages = await startPageServer();
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await pages?.stop();
});

describe('the deploy page at 500 hosts', () => {
  it('when 500 hosts are halfway through, then the page renders in under a second, grouped by state, and takes the rest live without stalling', async () => {
    const script = new NoticeScript({ id: 'd-20261201-0500', hosts: HOSTS, market: 'brazil' }).accepted().state('running').started().resolveAndBuild().step('distribute');
    for (const host of HOSTS.slice(0, 250)) script.tick(10).hostDone('distribute', host);
    for (const host of HOSTS.slice(250)) script.tick(10).hostStarted('distribute', host);
    await pages.publish(script, 0);

    const serverStarted = performance.now();
    renderDeployPage(script.notices);
    const serverRenderMs = performance.now() - serverStarted;
    expect(serverRenderMs).toBeLessThan(500);

    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    await page.goto(pageLinks(pages.server.url, PAGE_SECRET).deploy(script.deployId));
    const timing = await page.evaluate(() => {
      const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming;
      return { domContentLoaded: nav.domContentLoadedEventEnd - nav.startTime, load: nav.loadEventEnd - nav.startTime, bytes: nav.transferSize };
    });
    expect(timing.load).toBeLessThan(1000);
    expect(await page.locator('#flow-chart').getAttribute('data-grouped')).toBe('true');
    expect(await page.locator('[data-group="distribute-done"]').getAttribute('data-count')).toBe('250');
    expect(await page.locator('[data-group="distribute-running"]').getAttribute('data-count')).toBe('250');
    await page.locator('#deploy[data-live="open"]').waitFor({ timeout: 20_000 });

    // the longest gap between animation frames while updates are applied
    await page.evaluate(() => {
      const w = window as unknown as { longestFrameGap: number };
      w.longestFrameGap = 0;
      let last = performance.now();
      const frame = (now: number) => {
        w.longestFrameGap = Math.max(w.longestFrameGap, now - last);
        last = now;
        requestAnimationFrame(frame);
      };
      requestAnimationFrame(frame);
    });
    const from = script.notices.length;
    for (const host of HOSTS.slice(250)) script.tick(10).hostDone('distribute', host, { started: true });
    script.stepDone('distribute').step('switch');
    for (const host of HOSTS) script.tick(5).hostDone('link', host).hostDone('afterDeploy', host, { outputTail: ['reloaded'] });
    script.stepDone('switch').step('record').stepDone('record').finished().state('success');
    await pages.publish(script, from);

    await page.locator('#deploy[data-live="ended"]').waitFor({ timeout: 60_000 });
    expect(await page.locator('#deploy').getAttribute('data-state')).toBe('success');
    expect(await page.locator('[data-group="done"]').getAttribute('data-count')).toBe('500');
    expect(await page.locator('[data-group]').count()).toBe(1);
    const longestFrameGap = await page.evaluate(() => (window as unknown as { longestFrameGap: number }).longestFrameGap);
    expect(longestFrameGap).toBeLessThan(1000);
    await page.screenshot({ path: join(OUTPUT, 'five-hundred-hosts.png'), fullPage: true });
    console.info(`500 hosts: server render ${serverRenderMs.toFixed(0)} ms; browser load ${timing.load.toFixed(0)} ms (DOMContentLoaded ${timing.domContentLoaded.toFixed(0)} ms, ${timing.bytes} bytes); longest frame gap during ${script.notices.length - from} live notices ${longestFrameGap.toFixed(0)} ms`);
    await page.close();
  }, 120_000);
});
