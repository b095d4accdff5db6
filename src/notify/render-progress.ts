// The one progress message of a deploy (docs/reference/messages.md), edited in place as it goes: a header, a
// line per step with its state and host counts, the elapsed time; on failure the failed
// hosts with the last lines of their output and the `retry` command; when a person or a rule
// stopped it, the reason. Pure; always within MESSAGE_CHAR_LIMIT (output tails are cut
// first, then failed hosts are summarised). As a card (what Slack shows): a header with the
// state, the deploy's fields, the same lines, and a context line of who and when.
import { type CauseGroup, causeWithoutHost, groupByCause } from '../domain/group-by-cause.ts';
import type { MessageCard, OutgoingMessage, RichLine } from '../core/chat-types.ts';
import { type CardLinks, commitSubject, deployFields, person } from './card-parts.ts';
import { formatDecimalSize } from '../domain/format-size.ts';
import type { DeployView, FailedHostView, StepStatus, StepView } from './deploy-view.ts';
import { fitMessage, formatElapsed, formatUtc, MESSAGE_CHAR_LIMIT, oneLine, shortHash } from './message-text.ts';

export const STEP_GLYPHS: Record<StepStatus, string> = {
  pending: '◻️',
  running: '⏳',
  done: '✅',
  failed: '❌',
  skipped: '⏭️',
  stopped: '⛔',
};

export interface RenderProgressOptions {
  /** @defaultValue MESSAGE_CHAR_LIMIT (3000) */
  maxChars?: number;
  /** Output lines shown per failed host, at most. @defaultValue 5 */
  tailLines?: number;
  links?: CardLinks;
}

const LINE_MAX = 200;
const REASON_MAX = 500;
const NOTES_SHOWN = 3;

export function renderProgress(view: DeployView, options: RenderProgressOptions = {}): OutgoingMessage {
  const maxChars = options.maxChars ?? MESSAGE_CHAR_LIMIT;
  const text = oneLine(progressHeader(view), LINE_MAX * 2);
  const lines = [...view.steps.map((step) => stepLine(step, view)), ...(view.rollout ? rolloutLines(view.rollout) : []), statusLine(view)];
  const reason = stopReason(view);
  if (reason) lines.push(reason);
  if (view.result?.cancelIgnored) lines.push('ℹ️ a cancel arrived after switching had begun: the switch was finished, not interrupted');
  for (const note of view.notes.slice(-NOTES_SHOWN)) lines.push(`ℹ️ ${oneLine(note, LINE_MAX)}`);

  const failedOrPartial = view.state === 'failed' || view.state === 'partial';
  if (failedOrPartial) {
    const retry = view.result ? [`to finish it: retry ${view.deployId}`] : [];
    const used = text.length + lines.reduce((sum, line) => sum + 1 + line.length, 0) + retry.reduce((sum, line) => sum + 1 + line.length, 0);
    lines.push(...fitFailedHosts(view.failedHosts, maxChars - used, options.tailLines ?? 5), ...retry);
  }
  const fitted = fitMessage({ text, lines }, maxChars - (view.detailsUrl ? view.detailsUrl.length + 10 : 0));
  const message = view.detailsUrl ? { ...fitted, links: [{ label: 'Details', url: view.detailsUrl }] } : fitted;
  // a paused rollout waits for a person: Resume or Roll back (the same as `resume` / `abort`)
  if (view.state === 'paused') {
    message.buttons = [
      { label: 'Resume', command: `resume ${view.deployId}`, style: 'primary', confirm: { title: `Resume ${view.deployId}?`, text: 'The next wave switches; unhealthy hosts so far are accepted.' } },
      { label: 'Roll back', command: `abort ${view.deployId}`, style: 'danger', confirm: { title: `Roll back ${view.deployId}?`, text: 'Every host this deploy switched goes back to its previous release.' } },
    ];
  }
  return { ...message, card: progressCard(view, message.lines ?? [], options.links ?? {}) };
}

