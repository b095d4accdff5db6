// Where each market's release state lives (docs/reference/zookeeper-layout.md): ZooKeeper, or the embedded file store
// for a market without `zookeeper` in the config. Both apply the same pure transitions
// (src/domain/release-transitions.ts) and pass the same contract tests.
import { RefusedError } from '../core/errors.ts';
import type { RuleRefusal } from '../domain/release-rules.ts';
import type { MarketReleases, ReleaseRecord } from '../domain/release-state.ts';
import type { PromoteRequest, PromoteResult, RecordReleaseRequest, RemoveReleaseRequest } from '../domain/release-transitions.ts';

export type { MarketReleases, ReleaseRecord } from '../domain/release-state.ts';
export type { PromoteResult } from '../domain/release-transitions.ts';

/** `at` defaults to now. */
export type RecordReleaseInput = Omit<RecordReleaseRequest, 'at'> & { at?: string };
export type PromoteInput = Omit<PromoteRequest, 'at'> & { at?: string };
export type RemoveReleaseInput = RemoveReleaseRequest;

export interface StoreHealth {
  backend: 'zookeeper' | 'embedded';
  ok: boolean;
  /** What failed, when not ok. */
  error?: string;
}

export interface ReleaseStore {
  /** The whole release state of (project, market); empty releases when nothing was recorded yet. */
  read(project: string, market: string): Promise<MarketReleases>;
  /**
   * A deploy's record step: writes versions, servers, current and config.zoo children of
   * the release together (production also default_release). Idempotent for the same input.
   * Refused (RefusedError `gray_already_active`) for a gray while another deploy's gray is active.
   */
  recordRelease(input: RecordReleaseInput): Promise<ReleaseRecord>;
  /**
   * Gray/review promote: appends the release's versions to production's (found through
   * default_release) and removes the release, in one write. Refused (RefusedError
   * `promote_no_release`, `promote_no_production`, `release_changed`) otherwise.
   */
  promote(input: PromoteInput): Promise<PromoteResult>;
  /** Gray/review cancel: removes the release subtree in one write; `removed: false` when it was not there. */
  removeRelease(input: RemoveReleaseInput): Promise<{ removed: boolean }>;
  /** For /healthz: `zookeeper` ok/failing, or `embedded`. */
  checkHealth(): Promise<StoreHealth>;
  close(): Promise<void>;
}

/** A rule refusal as the error the jobs layer reports; `details.refusal` feeds refusalWarning(). */
export function refusedError(refusal: RuleRefusal): RefusedError {
  return new RefusedError(refusal.code, refusal.message, { refusal });
}

export function nowIso(): string {
  return new Date().toISOString();
}
