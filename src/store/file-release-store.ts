// The embedded release store for markets without ZooKeeper (docs/configuration.md): one JSON file per
// (project, market) under `<dataDir>/releases/<project>/<market>.json`, shaped like the
// ZooKeeper tree (`default_release`, `releases.<release>.versions|servers|current|<config key>`).
// Writes apply the same pure transitions as the ZooKeeper store, under a lock (in-process
// queue + an O_EXCL lock file for other processes), and land atomically (temp file + rename).
import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, stat, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { DeploybotError } from '../core/errors.ts';
import { isConfigName } from '../domain/config-name.ts';
import { isProcessAlive } from '../services/process-alive.ts';
import type { RuleOutcome } from '../domain/release-rules.ts';
import type { MarketReleases, ReleaseCurrent, ReleaseRecord } from '../domain/release-state.ts';
import { applyPromote, applyRecordRelease, applyRemoveRelease, type PromoteResult } from '../domain/release-transitions.ts';
import { releaseNameProblem, releaseValueProblem } from '../domain/release-value-problem.ts';
import { corruptReleaseState } from './corrupt-release-state.ts';
import { nowIso, type PromoteInput, type RecordReleaseInput, refusedError, type ReleaseStore, type RemoveReleaseInput, type StoreHealth } from './release-store.ts';

export interface FileReleaseStoreOptions {
  /** The data directory (`DEPLOYBOT_DATA`, default `./var`). */
  dataDir: string;
  /** How long to wait for another writer's lock. @defaultValue 10000 */
  lockTimeoutMs?: number;
  /** A lock file older than this whose owner is gone is taken over. @defaultValue 30000 */
  staleLockMs?: number;
}

const RESERVED = ['versions', 'servers', 'current', 'platforms'];

/** `platforms.<platform>.versions` mirrors ZooKeeper's `platforms/<platform>/versions` (docs/platforms.md). */
type FilePlatforms = Record<string, { versions: string[] }>;
type FileRelease = { versions: string[]; servers: string[]; current?: ReleaseCurrent; platforms?: FilePlatforms } & Record<string, unknown>;
interface FileLayout {
  default_release?: string;
  releases: Record<string, FileRelease>;
}

export class FileReleaseStore implements ReleaseStore {
  readonly #dir: string;
  readonly #lockTimeoutMs: number;
  readonly #staleLockMs: number;
  /** Per-file promise chain: writers in this process queue here before taking the lock file. */
  readonly #queues = new Map<string, Promise<unknown>>();

  constructor(options: FileReleaseStoreOptions) {
    this.#dir = join(options.dataDir, 'releases');
    this.#lockTimeoutMs = options.lockTimeoutMs ?? 10_000;
    this.#staleLockMs = options.staleLockMs ?? 30_000;
  }

  /** The file holding (project, market). */
  fileFor(project: string, market: string): string {
    for (const name of [project, market]) {
      if (!isConfigName(name)) throw new DeploybotError('invalid_name', `${JSON.stringify(name)} is not a project or market name`);
    }
    return join(this.#dir, project, `${market}.json`);
  }

  async read(project: string, market: string): Promise<MarketReleases> {
    const file = this.fileFor(project, market);
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { project, market, releases: {} };
      throw error;
    }
    return fromLayout(project, market, parseLayout(file, text));
  }

  async recordRelease(input: RecordReleaseInput): Promise<ReleaseRecord> {
    const request = { ...input, at: input.at ?? nowIso() };
    return this.#update(input.project, input.market, (state) => {
      const next = settle(applyRecordRelease(state, request));
      return { state: next, result: next.releases[request.release]! };
    });
  }

  async promote(input: PromoteInput): Promise<PromoteResult> {
    const request = { ...input, at: input.at ?? nowIso() };
    return this.#update(input.project, input.market, (state) => settle(applyPromote(state, request)));
  }

  async removeRelease(input: RemoveReleaseInput): Promise<{ removed: boolean }> {
    return this.#update(input.project, input.market, (state) => {
      const outcome = settle(applyRemoveRelease(state, input));
      return { state: outcome.state, result: { removed: outcome.removed } };
    });
  }

  async checkHealth(): Promise<StoreHealth> {
    return { backend: 'embedded', ok: true };
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.#queues.values()]);
  }

  async #update<T>(project: string, market: string, change: (state: MarketReleases) => { state: MarketReleases; result: T }): Promise<T> {
    const file = this.fileFor(project, market);
    const previous = this.#queues.get(file) ?? Promise.resolve();
    const run = previous.catch(() => undefined).then(async () => {
      await mkdir(dirname(file), { recursive: true });
      const release = await this.#lock(file);
      try {
        const state = await this.read(project, market);
        const { state: next, result } = change(state);
        if (JSON.stringify(toLayout(next)) !== JSON.stringify(toLayout(state))) await writeAtomically(file, `${JSON.stringify(toLayout(next), null, 2)}\n`);
        return result;
      } finally {
        await release();
      }
    });
    this.#queues.set(file, run);
    try {
      return await run;
    } finally {
      if (this.#queues.get(file) === run) this.#queues.delete(file);
    }
  }

  /** Takes `<file>.lock` with O_EXCL; waits for another process's lock; takes over a stale one. */
  async #lock(file: string): Promise<() => Promise<void>> {
    const lockFile = `${file}.lock`;
    const deadline = Date.now() + this.#lockTimeoutMs;
    for (let attempt = 0; ; attempt += 1) {
      try {
        const handle = await open(lockFile, 'wx');
        await handle.writeFile(`${process.pid}\n`);
        await handle.close();
        return () => unlink(lockFile).catch(() => undefined);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      if (await this.#isStale(lockFile)) {
        await unlink(lockFile).catch(() => undefined);
        continue;
      }
      if (Date.now() >= deadline) {
        throw new DeploybotError('release_store_busy', `the release state file ${file} stayed locked for ${this.#lockTimeoutMs} ms (${lockFile}); another deploybot process is writing it`);
      }
      await delay(Math.min(50, 2 ** Math.min(attempt, 6)));
    }
  }

  async #isStale(lockFile: string): Promise<boolean> {
    try {
      const [text, info] = await Promise.all([readFile(lockFile, 'utf8'), stat(lockFile)]);
      const pid = Number.parseInt(text, 10);
      if (Number.isInteger(pid) && pid > 0 && !isProcessAlive(pid)) return true;
      return Date.now() - info.mtimeMs > this.#staleLockMs && !(Number.isInteger(pid) && isProcessAlive(pid));
    } catch {
      return false; // gone already (next attempt takes it) or being written
    }
  }
}

