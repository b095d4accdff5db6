// The approval part of a deploy's view (deploy-view.ts folds the notices): how a pending
// approval ends, how its people are shown, and what the approve step says.
import { approversBesides, type ApproverEntry, displayApprover, nobodyCanApprove } from '../domain/approval-rule.ts';
import type { DeployRecord, DeployState } from '../domain/deploy-record.ts';
import { displayUser, type People } from '../domain/people.ts';
import { isPlatform, parseUserId, type Platform, qualifyUserId } from '../domain/user-id.ts';
import type { DeployView, PersonRef, StepView } from './deploy-view-types.ts';

/** A pending approval ends with the deploy's state when no decision ended it first. */
export function closeApproval(view: DeployView, state: DeployState, record: DeployRecord, at: string, reason: string | undefined): void {
  const approval = view.approval;
  if (!approval) return;
  approval.approvedBy = record.approval?.approvedBy ?? approval.approvedBy;
  if (approval.status !== 'pending') return;
  const decision = record.approval?.decision;
  if (state === 'awaiting-approval' || state === 'preparing') return;
  if (decision) {
    approval.status = decision.decision;
    approval.decision = decision;
    return;
  }
  if (state === 'queued' || state === 'running') return;
  approval.status = state === 'expired' ? 'expired' : state === 'cancelled' ? 'cancelled' : state === 'rejected' ? 'rejected' : 'closed';
  approval.closedAt = at;
  if (state === 'cancelled' && record.cancelRequested) approval.closedBy = record.cancelRequested.by;
  if (reason !== undefined) approval.closedReason = reason;
}

/** Ids become names (where `people` knows them); a pending card learns whether anyone can approve it. */
export function showPeople(view: DeployView, record: DeployRecord | undefined, people: People): void {
  const approval = view.approval;
  if (approval && record?.approval && approval.status === 'pending') {
    const policy = { approvers: record.approval.approvers, people, required: record.approval.required };
    if (nobodyCanApprove(policy, record.requestedBy)) approval.nobodyCanApprove = true;
  }
  const platform = record && isPlatform(record.platform) ? record.platform : undefined;
  if (view.header.requestedBy !== undefined) {
    view.header.requester = personRef(people, view.header.requestedBy, platform);
    view.header.requestedBy = displayUser(people, view.header.requestedBy);
  }
  if (!approval) return;
  if (record?.approval) {
    const policy = { approvers: record.approval.approvers, people };
    approval.deciders = approversBesides(policy, record.requestedBy).map((entry) => entryRef(people, entry, platform));
  }
  approval.approvers = [...new Set(approval.approvers.map((entry) => displayApprover(people, entry)))];
  approval.approvedBy = approval.approvedBy.map((id) => displayUser(people, id));
  if (approval.decision) approval.decision = { ...approval.decision, by: displayUser(people, approval.decision.by) };
  if (approval.closedBy !== undefined) approval.closedBy = displayUser(people, approval.closedBy);
}

/** A user id as a card shows it: the person's name, and the id when it is of the deploy's platform. */
export function personRef(people: People, id: string, platform: Platform | undefined): PersonRef {
  const name = displayUser(people, id);
  return parseUserId(id)?.platform === platform && platform !== undefined ? { name, id } : { name };
}

/** An approver entry as a card shows it: a person with their id on the deploy's platform, a qualified id of it, or a bare id taken as one. */
function entryRef(people: People, entry: ApproverEntry, platform: Platform | undefined): PersonRef {
  const name = displayApprover(people, entry.entry);
  if (platform === undefined) return { name };
  if (entry.kind === 'person') {
    const native = people[entry.person]?.[platform];
    return native === undefined ? { name } : { name, id: qualifyUserId(platform, native) };
  }
  if (entry.kind === 'qualified') return parseUserId(entry.id)?.platform === platform ? { name, id: entry.id } : { name };
  return { name, id: qualifyUserId(platform, entry.id) };
}

/** The view's approve step: waiting (and for whom), decided, or closed without a decision. */
export function approveStep(view: DeployView): StepView {
  const approval = view.approval;
  const step: StepView = { name: 'approve', status: 'pending' };
  if (!approval) {
    const passed = view.state === 'queued' || view.state === 'running' || view.state === 'success' || view.state === 'partial' || view.result !== undefined;
    return passed ? { ...step, status: 'skipped', note: 'not required' } : step;
  }
  switch (approval.status) {
    case 'pending': {
      if (approval.nobodyCanApprove) return { ...step, status: 'running', note: `nobody can approve it: ${approval.approvers.join(', ')} cannot reach ${approval.required} approval(s) without the requester` };
      const deciders = approval.deciders?.map((p) => p.name) ?? approval.approvers;
      const who = deciders.length > 0 ? ` from ${deciders.join(', ')}` : '';
      const progress = approval.required > 1 ? ` (${approval.approvedBy.length}/${approval.required})` : '';
      return { ...step, status: 'running', note: `waiting for an approval${who}${progress}` };
    }
    case 'approved':
      return { ...step, status: 'done', note: `approved by ${approval.approvedBy.length > 0 ? approval.approvedBy.join(', ') : approval.decision?.by ?? 'an approver'}` };
    case 'rejected':
      return { ...step, status: 'stopped', note: `rejected by ${approval.decision?.by ?? 'an approver'}${approval.decision?.reason ? `: ${approval.decision.reason}` : ''}` };
    case 'expired':
      return { ...step, status: 'stopped', note: 'expired without a decision' };
    case 'cancelled':
      return { ...step, status: 'stopped', note: `cancelled${approval.closedBy ? ` by ${approval.closedBy}` : ''}` };
    case 'closed':
      return { ...step, status: 'stopped', note: approval.closedReason ?? 'closed' };
  }
}
