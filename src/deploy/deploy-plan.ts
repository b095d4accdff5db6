// What the engine is asked to do. Built by the command/jobs layer; everything that must not
// change when a job is resumed is fixed here (the release time, hence the release id).
import type { DeployResult } from './deploy-result.ts';

export type DeployKind = 'deploy' | 'rollback' | 'retry';

export interface DeployPlan {
  /** `d-20261121-0042`. Also names the hooks' DEPLOY_ID. */
  deployId: string;
  kind: DeployKind;
  project: string;
  market: string;
  /** Location name within the market (its `admin`, when set, relays packages). */
  location: string;
  /** `production`, `gray` or `review-<channel>`: the release layer and indicator of this deploy. */
  release: string;
  /** The ref as typed: tag, branch or commit. */
  ref: string;
  /** The version recorded for the release (normally the ref as typed). */
  version: string;
  /** Target hosts by config name. */
  hosts: string[];
  requestedBy: string;
  /** When the deploy was accepted (ISO 8601). The release id's timestamp comes from here, so a resumed deploy computes the same id. */
  createdAt: string;
  /** A commit already resolved (e.g. the one an approval covered): deployed instead of resolving `ref` again. */
  commit?: string;
  /** A release id fixed by the caller; otherwise `<version>-<createdAt as yyyymmddHHMMSS>-<sha7>`. */
  releaseId?: string;
  /** When set, a package with another checksum stops the deploy before anything is uploaded (the approval covered this one). */
  expectedPackageSha256?: string;
  /** rollback: the release id to switch to; when absent, the newest release older than the current one on the hosts. */
  rollbackTo?: string;
  /** retry: the result of the deploy being retried (its release id, commit and host outcomes). */
  previous?: DeployResult;
}
