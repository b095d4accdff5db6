// The release store on ZooKeeper (docs/reference/zookeeper-layout.md). Every write is read → pure transition → one
// multi guarded by the node versions read; BAD_VERSION and friends mean someone else wrote
// first, so the whole read-modify-write runs again. After a lost connection the outcome of
// the last multi is unknown: the next round re-reads and recognises a write that landed.
import { setTimeout as delay } from 'node:timers/promises';
import { DeploybotError, errorMessage } from '../core/errors.ts';
import { formatDuration } from '../domain/format-duration.ts';
import type { RuleOutcome } from '../domain/release-rules.ts';
import type { MarketReleases, ReleaseRecord } from '../domain/release-state.ts';
import { applyPromote, applyRecordRelease, applyRemoveRelease, type PromoteResult } from '../domain/release-transitions.ts';
import {
  nowIso,
  type PromoteInput,
  type RecordReleaseInput,
  refusedError,
  type ReleaseStore,
  type RemoveReleaseInput,
  type StoreHealth,
} from './release-store.ts';
import { type ZooKeeperClient, ZooKeeperConnectionError, ZooKeeperRefusal } from './zookeeper-client.ts';
import type { ZkOp } from './zookeeper-op.ts';
import { type LayoutSnapshot, marketPath, opsFor, readLayout, type ReleaseScope, RELEASES_NODE } from './zookeeper-release-layout.ts';

export interface ZooKeeperReleaseStoreOptions {
  client: ZooKeeperClient;
  /** The market's `zookeeper.root`, e.g. `/deploybot`. */
  root: string;
  /** How long one store operation may take, retries included. @defaultValue 30000 */
  operationTimeoutMs?: number;
  /** Whether close() also closes the client (false when it is shared). @defaultValue true */
  ownsClient?: boolean;
}

/** Codes that mean "someone else wrote between our read and our multi": run the round again. */
const CONTENTION = new Set(['BAD_VERSION', 'NO_NODE', 'NODE_EXISTS', 'NOT_EMPTY']);

interface Round<T> {
  /** The outcome was settled without writing (a refusal, nothing to change, or a write that already landed). */
  done?: T;
  ops?: ZkOp[];
  result?: T;
}

export class ZooKeeperReleaseStore implements ReleaseStore {
  readonly #zk: ZooKeeperClient;
  readonly #root: string;
  readonly #timeoutMs: number;
  readonly #ownsClient: boolean;
  readonly #parentsMade = new Set<string>();
  /** Rounds that had to run again because of a concurrent write (for tests and metrics). */
  contentionRetries = 0;

  constructor(options: ZooKeeperReleaseStoreOptions) {
    this.#zk = options.client;
    this.#root = options.root;
    this.#timeoutMs = options.operationTimeoutMs ?? 30_000;
    this.#ownsClient = options.ownsClient ?? true;
  }

  /** The ZooKeeper connect string this store writes to. */
  get connect(): string {
    return this.#zk.connect;
  }

  async read(project: string, market: string): Promise<MarketReleases> {
    const deadline = Date.now() + this.#timeoutMs;
    try {
      return (await readLayout(this.#zk, marketPath(this.#root, project, market), project, market, deadline)).state;
    } catch (error) {
      throw this.#failure(`reading ${project} ${market}`, error, false);
    }
  }

  async recordRelease(input: RecordReleaseInput): Promise<ReleaseRecord> {
    const request = { ...input, at: input.at ?? nowIso() };
    // Idempotent: a retry after an unknown outcome re-reads, and a write that landed yields no ops.
    return this.#update(input.project, input.market, `recording ${input.release} ${input.version}`, () => [input.release], (snapshot) => {
      const outcome = settle(applyRecordRelease(snapshot.state, request));
      const record = outcome.releases[request.release]!;
      return { state: outcome, result: record };
    });
  }

