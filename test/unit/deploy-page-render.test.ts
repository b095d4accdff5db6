// The deploy page's pure parts: per-host timelines folded from notices, the flow chart (one
// row per host, or groups past 40 hosts), and the Details link every progress message carries
// on each platform.
import { describe, expect, it } from 'vitest';
import { renderConsoleMessage } from '../../src/adapters/console/render-console-message.ts';
import { renderCardParams, renderRobotMarkdown } from '../../src/adapters/dingtalk/render-dingtalk-message.ts';
import { LINK_ACTION_PREFIX, renderSlackMessage } from '../../src/adapters/slack/render-slack-message.ts';
import { reduceNotices } from '../../src/notify/deploy-view.ts';
import { hostTimelines } from '../../src/notify/host-timeline.ts';
import { GROUP_ABOVE } from '../../src/notify/page/render-flow-chart.ts';
import { renderDeployPage } from '../../src/notify/page/render-deploy-page.ts';
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
