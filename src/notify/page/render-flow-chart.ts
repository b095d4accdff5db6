// The deploy drawn as the seeds' flow chart (docs/deploy-page.md): the deploy's steps in a
// row, then per host its steps (upload → beforeDeploy → switch → afterDeploy), every node
// coloured by its state. Past GROUP_ABOVE hosts the hosts collapse into one row per state
// (with per-step counts), and only failed hosts keep rows of their own. In a progressive
// rollout the hosts are drawn wave by wave (each wave's row says its state), every host
// with a health node after its switch, and the collapse works within each wave. Plain SVG: fixed
// rows and columns need no layout engine. Pure.
import type { StepView } from '../deploy-view-types.ts';
import { formatDuration } from '../../domain/format-duration.ts';
import { type HostHealthState, type HostNodeState, type HostTimeline, PAGE_HOST_STEPS, PAGE_STEP_LABELS } from '../host-timeline.ts';
import { escapeHtml } from './page-html.ts';
import { type WaveGroup, waveLabel } from './rollout-waves.ts';

/** More hosts than this are drawn as groups by state. */
export const GROUP_ABOVE = 40;
/** Failed hosts drawn one by one in the grouped chart, at most. */
const FAILED_SHOWN = 20;

const NODE_W = 104;
const NODE_H = 28;
const GAP = 22;
const LABEL_W = 170;
const ROW_H = 38;

const HOST_STATES: readonly HostNodeState[] = ['failed', 'running', 'pending', 'done', 'skipped'];
const HEALTH_STATES: readonly HostHealthState[] = ['unhealthy', 'checking', 'pending', 'healthy', 'skipped'];

export function renderFlowChart(steps: readonly StepView[], hosts: readonly HostTimeline[], waves: readonly WaveGroup[] = []): string {
  const rows: string[] = [];
  let y = 8;
  rows.push(chain(steps.map((s) => ({ label: s.name, state: s.status, title: stepTitle(s), attrs: `data-step="${s.name}"` })), 8, y));
  y += ROW_H + 10;
  rows.push(`<text x="8" y="${y + 4}" class="muted">per host (${hosts.length})</text>`);
  y += 14;

  const grouped = hosts.length > GROUP_ABOVE;
  const health = waves.length > 0;
  const budget = { failed: FAILED_SHOWN, hidden: 0 };
  if (!health) {
    y = hostRows(rows, hosts, y, { grouped, health, budget });
  } else {
    const byHost = new Map(hosts.map((h) => [h.host, h]));
    for (const wave of waves) {
      const members = wave.hosts.map((h) => byHost.get(h)).filter((h): h is HostTimeline => h !== undefined);
      const what = `${waveLabel(wave)} · ${wave.state.replace('-', ' ')} (${members.length} host${members.length === 1 ? '' : 's'})`;
      rows.push(`<g class="wave w-${wave.state}" data-wave="${wave.wave}" data-waves="${wave.waves}" data-state="${wave.state}" data-count="${members.length}"><text x="8" y="${y + 18}" class="wave-label">${escapeHtml(what)}</text></g>`);
      y += ROW_H - 10;
      y = hostRows(rows, members, y, { grouped, health, budget, wave: wave.wave });
    }
  }
  if (budget.hidden > 0) {
    rows.push(`<text x="8" y="${y + 18}" class="muted">… ${budget.hidden} more failed hosts (see the log)</text>`);
    y += ROW_H;
  }
  const columns = PAGE_HOST_STEPS.length + (health ? 1 : 0);
  const width = Math.max(LABEL_W + columns * (NODE_W + GAP), 16 + steps.length * (NODE_W + GAP));
  return `<svg id="flow-chart" role="img" aria-label="deploy flow chart" viewBox="0 0 ${width} ${y + 8}" width="${width}" height="${y + 8}" data-hosts="${hosts.length}" data-grouped="${grouped}" data-waves="${waves.at(-1)?.waves ?? 0}">${rows.join('')}</svg>`;
}

interface RowOptions {
  grouped: boolean;
  /** Draw each host's health after its steps (a rollout). */
  health: boolean;
  /** Failed hosts still drawn one by one, shared by every wave. */
  budget: { failed: number; hidden: number };
  wave?: number;
}

/** One row per host, or past GROUP_ABOVE hosts one per group of hosts at the same point plus the failed (or unhealthy) ones. */
function hostRows(rows: string[], hosts: readonly HostTimeline[], y: number, options: RowOptions): number {
  if (!options.grouped) {
    for (const host of hosts) {
      rows.push(hostRow(host, y, options.health));
      y += ROW_H;
    }
    return y;
  }
  const groups = new Map<string, { label: string; state: HostNodeState; rank: number; members: HostTimeline[] }>();
  for (const host of hosts) {
    const g = groupOf(host, options.health);
    const group = groups.get(g.key) ?? { ...g, members: [] };
    group.members.push(host);
    groups.set(g.key, group);
  }
  for (const [key, group] of [...groups.entries()].sort((a, b) => a[1].rank - b[1].rank)) {
    rows.push(groupRow(key, group.label, group.state, group.members, y, options));
    y += ROW_H;
  }
  const failed = hosts.filter((h) => h.state === 'failed' || h.health === 'unhealthy');
  for (const host of failed) {
    if (options.budget.failed === 0) {
      options.budget.hidden += 1;
      continue;
    }
    options.budget.failed -= 1;
    rows.push(hostRow(host, y, options.health));
    y += ROW_H;
  }
  return y;
}

