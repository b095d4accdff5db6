// The approval card (docs/reference/approval-and-policy.md): what is being approved — the command, ref, commit, build
// checksum, target hosts, hook scripts, commits since production — who may approve and until
// when, with Approve / Reject buttons that run `approve <id>` / `reject <id>` as the presser.
// Once decided, expired or cancelled, the card shows the outcome and has no buttons. The same
// content laid out as a card (approval-card-layout.ts) is what Slack shows. Pure.
import type { Button, OutgoingMessage } from '../core/chat-types.ts';
import type { ApprovalView, DeployView } from './deploy-view.ts';
import { approvalCardLayout } from './approval-card-layout.ts';
import { type CardLinks, downgradeWarning } from './card-parts.ts';
import { fitMessage, formatUtc, MESSAGE_CHAR_LIMIT, oneLine, shortHash } from './message-text.ts';

export type ApprovalCardInput = Pick<DeployView, 'deployId' | 'header' | 'hosts'> & { approval: ApprovalView };

const TITLES: Record<ApprovalView['status'], string> = {
  pending: '🔐 approval needed',
  approved: '✅ approved',
  rejected: '❌ rejected',
  expired: '⛔ approval expired',
  cancelled: '⛔ cancelled',
  closed: '⛔ approval closed',
};

const DIFF_LINES = 15;
const HOOK_MAX = 200;

export function renderApprovalCard(input: ApprovalCardInput, maxChars = MESSAGE_CHAR_LIMIT, links: CardLinks = {}): OutgoingMessage {
  const { deployId, approval } = input;
  const what = describeDeploy(input);
  const text = oneLine(`${TITLES[approval.status]} · ${deployId} · ${what}`, 400);
  const lines = [...outcomeLines(approval), ...planLines(input)];
  const message: OutgoingMessage = { text, lines };
  if (approval.status === 'pending') message.buttons = approvalButtons(input, what);
  return { ...fitMessage(message, maxChars), card: approvalCardLayout(input, what, links) };
}

/** `deploy mala-core v1.3 → brazil (production)` */
export function describeDeploy(input: Pick<DeployView, 'header'>): string {
  const h = input.header;
  return [h.verb ?? 'deploy', h.project, h.version ?? h.ref, h.market ? `→ ${h.market}` : undefined, h.release ? `(${h.release})` : undefined]
    .filter((part): part is string => part !== undefined && part !== '')
    .join(' ');
}

function approvalButtons(input: ApprovalCardInput, what: string): Button[] {
  const { deployId, approval } = input;
  const hosts = approval.plan?.hosts ?? input.hosts;
  const commit = approval.plan?.commit ?? input.header.commit;
  const scope = `${what} on ${hosts.length} host(s)${commit ? `, commit ${shortHash(commit)}` : ''}`;
  return [
    { label: 'Approve', command: `approve ${deployId}`, style: 'primary', confirm: { title: `Approve ${deployId}?`, text: oneLine(`This runs ${scope}.`, 300) } },
    {
      label: 'Reject',
      command: `reject ${deployId}`,
      style: 'danger',
      confirm: { title: `Reject ${deployId}?`, text: oneLine(`${scope} will not run.`, 300) },
      prompt: { title: 'Reject the deploy', label: 'Reason', placeholder: 'what the requester should know', optional: true },
    },
  ];
}

function outcomeLines(approval: ApprovalView): string[] {
  const decision = approval.decision;
  switch (approval.status) {
    case 'pending': {
      const lines: string[] = [];
      if (approval.downgradeFrom) lines.push(downgradeWarning(approval.downgradeFrom, approval.plan?.commit));
      if (approval.nobodyCanApprove) {
        lines.push(oneLine(`⚠️ nobody can approve this: the approvers (${approval.approvers.join(', ')}) cannot reach ${approval.required} approval(s) without the requester. Cancel it, or have another approver request it.`, 500));
      }
      if (approval.required > 1 || approval.approvedBy.length > 0) {
        lines.push(`approved so far: ${approval.approvedBy.length > 0 ? approval.approvedBy.join(', ') : 'nobody'} (${approval.approvedBy.length}/${approval.required})`);
      }
      return lines;
    }
    case 'approved': {
      const by = approval.approvedBy.length > 0 ? approval.approvedBy.join(', ') : decision?.by ?? 'an approver';
      return [`approved by ${by}${decision ? ` at ${formatUtc(decision.at)}` : ''}`];
    }
    case 'rejected':
      return [oneLine(`rejected by ${decision?.by ?? 'an approver'}${decision ? ` at ${formatUtc(decision.at)}` : ''}${decision?.reason ? `: ${decision.reason}` : ''}`, 500)];
    case 'expired':
      return [`expired at ${formatUtc(approval.expiresAt ?? approval.closedAt ?? approval.requestedAt)} without a decision; the deploy did not run`];
    case 'cancelled':
      return [oneLine(`cancelled${approval.closedBy ? ` by ${approval.closedBy}` : ''}${approval.closedAt ? ` at ${formatUtc(approval.closedAt)}` : ''} before a decision${approval.closedReason ? `: ${approval.closedReason}` : ''}`, 500)];
    case 'closed':
      return [oneLine(`closed${approval.closedAt ? ` at ${formatUtc(approval.closedAt)}` : ''} before a decision${approval.closedReason ? `: ${approval.closedReason}` : ''}`, 500)];
  }
}