  async promote(input: PromoteInput): Promise<PromoteResult> {
    const request = { ...input, at: input.at ?? nowIso() };
    let planned: PromoteResult | undefined;
    return this.#update<PromoteResult>(input.project, input.market, `promoting ${input.release}`, (production) => [input.release, ...(production ? [production] : [])], (snapshot, afterUnknown) => {
      if (afterUnknown && planned && landed(snapshot.state, input, planned)) return { done: { ...planned, versions: productionVersions(snapshot.state, planned) } };
      const outcome = settle(applyPromote(snapshot.state, request));
      planned = outcome.result;
      return { state: outcome.state, result: outcome.result };
    });
  }

  async removeRelease(input: RemoveReleaseInput): Promise<{ removed: boolean }> {
    let attempted = false;
    return this.#update<{ removed: boolean }>(input.project, input.market, `removing ${input.release}`, () => [input.release], (snapshot, afterUnknown) => {
      if (afterUnknown && attempted && !snapshot.state.releases[input.release]) return { done: { removed: true } };
      const outcome = settle(applyRemoveRelease(snapshot.state, input));
      attempted = outcome.removed;
      return { state: outcome.state, result: { removed: outcome.removed } };
    });
  }

  async checkHealth(): Promise<StoreHealth> {
    try {
      await this.#zk.getChildren('/', Date.now() + 3000);
      return { backend: 'zookeeper', ok: true };
    } catch (error) {
      return { backend: 'zookeeper', ok: false, error: errorMessage(error) };
    }
  }

  async close(): Promise<void> {
    if (this.#ownsClient) await this.#zk.close();
  }

  /**
   * One read-modify-write, retried until it lands or the deadline passes. `plan` sees the
   * snapshot of the releases in `scope` and whether the previous multi's outcome is unknown
   * (sent, connection lost).
   */
  async #update<T>(project: string, market: string, what: string, scope: ReleaseScope, plan: (snapshot: LayoutSnapshot, afterUnknown: boolean) => { done: T } | { state: MarketReleases; result: T }): Promise<T> {
    const base = marketPath(this.#root, project, market);
    const deadline = Date.now() + this.#timeoutMs;
    let afterUnknown = false;
    let contention = 0;
    for (;;) {
      try {
        await this.#ensureParents(base, deadline);
        const snapshot = await readLayout(this.#zk, base, project, market, deadline, scope);
        if (snapshot.generation === undefined) {
          this.#parentsMade.delete(base); // removed behind our back (or a new server): make the parents again
          if (Date.now() < deadline) continue;
          throw new DeploybotError('zookeeper_error', `${base}/${RELEASES_NODE} keeps disappearing`, { path: base });
        }
        const round = toRound(plan(snapshot, afterUnknown), base, snapshot);
        if (round.done !== undefined) return round.done;
        if (round.ops!.length > 0) await this.#zk.commit(round.ops!, deadline);
        return round.result as T;
      } catch (error) {
        if (error instanceof ZooKeeperRefusal && CONTENTION.has(error.codeName) && Date.now() < deadline) {
          contention += 1;
          this.contentionRetries += 1;
          await delay(Math.random() * Math.min(100, 2 ** Math.min(contention, 7)));
          continue;
        }
        if (error instanceof ZooKeeperConnectionError) {
          if (error.sent) afterUnknown = true;
          if (Date.now() < deadline && error.reason !== 'closed') continue;
        }
        throw this.#failure(`${what} for ${project} ${market}`, error, afterUnknown);
      }
    }
  }

  async #ensureParents(base: string, deadline: number): Promise<void> {
    if (this.#parentsMade.has(base)) return;
    await this.#zk.mkdirp(`${base}/${RELEASES_NODE}`, deadline);
    this.#parentsMade.add(base);
  }

  #failure(what: string, error: unknown, outcomeUnknown: boolean): Error {
    if (error instanceof DeploybotError) return error;
    if (error instanceof ZooKeeperConnectionError) {
      const consequence = outcomeUnknown
        ? 'The last write was sent but not confirmed: run "status" to see whether it landed before retrying.'
        : 'Nothing was written.';
      return new DeploybotError('zookeeper_unavailable', `ZooKeeper ${this.#zk.connect} is unavailable: ${what} did not complete within ${formatDuration(this.#timeoutMs)} (${error.message}). ${consequence}`, { connect: this.#zk.connect, outcomeUnknown });
    }
    if (error instanceof ZooKeeperRefusal) {
      return new DeploybotError('zookeeper_error', `ZooKeeper ${this.#zk.connect} refused ${what}: ${error.message}`, { code: error.codeName, path: error.path });
    }
    return error instanceof Error ? error : new Error(String(error));
  }
}

/** A refusal becomes a RefusedError; anything else is the new state. */
function settle<T>(outcome: RuleOutcome<T>): T {
  if (!outcome.ok) throw refusedError(outcome.refusal);
  return outcome.value;
}

function toRound<T>(planned: { done: T } | { state: MarketReleases; result: T }, base: string, snapshot: LayoutSnapshot): Round<T> {
  if ('done' in planned) return { done: planned.done };
  return { ops: opsFor(base, snapshot, planned.state), result: planned.result };
}

/** After an unknown outcome: the release is gone and production holds what was promoted (and, for a gray promote, is now this deploy). */
function landed(state: MarketReleases, input: PromoteInput, planned: PromoteResult): boolean {
  if (state.releases[input.release]) return false;
  const production = state.releases[planned.production];
  if (!production || !planned.promoted.every((v) => production.versions.includes(v))) return false;
  return !input.deployed || production.current?.deployId === input.deployId;
}

function productionVersions(state: MarketReleases, planned: PromoteResult): string[] {
  return state.releases[planned.production]?.versions ?? planned.versions;
}