interface Node {
  label: string;
  state: string;
  title: string;
  attrs: string;
}

function chain(nodes: readonly Node[], x0: number, y: number): string {
  const parts: string[] = [];
  nodes.forEach((node, i) => {
    const x = x0 + i * (NODE_W + GAP);
    if (i > 0) parts.push(`<path class="edge" d="M${x - GAP} ${y + NODE_H / 2}h${GAP - 4}"/>`);
    parts.push(`<g class="node s-${node.state}" data-state="${node.state}" ${node.attrs}><title>${escapeHtml(node.title)}</title><rect x="${x}" y="${y}" width="${NODE_W}" height="${NODE_H}" rx="5"/><text x="${x + 7}" y="${y + 18}">${escapeHtml(clip(node.label, 15))}</text></g>`);
  });
  return parts.join('');
}

function hostRow(host: HostTimeline, y: number, health: boolean): string {
  const label = `<text x="8" y="${y + 18}" class="host s-${host.state}" data-host-label="${escapeHtml(host.host)}">${escapeHtml(clip(host.host, 24))}</text>`;
  const nodes: Node[] = PAGE_HOST_STEPS.map((step) => {
    const t = host.steps[step];
    const took = t.startedAt !== undefined && t.endedAt !== undefined ? ` in ${formatDuration(t.endedAt - t.startedAt)}` : '';
    return { label: `${PAGE_STEP_LABELS[step]}`, state: t.state, title: `${host.host} · ${PAGE_STEP_LABELS[step]}: ${t.state}${took}`, attrs: `data-host="${escapeHtml(host.host)}" data-host-step="${step}"` };
  });
  if (health) {
    const state = host.health ?? 'pending';
    const back = host.rolledBack ? ' · rolled back' : '';
    nodes.push({ label: `${state}${back ? ' ↩' : ''}`, state, title: `${host.host} · health: ${state}${back}`, attrs: `data-host="${escapeHtml(host.host)}" data-host-health="${state}"${host.rolledBack ? ' data-rolled-back="true"' : ''}` });
  }
  return `<g class="host-row" data-host-row="${escapeHtml(host.host)}" data-state="${host.state}"${host.wave ? ` data-wave="${host.wave}"` : ''}>${label}${chain(nodes, LABEL_W, y)}</g>`;
}

/**
 * Where a host is: done, failed, pending or skipped as a whole, else the last step it reached
 * and that step's state (`upload-done`: uploaded, waiting for the switch). In a rollout a done
 * host is grouped by its health too (`done-healthy`).
 */
function groupOf(host: HostTimeline, health: boolean): { key: string; label: string; state: HostNodeState; rank: number } {
  if (host.state === 'done' && health && host.health) {
    const how = `${host.health}${host.rolledBack ? ', rolled back' : ''}`;
    return { key: `done-${host.health}${host.rolledBack ? '-rolled-back' : ''}`, label: `done, ${how}`, state: 'done', rank: HOST_STATES.indexOf('done') * 10 + HEALTH_STATES.indexOf(host.health) };
  }
  if (host.state !== 'running') return { key: host.state, label: host.state, state: host.state, rank: HOST_STATES.indexOf(host.state) * 10 };
  const at = [...PAGE_HOST_STEPS].reverse().find((step) => host.steps[step].state !== 'pending' && host.steps[step].state !== 'skipped') ?? 'distribute';
  const state = host.steps[at].state;
  return { key: `${at}-${state}`, label: `${PAGE_STEP_LABELS[at]} ${state}`, state, rank: 10 + PAGE_HOST_STEPS.indexOf(at) * 2 + (state === 'running' ? 0 : 1) };
}

function groupRow(key: string, what: string, state: HostNodeState, members: readonly HostTimeline[], y: number, options: RowOptions): string {
  const label = `<text x="8" y="${y + 18}" class="host s-${state}">${members.length} host${members.length === 1 ? '' : 's'}: ${escapeHtml(what)}</text>`;
  const column = (name: string, stateOf: (m: HostTimeline) => string, attrs: string): Node => {
    const counts = new Map<string, number>();
    for (const m of members) counts.set(stateOf(m), (counts.get(stateOf(m)) ?? 0) + 1);
    const top = [...counts.entries()].sort((a, b) => b[1] - a[1])[0]![0];
    const summary = [...counts.entries()].map(([s, c]) => `${c} ${s}`).join(', ');
    return { label: name, state: top, title: `${name} of these ${members.length} hosts: ${summary}`, attrs };
  };
  const nodes = PAGE_HOST_STEPS.map((step) => column(PAGE_STEP_LABELS[step], (m) => m.steps[step].state, `data-group-step="${step}"`));
  if (options.health) nodes.push(column('health', (m) => m.health ?? 'pending', 'data-group-step="health"'));
  const wave = options.wave === undefined ? '' : ` data-wave="${options.wave}"`;
  return `<g class="host-group" data-group="${key}" data-count="${members.length}" data-state="${state}"${wave}>${label}${chain(nodes, LABEL_W, y)}</g>`;
}

function stepTitle(step: StepView): string {
  const parts = [`${step.name}: ${step.status}`];
  if (step.hosts) parts.push(`${step.hosts.done}/${step.hosts.total} hosts done${step.hosts.failed ? `, ${step.hosts.failed} failed` : ''}`);
  if (step.durationMs !== undefined) parts.push(formatDuration(step.durationMs));
  if (step.note) parts.push(step.note);
  return parts.join(' · ');
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
