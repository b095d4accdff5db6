// Reading and writing the ZooKeeper layout of docs/reference/zookeeper-layout.md under `<root>/<project>/<market>`:
// a snapshot of the nodes with their versions, and the version-guarded ops that turn one
// release state into another.
import { DeploybotError } from '../core/errors.ts';
import { isConfigName } from '../domain/config-name.ts';
import { zookeeperNodeNameProblem } from '../domain/config-zoo-problem.ts';
import type { MarketReleases, ReleaseCurrent, ReleaseRecord } from '../domain/release-state.ts';
import { releaseNameProblem, releaseValueProblem, type ReleaseValueNode } from '../domain/release-value-problem.ts';
import { corruptReleaseState } from './corrupt-release-state.ts';
import type { ZooKeeperClient } from './zookeeper-client.ts';
import type { ZkOp } from './zookeeper-op.ts';

export const DEFAULT_RELEASE_NODE = 'default_release';
export const RELEASES_NODE = 'releases';
export const PLATFORMS_NODE = 'platforms';
const RESERVED_CHILDREN = ['versions', 'servers', 'current', PLATFORMS_NODE];

export function marketPath(root: string, project: string, market: string): string {
  return `${root === '/' ? '' : root}/${project}/${market}`;
}

/** A node as read: its text, its data version, and its children (only read below release nodes). */
export interface NodeSnapshot {
  path: string;
  text: string;
  version: number;
  children: Map<string, NodeSnapshot>;
}

export interface LayoutSnapshot {
  state: MarketReleases;
  /** Data version of `releases`, bumped by every write of this store; undefined before the node exists. */
  generation?: number;
  defaultRelease?: NodeSnapshot;
  releases: Map<string, NodeSnapshot>;
}

async function readTree(zk: ZooKeeperClient, path: string, depth: number, deadline: number): Promise<NodeSnapshot | undefined> {
  const node = await zk.getData(path, deadline);
  if (!node) return undefined;
  const children = new Map<string, NodeSnapshot>();
  if (depth > 0) {
    const names = (await zk.getChildren(path, deadline)) ?? [];
    const read = await Promise.all(names.map((name) => readTree(zk, `${path}/${name}`, depth - 1, deadline)));
    names.forEach((name, i) => {
      const child = read[i];
      if (child) children.set(name, child);
    });
  }
  return { path, text: node.data.toString('utf8'), version: node.version, children };
}

/**
 * Reads default_release and every release subtree (or those in `scope`) as one consistent snapshot. Every write
 * of this store also bumps the data version of `releases` (a seqlock): when that version is
 * the same before and after the reads, no write landed in between; otherwise read again.
 */
export async function readLayout(zk: ZooKeeperClient, base: string, project: string, market: string, deadline: number, scope?: ReleaseScope): Promise<LayoutSnapshot> {
  for (;;) {
    const before = await zk.getData(`${base}/${RELEASES_NODE}`, deadline);
    const snapshot = await readOnce(zk, base, project, market, deadline, scope);
    const after = await zk.getData(`${base}/${RELEASES_NODE}`, deadline);
    if (before?.version === after?.version) {
      if (after) snapshot.generation = after.version;
      return snapshot;
    }
    if (Date.now() >= deadline) throw new DeploybotError('zookeeper_busy', `${base} kept changing while being read; try again`, { path: base });
  }
}

/**
 * Which releases a write needs to see, given default_release (e.g. a promote: the promoted
 * release and production). Releases outside the scope are neither read nor written.
 */
export type ReleaseScope = (defaultRelease: string | undefined) => readonly string[];

async function readOnce(zk: ZooKeeperClient, base: string, project: string, market: string, deadline: number, scope?: ReleaseScope): Promise<LayoutSnapshot> {
  const [defaultNode, listed] = await Promise.all([
    readTree(zk, `${base}/${DEFAULT_RELEASE_NODE}`, 0, deadline),
    scope ? Promise.resolve(undefined) : zk.getChildren(`${base}/${RELEASES_NODE}`, deadline),
  ]);
  const defaultRelease = defaultNode ? parseDefaultRelease(defaultNode) : undefined;
  const names = listed ?? (scope ? [...new Set(scope(defaultRelease))].filter(isConfigName).sort() : []);
  const trees = await Promise.all(names.map((name) => readTree(zk, `${base}/${RELEASES_NODE}/${name}`, 3, deadline)));
  const releases = new Map<string, NodeSnapshot>();
  const state: MarketReleases = { project, market, releases: {} };
  if (defaultRelease !== undefined) state.defaultRelease = defaultRelease;
  names.forEach((name, i) => {
    const tree = trees[i];
    if (!tree) return;
    releases.set(name, tree);
    state.releases[name] = parseRelease(name, tree);
  });
  const snapshot: LayoutSnapshot = { state, releases };
  if (defaultNode) snapshot.defaultRelease = defaultNode;
  return snapshot;
}

