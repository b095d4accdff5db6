// GET /deploys (docs/deploy-page.md, "The list"): the DORA figures per project × market over
// the last 30 days, then the recent deploys — filtered by project, market and outcome —
// each linking to its page. Pure.
import type { DeployRecord } from '../../domain/deploy-record.ts';
import { doraByLocation, type DoraFigures } from '../../domain/dora-figures.ts';
import { formatDuration } from '../../domain/format-duration.ts';
import { describeFigures } from '../describe-dora-figures.ts';
import { displayUser, type People } from '../../domain/people.ts';
import { formatUtc } from '../message-text.ts';
import { escapeHtml, pageDocument } from './page-html.ts';

export const DORA_DAYS = 30;
const LISTED = 200;

export interface DeployListOptions {
  filters: { project: string; market: string; outcome: string };
  /** The list's own token (kept by the filter form). */
  token: string;
  nowMs: number;
  pageUrl(record: DeployRecord): string;
  people?: People;
}

export function renderDeployList(deploys: readonly DeployRecord[], options: DeployListOptions): string {
  const { filters } = options;
  const shown = deploys
    .filter((d) => (!filters.project || d.project === filters.project) && (!filters.market || d.market === filters.market) && (!filters.outcome || d.state === filters.outcome))
    .sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : 0));
  const figures = doraByLocation(deploys, options.nowMs, DORA_DAYS).filter((f) => (!filters.project || f.project === filters.project) && (!filters.market || f.market === filters.market));
  const body = `<header><h1>deploybot · deploys</h1><p class="muted">DORA figures over the last ${DORA_DAYS} days, production only</p></header>
<main id="deploys">
<section><h2>How releases are going</h2>${renderFigures(figures)}</section>
<section><h2>Recent deploys</h2>${filterForm(deploys, options)}${renderRows(shown.slice(0, LISTED), options)}${shown.length > LISTED ? `<p class="muted">${shown.length - LISTED} older not shown</p>` : ''}</section>
</main>`;
  return pageDocument('deploys · deploybot', body);
}

function renderFigures(figures: readonly DoraFigures[]): string {
  if (figures.length === 0) return '<p class="muted">no production deploys yet</p>';
  const rows = figures.map((f) => {
    const d = describeFigures(f);
    return `<tr data-dora="${escapeHtml(`${f.project}/${f.market}`)}"><td>${escapeHtml(f.project)}</td><td>${escapeHtml(f.market)}</td><td>${escapeHtml(d.frequency)}</td><td>${escapeHtml(d.leadTime)}</td><td data-failure-rate>${escapeHtml(d.failureRate)}</td><td>${escapeHtml(d.recovery)}</td></tr>`;
  });
  return `<table><thead><tr><th>project</th><th>market</th><th>deployment frequency</th><th>lead time for changes</th><th>change failure rate</th><th>failed deployment recovery</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function filterForm(deploys: readonly DeployRecord[], options: DeployListOptions): string {
  const select = (name: 'project' | 'market' | 'outcome', values: readonly string[]) => {
    const opts = ['', ...new Set(values)].sort().map((v) => `<option value="${escapeHtml(v)}"${v === options.filters[name] ? ' selected' : ''}>${escapeHtml(v || `any ${name}`)}</option>`);
    return `<select name="${name}">${opts.join('')}</select>`;
  };
  return `<form method="get" action="/deploys"><input type="hidden" name="t" value="${escapeHtml(options.token)}">${select('project', deploys.map((d) => d.project))} ${select('market', deploys.map((d) => d.market))} ${select('outcome', deploys.map((d) => d.state))} <button type="submit">filter</button></form>`;
}

function renderRows(deploys: readonly DeployRecord[], options: DeployListOptions): string {
  if (deploys.length === 0) return '<p class="muted">no deploys match</p>';
  const rows = deploys.map((d) => {
    const took = d.durationMs !== undefined ? formatDuration(d.durationMs) : '';
    return `<tr data-deploy-row="${escapeHtml(d.id)}"><td><a href="${escapeHtml(options.pageUrl(d))}">${escapeHtml(d.id)}</a></td><td>${escapeHtml(formatUtc(d.createdAt))}</td><td>${escapeHtml(d.command)}</td><td>${escapeHtml(d.release)}</td><td><span class="state s-${escapeHtml(d.state)}">${escapeHtml(d.state)}</span></td><td>${escapeHtml(displayUser(options.people ?? {}, d.requestedBy))}</td><td>${escapeHtml(took)}</td></tr>`;
  });
  return `<table><thead><tr><th>deploy</th><th>created</th><th>command</th><th>release</th><th>outcome</th><th>by</th><th>took</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}
