// The approval card as a card (docs/slack.md "Messages"): a header saying what waits for
// whom, the deploy's fields, warnings (nobody can approve, a downgrade), who can decide —
// mentioned, the requester never among them — the plan it binds (hooks in code), and a
// context line: requested by, decided by, when. Pure.
import type { MessageCard, RichLine } from '../core/chat-types.ts';
import { type CardField, type CardLinks, commitSubject, deployFields, downgradeWarning, people, person } from './card-parts.ts';
import type { ApprovalView, DeployView } from './deploy-view-types.ts';
import { formatUtc, oneLine, shortHash } from './message-text.ts';

export type ApprovalLayoutInput = Pick<DeployView, 'deployId' | 'header' | 'hosts'> & { approval: ApprovalView };

const TITLES: Record<ApprovalView['status'], string> = {
  pending: '🔐 Approval needed',
  approved: '✅ Approved',
  rejected: '❌ Rejected',
  expired: '⛔ Approval expired',
  cancelled: '⛔ Cancelled',
  closed: '⛔ Approval closed',
};

const DIFF_LINES = 10;

export function approvalCardLayout(input: ApprovalLayoutInput, what: string, links: CardLinks = {}): MessageCard {
  const { approval, header } = input;
  const plan = approval.plan;
  const commit = plan?.commit ?? header.commit;
  const hosts = plan?.hosts ?? input.hosts;
  const fields: CardField[] = [
    ...deployFields(header, commit, commitSubject(commit, approval.diffSummary), links),
    { label: 'Hosts', value: [oneLine(`${hosts.length}${hosts.length > 0 ? ` (${hosts.join(', ')})` : ''}`, 300)] },
  ];
  if (approval.status === 'pending' && approval.expiresAt) fields.push({ label: 'Expires', value: [formatUtc(approval.expiresAt)] });

  const warnings: RichLine[] = [];
  if (approval.status === 'pending' && approval.downgradeFrom) warnings.push([downgradeWarning(approval.downgradeFrom, commit)]);
  if (approval.status === 'pending' && approval.nobodyCanApprove) {
    warnings.push([oneLine(`⚠️ Nobody can approve this: the approvers (${approval.approvers.join(', ')}) cannot reach ${approval.required} approval(s) without the requester. Cancel it, or have another approver request it.`, 500)]);
  }
  return {
    title: oneLine(`${TITLES[approval.status]}: ${what}`, 150),
    fields,
    ...(warnings.length > 0 ? { warnings } : {}),
    body: [...decisionLines(approval), ...planLines(input)],
    context: contextLine(input),
  };
}

function decisionLines(approval: ApprovalView): RichLine[] {
  const deciders = approval.deciders ?? approval.approvers.map((name) => ({ name }));
  const count = approval.required > 1 || approval.approvedBy.length > 0 ? ` (${approval.approvedBy.length}/${approval.required} approved)` : '';
  switch (approval.status) {
    case 'pending':
      if (deciders.length === 0) return [[`No approver besides the requester is configured${count}.`]];
      return [[approval.required > 1 ? `Waiting for ${approval.required} of ` : 'Waiting for ', ...people(deciders), `${count}.`]];
    case 'rejected': {
      const reason = approval.decision?.reason;
      return reason ? [[{ strong: 'Reason:' }, ` ${oneLine(reason, 500)}`]] : [];
    }
    case 'cancelled':
    case 'closed':
      return approval.closedReason ? [[{ strong: 'Why:' }, ` ${oneLine(approval.closedReason, 500)}`]] : [];
    case 'expired':
      return [['Nobody decided in time; the deploy did not run.']];
    case 'approved':
      return [];
  }
}

function planLines(input: ApprovalLayoutInput): RichLine[] {
  const { header: h, approval } = input;
  const plan = approval.plan;
  const lines: RichLine[] = [];
  if (h.command) lines.push([{ strong: 'Command:' }, ' ', { code: oneLine(h.command, 300) }]);
  if (plan?.packageSha256) lines.push([{ strong: 'Build:' }, ' sha256 ', { code: shortHash(plan.packageSha256, 12) }, ...(plan.releaseId ? [' · release ', { code: plan.releaseId }] : [])]);
  if (plan?.build) lines.push([{ strong: 'Build command:' }, ' ', { code: oneLine(plan.build.command ?? 'none (the tree itself)', 300) }, ...(plan.build.output ? [` → ${plan.build.output}`] : [])]);
  if (plan?.path) lines.push([{ strong: 'Path:' }, ' ', { code: plan.path }, ...(plan.releasesDir ? [' · releases in ', { code: plan.releasesDir }] : [])]);
  const promoted = plan?.promoted;
  if (promoted) lines.push([{ strong: 'Promotes:' }, oneLine(` ${promoted.release} ${promoted.versions.join(', ') || '—'} of ${promoted.deployId ?? 'no deploy'}${promoted.commit ? ` · commit ${shortHash(promoted.commit, 12)}` : ''}`, 400)]);
  const startsFrom = Object.entries(plan?.startsFrom ?? {});
  if (startsFrom.length > 0) lines.push([{ strong: 'Starts from:' }, oneLine(` ${startsFrom.map(([release, id]) => `${release} ${id ?? 'none'}`).join(', ')}`, 400)]);
  if (plan?.rollbackTo) lines.push([{ strong: 'Rollback to:' }, ' ', { code: plan.rollbackTo }]);
  if (plan?.versions && plan.versions.length > 0) lines.push([{ strong: 'Versions:' }, oneLine(` ${plan.versions.join(', ')}`, 400)]);
  const hooks = Object.entries(plan?.hooks ?? {});
  if (hooks.length === 0) lines.push([{ strong: 'Hooks:' }, ' none']);
  for (const [name, script] of hooks) lines.push([{ strong: 'Hook' }, ' ', { code: name }, ': ', { code: oneLine(script, 200) }]);
  const diff = approval.diffSummary;
  if (diff && diff.length > 0) {
    lines.push([{ strong: `Commits since production (${diff.length}):` }]);
    for (const line of diff.slice(0, DIFF_LINES)) lines.push(['• ', oneLine(line, 150)]);
    if (diff.length > DIFF_LINES) lines.push([`… ${diff.length - DIFF_LINES} more`]);
  }
  return lines;
}

/** `requested by @alice · approved by @bob at … · d-20261121-0001` */
function contextLine(input: ApprovalLayoutInput): RichLine {
  const { approval, header } = input;
  const parts: RichLine[] = [];
  if (header.requester) parts.push(['requested by ', person(header.requester), ` at ${formatUtc(approval.requestedAt)}`]);
  const decision = approval.decision;
  if (approval.status === 'approved') {
    const by = approval.approvedBy.length > 0 ? approval.approvedBy : [decision?.by ?? 'an approver'];
    parts.push([`approved by ${by.join(', ')}${decision ? ` at ${formatUtc(decision.at)}` : ''}`]);
  } else if (approval.status === 'rejected') {
    parts.push([`rejected by ${decision?.by ?? 'an approver'}${decision ? ` at ${formatUtc(decision.at)}` : ''}`]);
  } else if (approval.status !== 'pending') {
    parts.push([`${approval.status}${approval.closedBy ? ` by ${approval.closedBy}` : ''}${approval.closedAt ? ` at ${formatUtc(approval.closedAt)}` : ''}`]);
  }
  parts.push([input.deployId]);
  return parts.flatMap((part, i) => (i === 0 ? [...part] : [' · ', ...part]));
}
