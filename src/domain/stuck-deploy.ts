// What becomes of a deploy that no worker has (docs/operations.md "Stuck deploys"): an
// unfinished deploy with neither a live job nor a live lease for the grace period is resumed
// — its phase enqueued again; the engine resumes from its checkpoint — or, where resuming
// cannot be right, ended `failed` with the reason. Pure: the reconciler supplies the facts.
import type { DeployState } from './deploy-record.ts';

/** The states a worker must be carrying a deploy through (awaiting-approval expires on its own). */
export const CARRIED_STATES: ReadonlySet<DeployState> = new Set(['preparing', 'queued', 'running']);

export interface StuckFacts {
  state: DeployState;
  /** The deploy's job is waiting, delayed or active. */
  jobAlive: boolean;
  /** An execution of this deploy holds its lease (prepare lease while preparing, else the location's). */
  leaseHeld: boolean;
  /** Since when (ms) it was first seen without both; undefined: not seen so before. */
  unattendedSince: number | undefined;
  now: number;
  graceMs: number;
  /** How often the reconciler resumed it already. */
  resumes: number;
  maxResumes: number;
  /** Its project, market and location are still in the config. */
  configured: boolean;
}

export type StuckAction =
  | { kind: 'none' }
  /** Not attended now: remember since when (the first sighting). */
  | { kind: 'watch' }
  /** Attended again: forget the sighting. */
  | { kind: 'clear' }
  | { kind: 'resume'; phase: 'prepare' | 'run' }
  | { kind: 'fail'; reason: string };

export function stuckDeployAction(facts: StuckFacts): StuckAction {
  if (!CARRIED_STATES.has(facts.state)) return facts.unattendedSince === undefined ? { kind: 'none' } : { kind: 'clear' };
  if (facts.jobAlive || facts.leaseHeld) return facts.unattendedSince === undefined ? { kind: 'none' } : { kind: 'clear' };
  if (facts.unattendedSince === undefined) return { kind: 'watch' };
  if (facts.now - facts.unattendedSince < facts.graceMs) return { kind: 'none' };
  const seconds = Math.round(facts.graceMs / 1000);
  if (!facts.configured) return { kind: 'fail', reason: `no worker had it for ${seconds} s, and its project, market or location is no longer configured; nothing more was changed` };
  if (facts.resumes >= facts.maxResumes) return { kind: 'fail', reason: `no worker had it for ${seconds} s after ${facts.resumes} resumes; it is ended so its location is free — \`status\` shows what the hosts serve, \`retry\` finishes it` };
  return { kind: 'resume', phase: facts.state === 'preparing' ? 'prepare' : 'run' };
}
