// Per host, a bar per step from when it started to when it ended (or now, while it runs),
// on one time axis from the first host step (docs/deploy-page.md). At most BARS_SHOWN hosts:
// failed first, then running, then the slowest. Plain SVG, sizes as attributes. Pure.
import { formatDuration } from '../../domain/format-duration.ts';
import { type HostTimeline, PAGE_HOST_STEPS, PAGE_STEP_LABELS } from '../host-timeline.ts';
import { escapeHtml } from './page-html.ts';

const BARS_SHOWN = 40;
const LABEL_W = 170;
const PLOT_W = 640;
const ROW_H = 18;

export function renderTimingBars(hosts: readonly HostTimeline[], nowMs: number): string {
  const starts = hosts.flatMap((h) => PAGE_HOST_STEPS.map((s) => h.steps[s].startedAt)).filter((t): t is number => t !== undefined);
  if (starts.length === 0) return '<p class="muted" id="timing-bars">no host step has started yet</p>';
  const t0 = Math.min(...starts);
  const end = (h: HostTimeline) => Math.max(...PAGE_HOST_STEPS.map((s) => h.steps[s].endedAt ?? (h.steps[s].state === 'running' ? nowMs : 0)));
  const t1 = Math.max(t0 + 1, ...hosts.map(end));
  const span = t1 - t0;
  const rank = { failed: 0, running: 1, done: 2, pending: 3, skipped: 4 } as const;
  const shown = [...hosts]
    .filter((h) => PAGE_HOST_STEPS.some((s) => h.steps[s].startedAt !== undefined))
    .sort((a, b) => rank[a.state] - rank[b.state] || end(b) - end(a) || (a.host < b.host ? -1 : 1))
    .slice(0, BARS_SHOWN);
  const x = (t: number) => LABEL_W + ((t - t0) / span) * PLOT_W;
  const rows = shown.map((h, i) => {
    const y = 34 + i * ROW_H;
    const bars = PAGE_HOST_STEPS.map((step) => {
      const t = h.steps[step];
      if (t.startedAt === undefined) return '';
      const stop = t.endedAt ?? nowMs;
      const width = Math.max(1.5, x(stop) - x(t.startedAt));
      const title = `${h.host} · ${PAGE_STEP_LABELS[step]}: ${t.state}, ${formatDuration(stop - t.startedAt)}`;
      return `<rect class="bar b-${step} s-${t.state}" x="${x(t.startedAt).toFixed(1)}" y="${y - 11}" width="${width.toFixed(1)}" height="12"><title>${escapeHtml(title)}</title></rect>`;
    }).join('');
    return `<g data-bar-host="${escapeHtml(h.host)}"><text x="8" y="${y}">${escapeHtml(h.host.length > 24 ? `${h.host.slice(0, 23)}…` : h.host)}</text>${bars}</g>`;
  });
  const height = 42 + shown.length * ROW_H;
  const legend = PAGE_HOST_STEPS.map((step, i) => `<rect class="bar b-${step}" x="${LABEL_W + i * 110}" y="4" width="10" height="10"/><text x="${LABEL_W + i * 110 + 14}" y="13">${PAGE_STEP_LABELS[step]}</text>`).join('');
  const axis = `<line class="axis" x1="${LABEL_W}" y1="${height - 6}" x2="${LABEL_W + PLOT_W}" y2="${height - 6}"/><text x="${LABEL_W + PLOT_W - 60}" y="${height - 9}" class="muted">${escapeHtml(formatDuration(span))}</text>`;
  const more = hosts.length > shown.length ? `<p class="muted">${hosts.length - shown.length} more hosts not drawn</p>` : '';
  return `<svg id="timing-bars" role="img" aria-label="per-host timing" viewBox="0 0 ${LABEL_W + PLOT_W + 10} ${height}" width="${LABEL_W + PLOT_W + 10}" height="${height}">${legend}${rows.join('')}${axis}</svg>${more}`;
}