/** `production`; a JSON string (`"production"`) written by another tool is accepted too; empty is none. */
function parseDefaultRelease(node: NodeSnapshot): string | undefined {
  const trimmed = node.text.trim();
  if (trimmed === '') return undefined;
  let name = trimmed;
  if (trimmed.startsWith('"')) {
    try {
      const parsed: unknown = JSON.parse(trimmed);
      if (typeof parsed === 'string') name = parsed;
    } catch {
      // fall through: take the text as it is
    }
  }
  const problem = releaseNameProblem(name);
  if (problem) throw corruptReleaseState(node.path, problem);
  return name;
}

function parseJson(node: NodeSnapshot): unknown {
  try {
    return JSON.parse(node.text);
  } catch {
    return undefined;
  }
}

/** The node's JSON value, checked (src/domain/release-value-problem.ts). */
function parseChecked(node: NodeSnapshot, kind: ReleaseValueNode): unknown {
  const value = parseJson(node);
  const problem = value === undefined ? 'is not JSON' : releaseValueProblem(kind, value);
  if (problem) throw corruptReleaseState(node.path, problem);
  return value;
}

function parseStrings(node: NodeSnapshot | undefined, kind: 'versions' | 'servers'): string[] {
  return node ? (parseChecked(node, kind) as string[]) : [];
}

function parseCurrent(node: NodeSnapshot | undefined): ReleaseCurrent | undefined {
  if (!node) return undefined;
  const value = parseChecked(node, 'current') as ReleaseCurrent;
  const { version, commit, deployId, at, by, releaseId, sha256 } = value;
  return { version, commit, deployId, at, by, ...(releaseId !== undefined ? { releaseId } : {}), ...(sha256 !== undefined ? { sha256 } : {}) };
}

function parseRelease(name: string, tree: NodeSnapshot): ReleaseRecord {
  const problem = releaseNameProblem(name);
  if (problem) throw corruptReleaseState(tree.path, problem);
  const record: ReleaseRecord = {
    name,
    versions: parseStrings(tree.children.get('versions'), 'versions'),
    servers: parseStrings(tree.children.get('servers'), 'servers'),
    config: {},
  };
  const current = parseCurrent(tree.children.get('current'));
  if (current) record.current = current;
  const platforms = tree.children.get(PLATFORMS_NODE);
  if (platforms) record.platforms = parsePlatforms(platforms);
  for (const [child, node] of tree.children) {
    if (RESERVED_CHILDREN.includes(child)) continue;
    const value = parseJson(node);
    record.config[child] = value === undefined ? node.text : value;
  }
  return record;
}

/** `platforms/<platform>/versions` (docs/platforms.md); a platform node without `versions` serves nothing. */
function parsePlatforms(node: NodeSnapshot): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [platform, child] of [...node.children].sort(([a], [b]) => a.localeCompare(b))) {
    const problem = zookeeperNodeNameProblem(platform);
    if (problem) throw corruptReleaseState(child.path, problem);
    out[platform] = parseStrings(child.children.get('versions'), 'versions');
  }
  return out;
}

/** The children of a release node as they are written (docs/reference/zookeeper-layout.md). */
export function serializeRelease(record: ReleaseRecord): Map<string, string> {
  const children = new Map<string, string>();
  children.set('versions', JSON.stringify(record.versions));
  children.set('servers', JSON.stringify(record.servers));
  if (record.current) {
    const { version, commit, deployId, at, by, releaseId, sha256 } = record.current;
    children.set('current', JSON.stringify({ version, commit, deployId, at, by, releaseId, sha256 }));
  }
  if (record.platforms) children.set(PLATFORMS_NODE, '');
  for (const [key, value] of Object.entries(record.config)) {
    if (RESERVED_CHILDREN.includes(key)) continue;
    // the build checks config.zoo keys already; a key that is no node name must not reach a multi
    const problem = zookeeperNodeNameProblem(key);
    if (problem) throw new DeploybotError('bad_config_zoo', `config.zoo key ${JSON.stringify(key.slice(0, 80))} ${problem}; it cannot be a ZooKeeper node under ${record.name}`, { key });
    children.set(key, JSON.stringify(value));
  }
  return children;
}

