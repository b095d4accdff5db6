// The deploy page's pure parts: per-host timelines folded from notices, the flow chart (one
// row per host, or groups past 40 hosts), and the Details link every progress message carries
// on each platform; in a progressive rollout, the hosts drawn wave by wave with their health.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { DeployNotice } from '../../src/deploy/deploy-notice.ts';
import type { DeployEventBody } from '../../src/deploy/deploy-events.ts';
import { renderConsoleMessage } from '../../src/adapters/console/render-console-message.ts';
import { renderCardParams, renderRobotMarkdown } from '../../src/adapters/dingtalk/render-dingtalk-message.ts';
import { LINK_ACTION_PREFIX, renderSlackMessage } from '../../src/adapters/slack/render-slack-message.ts';
import { reduceNotices } from '../../src/notify/deploy-view.ts';
import { hostTimelines } from '../../src/notify/host-timeline.ts';
import { GROUP_ABOVE } from '../../src/notify/page/render-flow-chart.ts';
import { renderDeployPage } from '../../src/notify/page/render-deploy-page.ts';
import { rolloutWaves } from '../../src/notify/page/rollout-waves.ts';
import { MESSAGE_CHAR_LIMIT, messageLength } from '../../src/notify/message-text.ts';
import { renderProgress } from '../../src/notify/render-progress.ts';
import { approvedSuccessfulDeploy, NoticeScript } from '../fixtures/notices.ts';

const URL = 'https://deploybot.example/deploys/d-20261121-0001?t=1795860000.0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef';

describe('hostTimelines', () => {
  it('when hosts are part way, then each step has its state and times, and the host its overall state', () => {
    const script = new NoticeScript({ hosts: ['br-1', 'br-2', 'br-3'] }).accepted().state('running').started().step('distribute');
    script.hostDone('distribute', 'br-1', { durationMs: 2000 }).hostStarted('distribute', 'br-2');
    script.hostFailed('distribute', 'br-3', 'disk full');
    const hosts = hostTimelines(script.notices, ['br-1', 'br-2', 'br-3'], { finished: false, hooks: { afterDeploy: 'echo' } });
    const [one, two, three] = hosts;
    expect(one!.steps.distribute.state).toBe('done');
    expect(one!.steps.distribute.endedAt! - one!.steps.distribute.startedAt!).toBe(1000); // started and finished notices are a tick apart
    expect(one!.steps.beforeDeploy.state).toBe('skipped'); // the plan has no beforeDeploy hook
    expect(one!.state).toBe('running');
    expect(two!.steps.distribute.state).toBe('running');
    expect(two!.steps.distribute.endedAt).toBeUndefined();
    expect(three!.state).toBe('failed');
  });

  it('when the deploy finished, then steps that never ran are skipped and one still running failed', () => {
    const script = new NoticeScript({ hosts: ['br-1', 'br-2'] }).accepted().state('running').started().step('distribute');
    script.hostDone('distribute', 'br-1').hostStarted('distribute', 'br-2');
    const [one, two] = hostTimelines(script.notices, ['br-1', 'br-2'], { finished: true });
    expect(one!.steps.link.state).toBe('skipped');
    expect(one!.state).toBe('skipped');
    expect(two!.steps.distribute.state).toBe('failed');
    expect(two!.state).toBe('failed');
  });

  it('when every host switched and ran afterDeploy, then each is done', () => {
    const hosts = hostTimelines(approvedSuccessfulDeploy().notices, ['br-1', 'br-2', 'br-3'], { finished: true });
    expect(hosts.map((h) => h.state)).toEqual(['done', 'done', 'done']);
  });
});

describe('renderDeployPage', () => {
  it('when there are few hosts, then each host has its own row of nodes; past GROUP_ABOVE they collapse into groups by where they are', () => {
    const few = renderDeployPage(approvedSuccessfulDeploy().notices);
    expect(few).toContain('data-host-row="br-2" data-state="done"');
    expect(few).toContain('data-grouped="false"');

    const hosts = Array.from({ length: GROUP_ABOVE + 10 }, (_, i) => `h-${i}`);
    const script = new NoticeScript({ hosts }).accepted().state('running').started().step('distribute');
    hosts.slice(0, 20).forEach((h) => script.hostDone('distribute', h));
    hosts.slice(20, 23).forEach((h) => script.hostFailed('distribute', h, 'no space left'));
    hosts.slice(23).forEach((h) => script.hostStarted('distribute', h));
    const many = renderDeployPage(script.notices);
    expect(many).toContain('data-grouped="true"');
    expect(many).toMatch(/data-group="distribute-done" data-count="20"/);
    expect(many).toMatch(/data-group="distribute-running" data-count="27"/);
    expect(many).toMatch(/data-group="failed" data-count="3"/);
    // failed hosts keep rows of their own; the others do not
    expect(many).toContain('data-host-row="h-20"');
    expect(many).not.toContain('data-host-row="h-0"');
  });

  it('escapes what deploys carry (commands, output) so the page shows it as text', () => {
    const script = new NoticeScript({ command: 'deploy <script>alert(1)</script>', hosts: ['br-1'] }).accepted().state('running').started().step('distribute');
    script.hostFailed('distribute', 'br-1', 'boom', ['<img src=x onerror=alert(1)>']);
    const html = renderDeployPage(script.notices);
    expect(html).not.toContain('<script>alert');
    expect(html).not.toContain('<img src=x');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
  });
});

