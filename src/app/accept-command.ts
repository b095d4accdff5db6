// The first answer to a side-effecting command (docs/reference/command-grammar.md): policy that can be checked at
// once (human lock, release rules, what a retry or rollback refers to) refuses without
// queueing anything; otherwise a deploy record is created, its id answered, and its first
// job queued. All of it under a deadline (accept-deadline.ts): when Redis does not answer
// within 5 s the user is told so, and the command never runs later.
import type { TrackedJob } from '../core/chat-types.ts';
import type { CommandContext } from '../core/command-router.ts';
import type { CommandOf } from '../core/command-types.ts';
import { type ErrorCode, RefusedError } from '../core/errors.ts';
import type { DeployRecord, DeployVerb } from '../domain/deploy-record.ts';
import { deployTarget, type DeployTarget, type TargetCommand } from '../domain/deploy-target.ts';
import { isWarnedRefusal, refusalWarning } from '../domain/gray-warnings.ts';
import { refAllowed } from '../domain/ref-allowed.ts';
import { displayUser } from '../domain/people.ts';
import { channelFor } from '../notify/channel-for.ts';
import { type AcceptDeadline, stateStoreUnreachable, withAcceptDeadline } from './accept-deadline.ts';
import type { JobRuntime } from './job-runtime.ts';
import { platformsOf } from './command-platforms.ts';
import { marketLocations } from './market-locations.ts';
import { needsApproval } from './needs-approval.ts';
import { renderWarningText } from './render-answers.ts';
import { deployAhead } from './deploy-ahead.ts';
import { lockInTheWay } from './lock-in-the-way.ts';
import { pendingPromoteRefusal, voidPendingPromotes } from './pending-promotes.ts';
import { refuseUnknownRef } from './refuse-unknown-ref.ts';
import { retryChanges, retryLineage, whyNotRetry } from './retry-plan.ts';
import { rollbackTarget } from './rollback-target.ts';
import { GRAY_RELEASE, reviewReleaseName } from '../domain/release-names.ts';
import { scheduledTime } from '../domain/scheduled-time.ts';
import { formatInZone, isoInZone } from '../domain/zoned-time.ts';
import { marketCalendar, timeRefusal } from './time-rules.ts';

export type AcceptedCommand = CommandOf<Exclude<DeployVerb, 'retry'>> | CommandOf<'retry'>;

export async function acceptCommand(rt: JobRuntime, command: AcceptedCommand, ctx: CommandContext, track: (deployId: string) => TrackedJob): Promise<DeployRecord | undefined> {
  // before the accept deadline: asking git may take longer than Redis is given. A ref the
  // market's allowedRefs refuses is refused by that rule below (audited), and git is not asked:
  // the nearest-refs hint would list the repository's refs to someone the policy turns away
  if (command.verb !== 'retry' && refPassesPolicy(rt, command)) await refuseUnknownRef(rt, command);
  const deps = { redis: rt.acceptRedis, pending: rt.pendingAccepts, logger: rt.logger, timeoutMs: rt.acceptTimeoutMs };
  return withAcceptDeadline(deps, (deadline) => acceptBefore(deadline, rt, command, deadline.guard(ctx), track));
}

function refPassesPolicy(rt: JobRuntime, command: AcceptedCommand): boolean {
  if (!('ref' in command) || command.ref === undefined || !('market' in command)) return true;
  return refAllowed(command.ref, rt.config.markets[command.market]?.allowedRefs);
}