const data = (text: string) => Buffer.from(text, 'utf8');

function removeTree(node: NodeSnapshot, ops: ZkOp[]): void {
  for (const child of node.children.values()) removeTree(child, ops);
  ops.push({ type: 'remove', path: node.path, version: node.version });
}

/**
 * The ops below `platforms` (whose own node the caller creates): one `<platform>/versions`
 * per platform, each created, set (guarded by its version) or removed with its platform.
 */
function platformOps(path: string, old: NodeSnapshot | undefined, platforms: Readonly<Record<string, string[]>>, ops: ZkOp[]): void {
  for (const [platform, node] of old?.children ?? []) if (!(platform in platforms)) removeTree(node, ops);
  for (const [platform, versions] of Object.entries(platforms)) {
    const problem = zookeeperNodeNameProblem(platform);
    if (problem) throw new DeploybotError('bad_config_zoo', `platform ${JSON.stringify(platform.slice(0, 80))} ${problem}; it cannot be a ZooKeeper node`, { platform });
    const text = JSON.stringify(versions);
    const platformNode = old?.children.get(platform);
    if (!platformNode) ops.push({ type: 'create', path: `${path}/${platform}`, data: data('') });
    const versionsNode = platformNode?.children.get('versions');
    if (!versionsNode) ops.push({ type: 'create', path: `${path}/${platform}/versions`, data: data(text) });
    else if (versionsNode.text !== text) ops.push({ type: 'set', path: versionsNode.path, data: data(text), version: versionsNode.version });
  }
}

/**
 * The ops that turn the snapshot's state into `next`, empty when nothing changes. The first
 * op bumps the `releases` generation (guarded by the version read, so any write that landed
 * since the snapshot fails this one with BAD_VERSION); every node written or removed is
 * guarded by its own version too, and default_release is checked when not written.
 */
export function opsFor(base: string, snapshot: LayoutSnapshot, next: MarketReleases): ZkOp[] {
  const ops: ZkOp[] = [];
  const names = new Set([...snapshot.releases.keys(), ...Object.keys(next.releases)]);
  for (const name of names) {
    const old = snapshot.releases.get(name);
    const record = next.releases[name];
    const path = `${base}/${RELEASES_NODE}/${name}`;
    if (old && !record) {
      removeTree(old, ops);
      continue;
    }
    if (!record) continue;
    const children = serializeRelease(record);
    if (!old) {
      ops.push({ type: 'create', path, data: data('') });
      for (const [child, text] of children) ops.push({ type: 'create', path: `${path}/${child}`, data: data(text) });
      if (record.platforms) platformOps(`${path}/${PLATFORMS_NODE}`, undefined, record.platforms, ops);
      continue;
    }
    for (const [child, node] of old.children) if (!children.has(child)) removeTree(node, ops);
    for (const [child, text] of children) {
      const node = old.children.get(child);
      if (!node) ops.push({ type: 'create', path: `${path}/${child}`, data: data(text) });
      else if (node.text !== text) ops.push({ type: 'set', path: node.path, data: data(text), version: node.version });
    }
    if (record.platforms) platformOps(`${path}/${PLATFORMS_NODE}`, old.children.get(PLATFORMS_NODE), record.platforms, ops);
  }
  if (ops.length === 0 && next.defaultRelease === snapshot.state.defaultRelease) return ops;
  if (snapshot.generation === undefined) throw new Error(`${base}/${RELEASES_NODE} must exist before writing`);
  ops.unshift({ type: 'set', path: `${base}/${RELEASES_NODE}`, data: data(''), version: snapshot.generation });
  const defaultPath = `${base}/${DEFAULT_RELEASE_NODE}`;
  if (next.defaultRelease !== undefined && snapshot.defaultRelease === undefined) {
    ops.unshift({ type: 'create', path: defaultPath, data: data(next.defaultRelease) });
  } else if (snapshot.defaultRelease && next.defaultRelease !== snapshot.state.defaultRelease) {
    ops.unshift({ type: 'set', path: defaultPath, data: data(next.defaultRelease ?? ''), version: snapshot.defaultRelease.version });
  } else if (snapshot.defaultRelease) {
    ops.unshift({ type: 'check', path: defaultPath, version: snapshot.defaultRelease.version });
  }
  return ops;
}