const STATE_TITLES: Partial<Record<NonNullable<DeployView['state']>, string>> = {
  success: '✅',
  partial: '❌',
  failed: '❌',
  cancelled: '⛔',
  rejected: '⛔',
  expired: '⛔',
  refused: '⛔',
  'rolled-back': '↩️',
  paused: '⏸️',
};

function progressCard(view: DeployView, lines: readonly string[], links: CardLinks): MessageCard {
  const h = view.header;
  const what = [h.verb ?? 'deploy', h.project, h.version ?? h.ref, h.market ? `→ ${h.market}` : undefined].filter((part): part is string => part !== undefined && part !== '').join(' ');
  const glyph = (view.state && STATE_TITLES[view.state]) ?? '⏳';
  const context: RichLine[] = [];
  if (h.requester) context.push(['requested by ', person(h.requester)]);
  const approval = view.approval;
  if (approval?.status === 'approved') context.push([`approved by ${approval.approvedBy.length > 0 ? approval.approvedBy.join(', ') : approval.decision?.by ?? 'an approver'}`]);
  if (view.startedAt) context.push([`started ${formatUtc(view.startedAt)}`]);
  if (h.relatedDeployId) context.push([`of ${h.relatedDeployId}`]);
  context.push([view.deployId]);
  return {
    title: oneLine(`${glyph} ${what}`, 150),
    fields: deployFields(h, h.commit, commitSubject(h.commit, view.approval?.diffSummary), links),
    body: lines.map((line) => [line]),
    context: context.flatMap((part, i) => (i === 0 ? [...part] : [' · ', ...part])),
  };
}

/** `wave 2/3 · 4/16 ✓ · health 4/4 ✓ · bake 35 s left`, then each unhealthy host with its check and output. */
export function rolloutLines(r: NonNullable<DeployView['rollout']>): string[] {
  if (r.waves === 0) return [];
  const checked = r.healthy.length + r.unhealthy.length;
  let line = `🌊 wave ${r.wave}/${r.waves} · ${r.switched}/${r.total} ✓ · health ${r.healthy.length}/${Math.max(checked, r.switched)} ${r.unhealthy.length > 0 ? `✗ ${r.unhealthy.length}` : '✓'}`;
  if (r.bakeRemainingMs !== undefined && r.bakeRemainingMs > 0) line += ` · bake ${Math.ceil(r.bakeRemainingMs / 1000)} s left`;
  if (r.rolledBack.length > 0) line += ` · ↩️ ${r.rolledBack.length} switched back`;
  const unhealthy = r.unhealthy.map((u) => `✗ ${u.host} unhealthy: ${oneLine(`${u.check} — ${u.outputTail.slice(-3).join(' / ') || 'no output'}`, LINE_MAX)}`);
  return [line, ...unhealthy];
}

/** `d-20261121-0001 · deploy mala-core → brazil (production) v1.3 · abc1234 · by alice` */
export function progressHeader(view: DeployView): string {
  const h = view.header;
  const what = [h.verb ?? 'deploy', h.project, h.market ? `→ ${h.market}` : undefined, h.release ? `(${h.release})` : undefined, h.version ?? h.ref]
    .filter((part): part is string => part !== undefined && part !== '')
    .join(' ');
  const parts = [view.deployId, what];
  if (h.commit) parts.push(shortHash(h.commit));
  if (h.requestedBy) parts.push(`by ${h.requestedBy}`);
  return parts.join(' · ');
}