/** Appends an engine event a second after the script's last notice (the rollout's events have no script verbs). */
function emit(script: NoticeScript, body: DeployEventBody): NoticeScript {
  const at = new Date(Date.parse(script.notices.at(-1)!.at) + 1000).toISOString();
  script.notices.push({ ...body, deployId: script.deployId, at } as DeployNotice);
  return script.tick();
}

/** Uploads every host, then starts each wave: switches its hosts and tells their health (`unhealthy` fail their check). */
function rollout(hosts: readonly string[], waves: readonly (readonly string[])[], unhealthy: readonly string[] = [], finishedWaves = waves.length): NoticeScript {
  const script = new NoticeScript({ hosts: [...hosts] }).accepted().state('running').started().resolveAndBuild().step('distribute');
  for (const host of hosts) script.hostDone('distribute', host);
  script.stepDone('distribute').step('switch');
  const total = waves.length + 1; // one wave left to come
  waves.forEach((wave, i) => {
    emit(script, { type: 'wave.started', wave: i + 1, waves: total, hosts: [...wave] });
    for (const host of wave) script.hostDone('link', host).hostDone('afterDeploy', host);
    for (const host of wave) {
      if (unhealthy.includes(host)) emit(script, { type: 'health.failed', wave: i + 1, host, check: 'http http://{address}:8080/healthz', outputTail: ['HTTP 503'] });
      else emit(script, { type: 'health.passed', wave: i + 1, host });
    }
    if (i < finishedWaves) emit(script, { type: 'wave.finished', wave: i + 1, waves: total, unhealthy: wave.filter((h) => unhealthy.includes(h)) });
  });
  return script;
}

