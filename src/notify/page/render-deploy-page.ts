// The deploy page (docs/deploy-page.md): a header (command, project, market, release,
// version, commit, requester, approver and when, state, duration), the flow chart, per-host
// timing bars and the log. Rendered whole on the server, readable without JavaScript; the
// parts that change are rendered by `deployPageParts` too, which the live updates carry.
// Pure: notices in, HTML out.
import type { DeployNotice } from '../../deploy/deploy-notice.ts';
import type { People } from '../../domain/people.ts';
import { reduceNotices } from '../deploy-view.ts';
import type { DeployView } from '../deploy-view-types.ts';
import { hostTimelines } from '../host-timeline.ts';
import { formatElapsed, formatUtc } from '../message-text.ts';
import { progressHeader } from '../render-progress.ts';
import { deployLogLines } from '../render-deploy-log.ts';
import { escapeHtml, pageDocument } from './page-html.ts';
import { renderFlowChart } from './render-flow-chart.ts';
import { rolloutWaves } from './rollout-waves.ts';
import { renderTimingBars } from './render-timing-bars.ts';

/** What changes while a deploy runs: each part replaces the element of the same id. */
export interface DeployPageParts {
  state: string;
  finished: boolean;
  /** How many notices these parts were rendered from (the log's next line comes after). */
  noticeCount: number;
  header: string;
  flow: string;
  bars: string;
}

export function deployPageParts(notices: readonly DeployNotice[], people: People = {}, nowMs = Date.now()): DeployPageParts & { view: DeployView } {
  const view = reduceNotices(notices, people);
  const hosts = hostTimelines(notices, view.hosts, { finished: view.finished, ...(view.record?.plan ? { hooks: view.record.plan.hooks } : {}) });
  const now = view.finished && view.updatedAt ? Date.parse(view.updatedAt) : nowMs;
  return {
    view,
    state: view.state ?? 'unknown',
    finished: view.finished,
    noticeCount: notices.length,
    header: renderHeader(view, now),
    flow: renderFlowChart(view.steps, hosts, rolloutWaves(notices, view.hosts)),
    bars: renderTimingBars(hosts, now),
  };
}

export interface DeployPageOptions {
  people?: People;
  /** The SSE URL (token included); without it the page does not update itself. */
  eventsUrl?: string;
  /** A link back to the list of deploys. */
  indexUrl?: string;
  nowMs?: number;
}

export function renderDeployPage(notices: readonly DeployNotice[], options: DeployPageOptions = {}): string {
  const parts = deployPageParts(notices, options.people, options.nowMs);
  const log = deployLogLines(notices).map(escapeHtml).join('\n');
  const live = options.eventsUrl && !parts.finished ? ` data-events="${escapeHtml(options.eventsUrl)}"` : '';
  const back = options.indexUrl ? `<p><a href="${escapeHtml(options.indexUrl)}">all deploys</a></p>` : '';
  const body = `<header id="header">${parts.header}</header>
<main id="deploy" data-deploy="${escapeHtml(parts.view.deployId)}" data-state="${escapeHtml(parts.state)}" data-notices="${parts.noticeCount}"${live}>
<section><h2>Flow</h2><div id="flow">${parts.flow}</div></section>
<section><h2>Hosts over time</h2><div id="bars">${parts.bars}</div></section>
<section><h2>Log</h2><pre id="log">${log}${log ? '\n' : ''}</pre></section>
${back}</main>`;
  return pageDocument(`${parts.view.deployId} · deploybot`, body, { script: live !== '' });
}

function renderHeader(view: DeployView, nowMs: number): string {
  const h = view.header;
  const rows: Array<[string, string | undefined]> = [
    ['command', h.command],
    ['project', h.project],
    ['market', h.market ? `${h.market}${h.location && h.location !== h.market ? ` (${h.location})` : ''}` : undefined],
    ['release', h.release],
    ['version', h.version ?? h.ref],
    ['commit', h.commit ? `${h.commit}${view.record?.commitSubject ? ` — ${view.record.commitSubject}` : ''}` : undefined],
    ['requested by', h.requestedBy],
    ['approval', approvalLine(view)],
    ['started', view.startedAt ? formatUtc(view.startedAt) : undefined],
    ['duration', durationOf(view, nowMs)],
  ];
  const state = view.state ?? 'unknown';
  const list = rows
    .filter((row): row is [string, string] => row[1] !== undefined && row[1] !== '')
    .map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd>`)
    .join('');
  const reason = view.reason ? `<p>${escapeHtml(view.reason)}</p>` : '';
  return `<h1>${escapeHtml(progressHeader(view))}</h1><p>state <span class="state s-${escapeHtml(state)}" id="deploy-state">${escapeHtml(state)}</span></p>${reason}<dl>${list}</dl>`;
}

function approvalLine(view: DeployView): string | undefined {
  const a = view.approval;
  if (!a) return undefined;
  if (a.decision) return `${a.decision.decision} by ${a.decision.by} at ${formatUtc(a.decision.at)}`;
  if (a.status === 'pending') return `waiting for ${a.approvers.join(', ') || 'an approver'}`;
  return `${a.status}${a.closedBy ? ` by ${a.closedBy}` : ''}${a.closedAt ? ` at ${formatUtc(a.closedAt)}` : ''}`;
}

function durationOf(view: DeployView, nowMs: number): string | undefined {
  if (!view.startedAt) return undefined;
  if (view.finished) return formatElapsed(view.elapsedMs);
  return `${formatElapsed(Math.max(0, nowMs - Date.parse(view.startedAt)))} so far`;
}
