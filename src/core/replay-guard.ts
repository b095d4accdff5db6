// Remembers ids that were already handled (a signed upload's signature, a Slack trigger_id)
// for a while, shared by every process, so a replayed request is recognised wherever it lands.

export interface ReplayGuard {
  /**
   * True the first time `id` is claimed in `scope` within `ttlSeconds`, false for a repeat.
   * Rejects when the store does not answer (the caller refuses the request).
   */
  claim(scope: string, id: string, ttlSeconds: number): Promise<boolean>;
  /** Forgets a claim whose request could not be completed, so a retry is not a "duplicate". */
  release(scope: string, id: string): Promise<void>;
}
