// The human lock a deploy meets (docs/operations.md "Human locks"): most verbs are stopped by it;
// recovery verbs (declared `passesLocks`: rollback, gray cancel, review cancel) pass it and
// say so. The one place accept, prepare and run ask.
import type { DeployVerb } from '../domain/deploy-record.ts';
import { displayUser } from '../domain/people.ts';
import { formatUtc } from '../notify/message-text.ts';
import type { HumanLock } from '../store/human-locks.ts';
import type { JobRuntime } from './job-runtime.ts';

export type LockMet = { kind: 'none' } | { kind: 'blocks'; lock: HumanLock } | { kind: 'passes'; lock: HumanLock; note: string };

export async function lockInTheWay(rt: JobRuntime, verb: DeployVerb, project: string, market: string): Promise<LockMet> {
  const lock = await rt.humanLocks.get(project, market);
  if (!lock) return { kind: 'none' };
  if (rt.commands.find(verb).passesLocks !== true) return { kind: 'blocks', lock };
  return { kind: 'passes', lock, note: `🔒 ${project} ${market} is ${describeLock(rt, lock)} — ${verb} is a recovery command and passes the lock` };
}

/** `locked by carol since 2026-11-21 12:03 UTC until 14:03 UTC: store review` */
export function describeLock(rt: Pick<JobRuntime, 'config'>, lock: HumanLock): string {
  return `locked by ${displayUser(rt.config.people, lock.by)} since ${formatUtc(lock.at)}${lock.until ? ` until ${formatUtc(lock.until)}` : ''}: ${lock.reason}`;
}