async function acceptBefore(deadline: AcceptDeadline, rt: JobRuntime, command: AcceptedCommand, ctx: CommandContext, track: (deployId: string) => TrackedJob): Promise<DeployRecord | undefined> {
  const scope = command.verb === 'retry' ? await retryScope(rt, command.deployId) : { project: command.project, market: command.market };
  const met = await lockInTheWay(rt, command.verb, scope.project, scope.market);
  if (met.kind === 'blocks') {
    const lock = met.lock;
    await audit(rt, ctx, 'refused', scope, `locked by ${lock.by}: ${lock.reason}`);
    throw new RefusedError('locked', `${scope.project} ${scope.market} is locked by ${displayUser(rt.config.people, lock.by)} since ${lock.at}: ${lock.reason}. Nothing was queued; \`unlock ${scope.project} ${scope.market}\` lifts it.`);
  }

  if ('ref' in command && command.ref !== undefined) {
    // ref policy (docs/configuration.md, allowedRefs): checked before anything is recorded
    const allowed = rt.config.markets[scope.market]?.allowedRefs;
    if (!refAllowed(command.ref, allowed)) {
      const message = `ref "${command.ref}" is not allowed in ${scope.market}; allowedRefs: ${allowed!.join(', ')}`;
      await audit(rt, ctx, 'refused', scope, message);
      throw new RefusedError('ref_not_allowed', `Refused: ${message}. Nothing was queued.`);
    }
  }

  // the market's clocks: `--at`, freezes, windows (docs/scheduling.md), before anything is recorded
  const when = await acceptTime(rt, command, ctx, scope);

  let target: DeployTarget;
  let related: DeployRecord | undefined;
  let rollbackTo: string | undefined;
  if (command.verb === 'retry') {
    related = await rt.records.require(command.deployId);
    if (related.state !== 'partial' && related.state !== 'failed') {
      throw new RefusedError('retry_not_possible', `${related.id} ended ${related.state}; only a failed or partial deploy can be retried.`);
    }
    if (related.verb === 'sync') throw new RefusedError('retry_not_possible', `${related.id} is a sync; run \`sync ${related.project} ${related.market}\` again: it finds the hosts that are still off their recorded release.`);
    if (!related.startedAt) throw new RefusedError('retry_not_possible', `${related.id} failed before it ran (${related.reason ?? 'no reason recorded'}); there is nothing to finish, request it again.`);
    // a retry finishes the retried deploy's plan: only its people, only over the state it left
    const lineage = await retryLineage(rt, related);
    const notYours = whyNotRetry(rt.config, lineage, ctx.user.id);
    if (notYours) throw await refused(rt, ctx, scope, 'retry_not_allowed', notYours);
    const changes = retryChanges(rt, lineage, await rt.releases.read(scope.project, scope.market));
    if (changes.length > 0) throw await refused(rt, ctx, scope, 'retry_location_changed', `Refused: ${related.id} cannot be retried: ${changes.join('; ')}. Nothing was queued; request a new deploy instead.`);
    target = { location: related.location, release: related.release, hosts: related.failedHosts?.length ? related.failedHosts : related.hosts, ...(related.version ? { version: related.version } : {}), sparedGrayHosts: [] };
  } else {
    const starts = command.verb === 'gray start' ? GRAY_RELEASE : command.verb === 'review start' ? reviewReleaseName(command.channel) : undefined;
    const pending = starts && (await pendingPromoteRefusal(rt, command.project, command.market, starts, command.verb));
    if (pending) throw await refused(rt, ctx, scope, 'promote_pending', pending);
    const state = await rt.releases.read(command.project, command.market);
    const outcome = deployTarget(command as TargetCommand, marketLocations(rt.config, command.market), state);
    if (!outcome.ok) {
      await audit(rt, ctx, 'refused', scope, outcome.refusal.message);
      // a release-rule refusal is also a gray-test warning, posted where the project/market
      // posts (docs/reference/messages.md); "nothing to promote/cancel" is the user's answer alone
      if (isWarnedRefusal(outcome.refusal)) {
        const warning = { text: renderWarningText(refusalWarning(outcome.refusal)) };
        const messenger = rt.messengers[ctx.platform];
        deadline.check();
        if (messenger) await messenger.post(channelFor(rt.config, command.project, command.market, ctx.channel, ctx.platform), warning);
        else await ctx.reply(warning);
      }
      throw new RefusedError(outcome.refusal.code, `Refused: ${outcome.refusal.message}. Nothing was queued.`);
    }
    target = outcome.value;
    if (command.verb === 'rollback' && command.deployId) {
      related = await rt.records.require(command.deployId);
      if (related.project !== command.project || related.market !== command.market || related.release !== 'production' || !related.releaseId) {
        throw new RefusedError('rollback_target_invalid', `${related.id} is not a production release of ${command.project} ${command.market}; name a deploy from \`history ${command.project} ${command.market}\`.`);
      }
    }
    if (command.verb === 'rollback') {
      // the approval covers the release rolled back to, so it is chosen now
      rollbackTo = await rollbackTarget(rt, command.project, command.market, related);
      if (!rollbackTo) throw await refused(rt, ctx, scope, 'rollback_no_target', `Refused: ${command.project} ${command.market} has no earlier production release deploybot knows of to roll back to; name one with \`rollback ${command.project} ${command.market} <deploy-id>\` from \`history ${command.project} ${command.market}\`. Nothing was queued.`);
    }
  }

  const verb = command.verb;
  deadline.check();
  const record = await rt.records.create({
    verb,
    command: ctx.commandText,
    project: scope.project,
    market: scope.market,
    location: target.location,
    release: target.release,
    ...('ref' in command ? { ref: command.ref } : {}),
    ...(when.scheduledAt ? { scheduledAt: when.scheduledAt } : {}),
    ...(target.version ? { version: target.version } : {}),
    hosts: target.hosts,
    ...((command.verb === 'deploy' || command.verb === 'sync') && command.hosts ? { requestedHosts: command.hosts } : {}),
    ...platformsOf(rt.config, command, target.location),
    requestedBy: ctx.user.id,
    platform: ctx.platform,
    channel: ctx.channel,
    state: rt.commands.find(verb).prepares ? 'preparing' : 'queued',
    ...(related ? { relatedDeployId: related.id } : {}),
    ...(rollbackTo ? { rollbackTo } : {}),
    ...(command.verb === 'retry' && related?.plan ? { plan: related.plan } : {}),
  }, { redis: rt.acceptRedis, deadlineMs: deadline.redisDeadlineMs });
  const behind = await deployAhead(rt, record);
  deadline.check();
  // the job may reach Redis late; it waits for the commit and does nothing without one (deploy-worker.ts)
  await rt.enqueue(rt.commands.find(verb).prepares ? 'prepare' : 'run', record.id, 0, rt.acceptQueue);
  deadline.check();
  const committed = await rt.pendingAccepts.commit(rt.acceptRedis, record.id, { type: 'job.accepted', record, deployId: record.id, at: rt.now().toISOString() });
  if (!committed) throw stateStoreUnreachable(rt.acceptTimeoutMs);
  deadline.markCommitted();
  await audit(rt, ctx, 'requested', scope, ctx.commandText, record.id);
  // the progress message says when it will run (docs/scheduling.md)
  if (when.scheduledAt) await rt.notify(record.id, { type: 'job.note', text: `⏰ scheduled for ${when.label}` });
  // a cancel voids the promotes pending on its release, once it is itself accepted
  const voided = command.verb === 'gray cancel' || command.verb === 'review cancel'
    ? await voidPendingPromotes(rt, record.project, record.market, record.release, record.id, ctx.user.id)
    : [];
  ctx.track(track(record.id));

  if (met.kind === 'passes') await rt.notify(record.id, { type: 'job.note', text: met.note });
  const parts = [`${record.id} accepted: ${describe(record)}`];
  if (met.kind === 'passes') parts.push(met.note);
  if (when.scheduledAt) parts.push(`scheduled for ${when.label}; \`cancel ${record.id}\` before then stops it`);
  if (target.sparedGrayHosts.length > 0) parts.push(`gray hosts ${target.sparedGrayHosts.join(', ')} keep the active gray release`);
  if (needsApproval(rt.config, record.market, rt.commands.find(verb))) parts.push('it will ask for approval once its plan is ready');
  if (voided.length > 0) parts.push(`it voids the pending ${voided.join(', ')}`);
  if (behind) parts.push(`queued behind ${behind}`);
  await ctx.replyPrivately(parts.join('; '));
  return record;
}