/** `⏳ distribute 7/10 ✓ 1 ✗ · 12.0 MB of 40.0 MB` */
export function stepLine(step: StepView, view: Pick<DeployView, 'bytes'>): string {
  let line = `${STEP_GLYPHS[step.status]} ${step.name}`;
  if (step.hosts) line += ` ${step.hosts.done}/${step.hosts.total} ✓${step.hosts.failed > 0 ? ` ${step.hosts.failed} ✗` : ''}`;
  const extras: string[] = [];
  if (step.name === 'distribute' && step.status === 'running' && view.bytes && view.bytes.total > 0) {
    extras.push(`${formatDecimalSize(view.bytes.sent)} of ${formatDecimalSize(view.bytes.total)}`);
  }
  if (step.status === 'done' && step.durationMs !== undefined && step.durationMs >= 1000) extras.push(formatElapsed(step.durationMs));
  const positive = step.status === 'done' || step.status === 'running';
  if (step.note && positive) extras.push(oneLine(step.note, LINE_MAX));
  line += extras.map((extra) => ` · ${extra}`).join('');
  if (step.note && !positive) line += ` — ${oneLine(step.note, LINE_MAX)}`;
  return line;
}

function statusLine(view: DeployView): string {
  const elapsed = formatElapsed(view.elapsedMs);
  const result = view.result;
  const hosts = result
    ? { switched: result.switchedHosts.length, succeeded: result.hosts.filter((h) => h.outcome === 'success').length, total: result.hosts.length, failed: result.failedHosts.length }
    : undefined;
  switch (view.state) {
    case undefined:
    case 'preparing':
      return `⏳ preparing · ${elapsed}${view.activity ? ` — ${view.activity}` : ''}`;
    case 'awaiting-approval':
      return `⏳ awaiting approval${view.approval?.expiresAt ? ` until ${formatUtc(view.approval.expiresAt)}` : ''} · ${elapsed}`;
    case 'queued':
      return `⏳ queued${view.queuedBehind ? ` behind ${view.queuedBehind}` : ''} · ${elapsed}`;
    case 'running':
      return `⏳ running · ${elapsed}${view.activity ? ` — ${view.activity}` : ''}`;
    case 'success':
      return `✅ success · ${elapsed}${hosts ? ` — ${hosts.switched}/${hosts.total} hosts switched` : ''}`;
    case 'partial':
      return `❌ partial · ${elapsed}${hosts ? ` — ${hosts.succeeded}/${hosts.total} hosts done, ${hosts.failed} failed` : ''}`;
    case 'failed': {
      const why = view.reason ?? view.error?.message;
      return `❌ failed · ${elapsed}${hosts && hosts.switched > 0 ? ` — ${hosts.switched}/${hosts.total} hosts switched` : ''}${why ? ` — ${oneLine(why, REASON_MAX)}` : ''}`;
    }
    case 'paused':
      return `⏸ paused · ${elapsed}${view.reason ? ` — ${oneLine(view.reason, REASON_MAX)}` : ''} (resume or abort)`;
    case 'rolled-back':
      return `↩️ rolled back · ${elapsed}${view.reason ? ` — ${oneLine(view.reason, REASON_MAX)}` : ''}`;
    case 'cancelled':
    case 'rejected':
    case 'expired':
    case 'refused':
      return `⛔ ${view.state} · ${elapsed}`;
  }
}

/** Why a person or a rule stopped the deploy. */
function stopReason(view: DeployView): string | undefined {
  const approval = view.approval;
  switch (view.state) {
    case 'refused':
      return `reason: ${oneLine(view.reason ?? 'refused by policy', REASON_MAX)}`;
    case 'rejected': {
      const decision = approval?.decision ?? view.record?.approval?.decision;
      const by = decision ? `rejected by ${decision.by} at ${formatUtc(decision.at)}` : 'rejected';
      const why = decision?.reason ?? view.reason;
      return `reason: ${oneLine(`${by}${why ? `: ${why}` : ''}`, REASON_MAX)}`;
    }
    case 'expired':
      return `reason: ${oneLine(view.reason ?? `nobody decided${approval?.expiresAt ? ` before ${formatUtc(approval.expiresAt)}` : ''}`, REASON_MAX)}`;
    case 'cancelled': {
      const by = view.record?.cancelRequested?.by;
      const why = view.reason ?? (by ? `cancelled by ${by}` : undefined);
      return why ? `reason: ${oneLine(why, REASON_MAX)}` : undefined;
    }
    default:
      return undefined;
  }
}