async function writeAtomically(file: string, text: string): Promise<void> {
  const temp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const handle = await open(temp, 'w');
  try {
    await handle.writeFile(text);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(temp, file);
}

function settle<T>(outcome: RuleOutcome<T>): T {
  if (!outcome.ok) throw refusedError(outcome.refusal);
  return outcome.value;
}

function toLayout(state: MarketReleases): FileLayout {
  const layout: FileLayout = { releases: {} };
  if (state.defaultRelease !== undefined) layout.default_release = state.defaultRelease;
  for (const name of Object.keys(state.releases).sort()) {
    const record = state.releases[name]!;
    const release: FileRelease = { versions: record.versions, servers: record.servers };
    if (record.current) release.current = record.current;
    if (record.platforms) {
      const platforms: FilePlatforms = {};
      for (const platform of Object.keys(record.platforms).sort()) platforms[platform] = { versions: record.platforms[platform]! };
      release.platforms = platforms;
    }
    for (const [key, value] of Object.entries(record.config)) if (!RESERVED.includes(key)) release[key] = value;
    layout.releases[name] = release;
  }
  return layout;
}

function parseLayout(file: string, text: string): FileLayout {
  const corrupt = (where: string, problem: string) => corruptReleaseState(where ? `${file}: ${where}` : file, problem);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw corrupt('', 'is not JSON');
  }
  const layout = value as FileLayout;
  if (typeof layout !== 'object' || layout === null || typeof layout.releases !== 'object' || layout.releases === null || Array.isArray(layout.releases)) throw corrupt('', 'has no "releases" object');
  if (layout.default_release !== undefined) {
    const problem = releaseNameProblem(layout.default_release);
    if (problem) throw corrupt('default_release', problem);
  }
  for (const [name, release] of Object.entries(layout.releases)) {
    const problem = releaseNameProblem(name);
    if (problem) throw corrupt(`releases.${JSON.stringify(name)}`, problem);
    if (typeof release !== 'object' || release === null || Array.isArray(release)) throw corrupt(`releases.${name}`, 'is not an object');
    for (const node of ['versions', 'servers', 'current'] as const) {
      if (node === 'current' && release.current === undefined) continue;
      const problem = releaseValueProblem(node, release[node]);
      if (problem) throw corrupt(`releases.${name}.${node}`, problem);
    }
    if (release.platforms === undefined) continue;
    if (typeof release.platforms !== 'object' || release.platforms === null || Array.isArray(release.platforms)) throw corrupt(`releases.${name}.platforms`, 'is not an object');
    for (const [platform, entry] of Object.entries(release.platforms)) {
      const problem = typeof entry !== 'object' || entry === null ? 'is not an object' : releaseValueProblem('versions', entry.versions);
      if (problem) throw corrupt(`releases.${name}.platforms.${platform}.versions`, problem);
    }
  }
  return layout;
}

function fromLayout(project: string, market: string, layout: FileLayout): MarketReleases {
  const state: MarketReleases = { project, market, releases: {} };
  if (layout.default_release !== undefined) state.defaultRelease = layout.default_release;
  for (const [name, release] of Object.entries(layout.releases)) {
    const record: ReleaseRecord = { name, versions: [...release.versions], servers: [...release.servers], config: {} };
    if (release.current) record.current = release.current;
    if (release.platforms) record.platforms = Object.fromEntries(Object.entries(release.platforms).sort(([a], [b]) => a.localeCompare(b)).map(([platform, entry]) => [platform, [...entry.versions]]));
    for (const [key, value] of Object.entries(release)) if (!RESERVED.includes(key)) record.config[key] = value;
    state.releases[name] = record;
  }
  return state;
}
