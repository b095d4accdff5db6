// Reads, validates and resolves config/deploybot.yaml. Every problem — schema, references,
// keys — is collected in one round and reported at once as `path.to.field: message`
// (parse-what-can.ts); nothing half-configured is returned.
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import { Secret } from '../src/core/secret.ts';
import { isDigestCredentials } from '../src/domain/digest-credentials.ts';
import { checkApprovers } from './check-approvers.ts';
import { checkReferences } from './check-references.ts';
import { type ConfigProblem, formatProblem } from './format-issues.ts';
import { checkedProblems, parseWhatCan } from './parse-what-can.ts';
import { configSchema, type RawConfig } from './schema.ts';

/** The validated config with secrets resolved and relative paths made absolute. */
export interface Config extends Omit<RawConfig, 'keys'> {
  keys: Record<string, Secret>;
  /** Market → its `zookeeper.auth` credentials (`user:password`), for markets that set it. */
  zookeeperAuth: Record<string, Secret>;
  /** Absolute path of the file this was loaded from. */
  file: string;
}

/** `warnings`: lines `config check` prints after its summary (a valid config still loads). */
export type LoadResult = { ok: true; config: Config; warnings: string[] } | { ok: false; problems: string[] };

export const DEFAULT_CONFIG_FILE = 'config/deploybot.yaml';

export function configFileFromEnv(env: NodeJS.ProcessEnv = process.env): string {
  return env.DEPLOYBOT_CONFIG || DEFAULT_CONFIG_FILE;
}

export function loadConfig(file: string, env: NodeJS.ProcessEnv = process.env): LoadResult {
  const path = resolve(file);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    return { ok: false, problems: [`${file}: cannot read the config file (${(error as NodeJS.ErrnoException).code ?? String(error)})`] };
  }
  return parseConfig(text, path, env);
}

/** Validates config text as if it were the file at `path` (relative paths resolve against its folder). */
export function parseConfig(text: string, path: string, env: NodeJS.ProcessEnv = process.env): LoadResult {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { uniqueKeys: true, prettyErrors: false, lineCounter });
  if (document.errors.length > 0) {
    return { ok: false, problems: document.errors.map((e) => `${path}: YAML ${yamlPosition(lineCounter.linePos(e.pos[0]))}${e.message.split('\n')[0]}`) };
  }
  let data: unknown;
  try {
    // aliases are resolved here: an unknown one, or too many (a "billion laughs" file), is refused
    data = document.toJS({ maxAliasCount: 100 }) ?? {};
  } catch (error) {
    return { ok: false, problems: [`${path}: YAML ${(error as Error).message.split('\n')[0]}`] };
  }
  const parsed = parseWhatCan(configSchema, data);
  const raw = parsed.raw;
  if (!raw) return fail(parsed.problems);
  const approvers = checkApprovers(raw);
  const problems = [...parsed.problems, ...checkedProblems([...checkReferences(raw, parsed.removed), ...approvers.problems], parsed.pruned)];
  const dir = dirname(path);
  const keys = resolveKeys(raw, dir, env, problems);
  const zookeeperAuth = resolveZooKeeperAuth(raw, env, problems);
  if (problems.length > 0) return fail(problems);

  const config: Config = { ...raw, keys, zookeeperAuth, file: path };
  for (const host of Object.values(config.hosts)) {
    if ('local' in host) host.local = resolve(dir, host.local);
  }
  for (const project of Object.values(config.projects)) {
    if (isLocalRepoPath(project.repo)) project.repo = resolve(dir, project.repo);
  }
  if (config.artifacts.dir !== undefined) config.artifacts.dir = resolve(dir, config.artifacts.dir);
  return { ok: true, config, warnings: approvers.warnings.map(formatProblem) };
}

function resolveKeys(raw: RawConfig, dir: string, env: NodeJS.ProcessEnv, problems: ConfigProblem[]): Record<string, Secret> {
  const keys: Record<string, Secret> = {};
  for (const [name, ref] of Object.entries(raw.keys)) {
    if ('file' in ref) {
      try {
        keys[name] = new Secret(readFileSync(resolve(dir, ref.file), 'utf8'), `key ${name}`);
      } catch (error) {
        problems.push({ path: `keys.${name}.file`, message: `cannot read ${ref.file} (${(error as NodeJS.ErrnoException).code ?? 'error'})` });
      }
    } else {
      const value = env[ref.env];
      if (value === undefined || value === '') problems.push({ path: `keys.${name}.env`, message: `environment variable ${ref.env} is not set` });
      else keys[name] = new Secret(value, `key ${name}`);
    }
  }
  return keys;
}

function resolveZooKeeperAuth(raw: RawConfig, env: NodeJS.ProcessEnv, problems: ConfigProblem[]): Record<string, Secret> {
  const auth: Record<string, Secret> = {};
  for (const [market, settings] of Object.entries(raw.markets)) {
    const ref = settings.zookeeper?.auth;
    if (!ref) continue;
    const value = env[ref.env];
    const path = `markets.${market}.zookeeper.auth.env`;
    if (value === undefined || value === '') problems.push({ path, message: `environment variable ${ref.env} is not set` });
    else if (!isDigestCredentials(value)) problems.push({ path, message: `environment variable ${ref.env} must hold user:password` });
    else auth[market] = new Secret(value, `zookeeper auth ${market}`);
  }
  return auth;
}

/** Every secret the config holds: key material and ZooKeeper credentials (for redaction). */
export function configSecrets(config: Pick<Config, 'keys' | 'zookeeperAuth'>): Secret[] {
  return [...Object.values(config.keys), ...Object.values(config.zookeeperAuth ?? {})];
}

/** A repo that is neither a URL nor scp-like `user@host:path` is a local path. */
function isLocalRepoPath(repo: string): boolean {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(repo)) return false;
  if (/^[^/]+@[^/:]+:/.test(repo)) return false;
  return true;
}

function yamlPosition(position: { line: number; col: number }): string {
  return `line ${position.line}, column ${position.col}: `;
}

function fail(problems: ConfigProblem[]): LoadResult {
  return { ok: false, problems: problems.map(formatProblem) };
}

/** A one-line summary of a valid config, for `config check` and start-up logs. */
export function summarizeConfig(config: Config): string {
  const count = (o: object) => Object.keys(o).length;
  const locations = Object.values(config.markets).reduce((n, m) => n + count(m.locations), 0);
  const unsandboxed = Object.entries(config.projects).filter(([, p]) => p.build.sandbox === 'off').map(([name]) => name);
  const unsafe = unsandboxed.length ? `; UNSAFE: build.sandbox off for ${unsandboxed.join(', ')} (repository code runs unsandboxed)` : '';
  const open = Object.entries(config.markets).filter(([, m]) => m.zookeeper && !m.zookeeper.auth).map(([name]) => name);
  const openNote = open.length ? `; ZooKeeper without auth for ${open.join(', ')}: its nodes are writable by anyone who reaches it (for trials only; set zookeeper.auth, see docs/operations.md)` : '';
  return `${config.file}: ok — ${count(config.projects)} projects, ${count(config.markets)} markets, ${locations} locations, ${count(config.hosts)} hosts, ${count(config.keys)} keys${unsafe}${openNote}`;
}