/**
 * The failed hosts in `room` characters: with up to `tailLines` lines of output each if
 * they all fit, else fewer lines, else names only, else as many as fit and a count.
 */
export function fitFailedHosts(hosts: readonly FailedHostView[], room: number, tailLines: number): string[] {
  if (hosts.length === 0) return [];
  const title = `failed hosts (${hosts.length}):`;
  const size = (lines: string[]) => lines.reduce((sum, line) => sum + 1 + line.length, 0);
  // hosts that failed the same way are one entry: count, cause, a few names (the rest are in the log and on the page)
  const groups = groupByCause(hosts, failureCause);
  const entryLines = (group: CauseGroup<FailedHostView>, n: number) => (group.members.length === 1 ? hostLines(group.members[0]!, n) : groupLines(group, n));
  for (const n of [...new Set([tailLines, 3, 1, 0])].filter((n) => n <= tailLines)) {
    const lines = [title, ...groups.flatMap((g) => entryLines(g, n))];
    if (size(lines) <= room) return lines;
  }
  const lines = [title];
  for (let i = 0; i < groups.length; i += 1) {
    const rest = groups.slice(i).flatMap((g) => g.members);
    const summary = oneLine(`… and ${rest.length} more: ${rest.map((h) => h.host).join(', ')}`, 300);
    const next = entryLines(groups[i]!, 0);
    if (size([...lines, ...next]) + (i < groups.length - 1 ? 1 + summary.length : 0) > room) {
      lines.push(summary);
      return size(lines) <= room ? lines : [oneLine(`failed hosts: ${hosts.map((h) => h.host).join(', ')}`, Math.max(20, room - 1))];
    }
    lines.push(...next);
  }
  return lines;
}

/** Where and why a host failed, without its own name: the key hosts are grouped by. */
function failureCause(host: FailedHostView): string {
  const message = host.error ? causeWithoutHost(host.error.message, host.host) : '';
  return `${host.step ?? ''}\u0000${message}`;
}

const NAMES_SHOWN = 3;

/** `• 412 hosts (beforeDeploy) h0001, h0002, h0003 and 409 more: exited 1`, then the first one's output tail; names first, so a long cause is what gets cut. */
function groupLines(group: CauseGroup<FailedHostView>, tailLines: number): string[] {
  const first = group.members[0]!;
  const where = first.step ? ` (${first.step})` : '';
  const message = first.error ? causeWithoutHost(first.error.message, first.host) : '';
  const names = group.members.slice(0, NAMES_SHOWN).map((h) => h.host).join(', ');
  const more = group.members.length > NAMES_SHOWN ? ` and ${group.members.length - NAMES_SHOWN} more` : '';
  const tail = tailLines > 0 ? first.outputTail.filter((line) => line.trim() !== '').slice(-tailLines) : [];
  return [oneLine(`• ${group.members.length} hosts${where} ${names}${more}${message ? `: ${message}` : ''}`, LINE_MAX + 40), ...tail.map((line) => `    ${first.host}: ${oneLine(line, LINE_MAX)}`)];
}

function hostLines(host: FailedHostView, tailLines: number): string[] {
  const where = host.step ? ` (${host.step})` : '';
  const message = host.error?.message.startsWith(`${host.host}: `) ? host.error.message.slice(host.host.length + 2) : host.error?.message;
  const what = message ? `: ${message}` : '';
  const tail = tailLines > 0 ? host.outputTail.filter((line) => line.trim() !== '').slice(-tailLines) : [];
  return [oneLine(`• ${host.host}${where}${what}`, LINE_MAX + 40), ...tail.map((line) => `    ${oneLine(line, LINE_MAX)}`)];
}