function planLines(input: ApprovalCardInput): string[] {
  const { header: h, approval } = input;
  const plan = approval.plan;
  const lines: string[] = [];
  if (h.command) lines.push(oneLine(`command: ${h.command}`, 400));
  if (h.requestedBy) lines.push(`requested by: ${h.requestedBy}`);
  if (h.scheduledAt) lines.push(`runs at: ${h.scheduledAt} (${formatUtc(h.scheduledAt)}); an approval given now holds until then`);
  const commit = plan?.commit ?? h.commit;
  if (h.ref || commit) lines.push(`ref: ${h.ref ?? '—'}${commit ? ` · commit ${shortHash(commit, 12)}` : ''}`);
  if (plan?.packageSha256) lines.push(`build: sha256 ${shortHash(plan.packageSha256, 12)}${plan.releaseId ? ` · release ${plan.releaseId}` : ''}`);
  if (plan?.build) lines.push(oneLine(`build command: ${plan.build.command ?? 'none (the tree itself)'}${plan.build.output ? ` → ${plan.build.output}` : ''}`, 400));
  if (plan?.path) lines.push(oneLine(`path: ${plan.path}${plan.releasesDir ? ` · releases in ${plan.releasesDir}` : ''}`, 400));
  const promoted = plan?.promoted;
  if (promoted) lines.push(oneLine(`promotes: ${promoted.release} ${promoted.versions.join(', ') || '—'} of ${promoted.deployId ?? 'no deploy'}${promoted.commit ? ` · commit ${shortHash(promoted.commit, 12)}` : ''}`, 400));
  const startsFrom = Object.entries(plan?.startsFrom ?? {});
  // what voids the approval when another deploy changes it first (docs/operations.md "What an approval covers")
  if (startsFrom.length > 0) lines.push(oneLine(`starts from: ${startsFrom.map(([release, id]) => `${release} ${id ?? 'none'}`).join(', ')}`, 400));
  if (plan?.rollbackTo) lines.push(`rollback to: ${plan.rollbackTo}`);
  if (plan?.versions && plan.versions.length > 0) lines.push(oneLine(`versions: ${plan.versions.join(', ')}`, 400));
  const hosts = plan?.hosts ?? input.hosts;
  lines.push(oneLine(`hosts (${hosts.length}): ${hosts.length > 0 ? hosts.join(', ') : 'none'}`, 600));
  // who can decide: the requester's person is never among them (approval-rule.ts)
  const deciders = approval.deciders?.map((p) => p.name) ?? approval.approvers;
  lines.push(oneLine(`approvers: ${deciders.length > 0 ? deciders.join(', ') : 'none besides the requester'} (${approval.required} needed)`, 400));
  if (approval.status === 'pending' && approval.expiresAt) lines.push(`expires: ${formatUtc(approval.expiresAt)}`);
  const hooks = Object.entries(plan?.hooks ?? {});
  lines.push(hooks.length === 0 ? 'hooks: none' : 'hooks:');
  for (const [name, script] of hooks) lines.push(`  ${name}: ${oneLine(script, HOOK_MAX)}`);
  const diff = approval.diffSummary;
  if (diff && diff.length > 0) {
    lines.push(`commits since production (${diff.length}):`);
    for (const line of diff.slice(0, DIFF_LINES)) lines.push(`  ${oneLine(line, 150)}`);
    if (diff.length > DIFF_LINES) lines.push(`  … ${diff.length - DIFF_LINES} more`);
  }
  return lines;
}