/** `--at` read in the market's zone, and the freeze or window that refuses the time (now, or the scheduled time). */
async function acceptTime(rt: JobRuntime, command: AcceptedCommand, ctx: CommandContext, scope: { project: string; market: string }): Promise<{ scheduledAt?: string; label?: string }> {
  const declaration = rt.commands.find(command.verb);
  const nowMs = rt.now().getTime();
  let atMs = nowMs;
  let scheduled: { scheduledAt?: string; label?: string } = {};
  if ('at' in command && command.at !== undefined) {
    const calendar = await marketCalendar(rt, scope.market, declaration);
    const time = scheduledTime(command.at, nowMs, calendar);
    if (!time.ok) throw await refused(rt, ctx, scope, 'bad_schedule', `Refused: ${time.error}. Nothing was queued.`);
    atMs = time.atMs;
    const zone = calendar.timezone;
    scheduled = { scheduledAt: isoInZone(atMs, zone), label: `${formatInZone(atMs, zone)}${zone === 'UTC' ? '' : ` = ${formatInZone(atMs, 'UTC')}`}` };
  }
  const refusal = await timeRefusal(rt, scope.market, declaration, atMs, ctx.commandText);
  if (refusal) {
    const at = atMs === nowMs ? '' : ` at ${scheduled.label}`;
    throw await refused(rt, ctx, scope, refusal.code, `Refused${at}: ${refusal.message}. Nothing was queued.`);
  }
  return scheduled;
}

async function retryScope(rt: JobRuntime, deployId: string): Promise<{ project: string; market: string }> {
  const record = await rt.records.require(deployId);
  return { project: record.project, market: record.market };
}

export function describe(record: DeployRecord): string {
  const what = record.verb === 'retry' ? `retry of ${record.relatedDeployId}` : record.verb;
  const version = record.version ? ` ${record.version}` : '';
  return `${what} ${record.project}${version} → ${record.market} (${record.release}; ${record.hosts.length ? record.hosts.join(', ') : 'no hosts'})`;
}

/** Audits a refusal and returns the error to throw. */
async function refused(rt: JobRuntime, ctx: CommandContext, scope: { project: string; market: string }, code: ErrorCode, message: string): Promise<RefusedError> {
  await audit(rt, ctx, 'refused', scope, message);
  return new RefusedError(code, message);
}

async function audit(rt: JobRuntime, ctx: CommandContext, action: string, scope: { project: string; market: string }, detail: string, deployId?: string): Promise<void> {
  await rt.audit.append({ at: rt.now().toISOString(), user: ctx.user.id, action, project: scope.project, market: scope.market, detail, ...(deployId ? { deployId } : {}) });
}