describe('renderDeployPage in a progressive rollout', () => {
  const hosts = ['br-1', 'br-2', 'br-3', 'br-4', 'br-5'];

  it('when wave 1 of 3 passed and a host of wave 2 is unhealthy, then hosts are drawn by wave with its state, and each host its health after its switch', () => {
    const html = renderDeployPage(rollout(hosts, [['br-1'], ['br-2', 'br-3']], ['br-3'], 1).notices);
    expect(html).toContain('data-waves="3"');
    expect(html).toMatch(/data-wave="1" data-waves="3" data-state="healthy" data-count="1"><text[^>]*>wave 1 of 3 · healthy \(1 host\)/);
    expect(html).toMatch(/data-wave="2" data-waves="3" data-state="unhealthy" data-count="2"><text[^>]*>wave 2 of 3 · unhealthy \(2 hosts\)/);
    expect(html).toMatch(/data-wave="3" data-waves="3" data-state="pending" data-count="2"><text[^>]*>wave 3 of 3 · pending \(2 hosts\)/);
    expect(html).toMatch(/data-host-row="br-1" data-state="done" data-wave="1">/);
    expect(html).toMatch(/data-host-row="br-3" data-state="done" data-wave="2">/);
    expect(html).toContain('data-host="br-1" data-host-health="healthy"');
    expect(html).toContain('data-host="br-3" data-host-health="unhealthy"');
    expect(html).toContain('data-host="br-4" data-host-health="pending"');
    // the rows follow their wave: wave 1's header, br-1, wave 2's header, br-2, br-3, wave 3's header, br-4, br-5
    const order = [...html.matchAll(/data-wave="(\d)" data-waves|data-host-row="([^"]+)"/g)].map((m) => m[1] ? `wave ${m[1]}` : m[2]);
    expect(order).toEqual(['wave 1', 'br-1', 'wave 2', 'br-2', 'br-3', 'wave 3', 'br-4', 'br-5']);
  });

  it('when the unhealthy host fails the rollout, then every switched wave shows rolled back, the unhealthy host stays unhealthy, and the wave not started is skipped health', () => {
    const script = rollout(hosts, [['br-1'], ['br-2', 'br-3']], ['br-3'], 1);
    emit(script, { type: 'rollout.failed', wave: 2, unhealthy: [{ host: 'br-3', check: 'http http://{address}:8080/healthz', outputTail: ['HTTP 503'] }], action: 'rollback', reason: '1 unhealthy host, more than maxUnhealthy 0' });
    for (const host of ['br-1', 'br-2', 'br-3']) emit(script, { type: 'host.rolled-back', host, ok: true, releaseId: 'v1.2' });
    script.stepDone('switch').state('rolled-back');
    const html = renderDeployPage(script.notices);
    expect(html).toMatch(/data-wave="1" data-waves="3" data-state="rolled-back"[^>]*><text[^>]*>wave 1 of 3 · rolled back/);
    expect(html).toMatch(/data-wave="2" data-waves="3" data-state="rolled-back"[^>]*><text[^>]*>wave 2 of 3 · rolled back/);
    expect(html).toMatch(/data-wave="3" data-waves="3" data-state="pending"/);
    expect(html).toContain('data-host="br-3" data-host-health="unhealthy" data-rolled-back="true"');
    expect(html).toContain('data-host="br-1" data-host-health="healthy" data-rolled-back="true"');
    expect(html).toContain('data-host="br-5" data-host-health="skipped"');
    expect(html).toContain('br-3 · health: unhealthy · rolled back');
  });

  it('when a rollout has more than GROUP_ABOVE hosts, then each wave collapses into groups by state, and the unhealthy host keeps a row of its own', () => {
    const many = Array.from({ length: GROUP_ABOVE + 20 }, (_, i) => `h-${i}`);
    const html = renderDeployPage(rollout(many, [many.slice(0, 10), many.slice(10, 30)], ['h-12']).notices);
    expect(html).toContain('data-grouped="true"');
    expect(html).toMatch(/data-group="done-healthy" data-count="10" data-state="done" data-wave="1"/);
    expect(html).toMatch(/data-group="done-healthy" data-count="19" data-state="done" data-wave="2"/);
    expect(html).toMatch(/data-group="done-unhealthy" data-count="1" data-state="done" data-wave="2"/);
    expect(html).toMatch(/data-group="distribute-done" data-count="30" data-state="done" data-wave="3"/); // uploaded, waiting for their wave
    expect(html).toMatch(/data-wave="2" data-waves="3" data-state="unhealthy" data-count="20"/);
    expect(html).toContain('data-host-row="h-12"');
    expect(html).not.toContain('data-host-row="h-11"');
  });

  it('rolloutWaves puts every host in exactly one group, the started waves in order and the rest pending', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 5 }), fc.nat(5), (sizes, extra) => {
        const all = Array.from({ length: sizes.reduce((a, b) => a + b, 0) + extra }, (_, i) => `h-${i}`);
        let next = 0;
        const waves = sizes.map((n) => all.slice(next, (next += n)));
        const groups = rolloutWaves(rollout(all, waves).notices, all);
        expect(groups.flatMap((g) => g.hosts).sort()).toEqual([...all].sort());
        expect(groups.slice(0, waves.length).map((g) => g.hosts)).toEqual(waves);
        expect(groups.slice(0, waves.length).every((g) => g.state === 'healthy')).toBe(true);
        expect(groups.slice(waves.length).every((g) => g.state === 'pending')).toBe(true);
      }),
      { numRuns: 50 },
    );
  });
});

describe('the Details link', () => {
  const view = { ...reduceNotices(approvedSuccessfulDeploy().notices), detailsUrl: URL };

  it('when pages are on, then the progress message carries one Details link and stays within the message limit', () => {
    const message = renderProgress(view);
    expect(message.links).toEqual([{ label: 'Details', url: URL }]);
    expect(messageLength(message) + URL.length).toBeLessThanOrEqual(MESSAGE_CHAR_LIMIT);
    expect(renderProgress(reduceNotices(approvedSuccessfulDeploy().notices)).links).toBeUndefined();
  });

  it('Slack shows it as a link button, DingTalk as a markdown link, the console as the URL on its own line', () => {
    const message = renderProgress(view);
    const slack = renderSlackMessage(message, 'n');
    const buttons = slack.blocks.flatMap((b) => (b.type === 'actions' ? b.elements : [])) as Array<{ action_id: string; url?: string; text: { text: string } }>;
    expect(buttons).toContainEqual(expect.objectContaining({ action_id: `${LINK_ACTION_PREFIX}0`, url: URL, text: expect.objectContaining({ text: 'Details' }) }));
    const markdown = renderRobotMarkdown(message);
    expect(markdown.msgtype === 'markdown' && markdown.markdown.text).toContain(`[Details](${URL})`);
    expect(renderCardParams(message).markdown).toContain(`[Details](${URL})`);
    expect(renderConsoleMessage(message).split('\n')).toContain(`Details: ${URL}`);
  });
});
