// `deploy/<release>.config.zoo` and `deploy/config.zoo` come from the repository: their keys
// become ZooKeeper nodes under `releases/<release>/` (docs/configuration.md, "Files from the
// repository"). Pure rules for their content; reading them safely is the caller's job.

export const CONFIG_ZOO_MAX_BYTES = 1024 * 1024;
export const CONFIG_ZOO_MAX_KEYS = 100;
const MAX_NODE_NAME = 255;
/** The children of a release the bot writes itself. */
const RESERVED = new Set(['versions', 'servers', 'current', 'platforms']);
/** Characters ZooKeeper refuses in a path (org.apache.zookeeper.common.PathUtils), and NUL. */
const UNSAFE_CHARACTER = /[\u0000-\u001f\u007f-\u009f\ud800-\uf8ff\ufff0-\uffff]/u;

/** Why `name` cannot be one ZooKeeper node name (a child of a release), or undefined. */
export function zookeeperNodeNameProblem(name: string): string | undefined {
  if (name === '') return 'is empty';
  if (name.includes('/')) return 'contains "/"';
  if (name === '.' || name === '..') return 'is "." or ".."';
  if (name.includes('\u0000')) return 'contains NUL';
  if ([...name].length > MAX_NODE_NAME) return `is longer than ${MAX_NODE_NAME} characters`;
  if (UNSAFE_CHARACTER.test(name)) return 'contains a control or non-character code point';
  return undefined;
}

export type ConfigZooOutcome = { ok: true; value: Record<string, unknown> } | { ok: false; problem: string };

/** The parsed content of a config.zoo file of `bytes` bytes, or what is wrong with it. */
export function parseConfigZoo(text: string, bytes = new TextEncoder().encode(text).length): ConfigZooOutcome {
  if (bytes > CONFIG_ZOO_MAX_BYTES) return { ok: false, problem: `is larger than the limit of 1 MB (${CONFIG_ZOO_MAX_BYTES} bytes)` };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { ok: false, problem: 'is not JSON; it must be a JSON object (its keys become ZooKeeper nodes)' };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return { ok: false, problem: 'must be a JSON object (its keys become ZooKeeper nodes)' };
  }
  const keys = Object.keys(parsed);
  if (keys.length > CONFIG_ZOO_MAX_KEYS) return { ok: false, problem: `has ${keys.length} keys, more than the limit of ${CONFIG_ZOO_MAX_KEYS}` };
  for (const key of keys) {
    const problem = RESERVED.has(key) ? 'is reserved for the bot\'s own node' : zookeeperNodeNameProblem(key);
    if (problem) return { ok: false, problem: `key ${JSON.stringify(key.slice(0, 80))} ${problem}; keys must be valid ZooKeeper node names` };
  }
  return { ok: true, value: parsed as Record<string, unknown> };
}
