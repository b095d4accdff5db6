// Runs the project's `packager` for each update-package pair (docs/reference/release-rules.md) and records each
// output's size. The template is split into argv before anything is substituted, and run
// without a shell, so a version string can never splice in a command.
import { execFile, type ExecFileException } from 'node:child_process';
import { lstat, mkdir, stat } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import { DeploybotError } from '../core/errors.ts';
import { urlOnlyRedactor } from '../core/redactor.ts';
import { formatDuration } from '../domain/format-duration.ts';
import { minimalEnvironment } from '../services/minimal-environment.ts';
import type { RepositorySandbox } from '../deploy/repository-sandbox.ts';
import type { PackageSpan } from '../domain/size-span-report.ts';
import type { UpdatePackagePair } from '../domain/update-package-plan.ts';

export interface RunPackagerOptions {
  project: string;
  /** `projects.<p>.packager`, e.g. `scripts/make-patch --from {from} --to {to} --out {out}`. */
  template: string;
  pairs: readonly UpdatePackagePair[];
  /** Working directory (the checked-out build tree); a relative program path resolves against it. */
  cwd: string;
  /** Where outputs go (`{out}`); created if missing. */
  outDir: string;
  /** Per pair. @defaultValue 600000 */
  timeoutMs?: number;
  /** The packager's environment. @defaultValue PATH, HOME and LANG only — never the bot's own (it holds secrets). */
  env?: NodeJS.ProcessEnv;
  /** More placeholders, e.g. `{ market: 'brazil' }` for `{market}`. */
  vars?: Record<string, string>;
  /**
   * The project's sandbox (its `ready()` already passed): the tree is seen as `/build`, the
   * output directory as `/out`. Without one (or with `build.sandbox: off`) the packager runs
   * as the bot's user.
   */
  sandbox?: RepositorySandbox;
}

export type PackageOutcome = ({ ok: true; from: string; to: string; out: string; size: number; durationMs: number }
  | { ok: false; from: string; to: string; out: string; error: string; outputTail: string; durationMs: number }) & { platform?: string };

export interface PackagerResult {
  packages: PackageOutcome[];
  /** The successful outputs, for sizeSpanReport(). */
  spans: PackageSpan[];
}

const PLACEHOLDER = /\{([A-Za-z][A-Za-z0-9_]*)\}/g;

/** Splits a template into words like a shell would (whitespace, '…', "…", \\), with no expansion of any kind. */
export function splitTemplate(template: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < template.length; i += 1) {
    const c = template[i]!;
    if (quote) {
      if (c === quote) quote = undefined;
      else if (c === '\\' && quote === '"' && (template[i + 1] === '"' || template[i + 1] === '\\')) word += template[(i += 1)];
      else word += c;
    } else if (c === '"' || c === "'") {
      quote = c;
      inWord = true;
    } else if (c === '\\' && i + 1 < template.length) {
      word += template[(i += 1)];
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      word += c;
      inWord = true;
    }
  }
  if (quote) throw new DeploybotError('packager_template_invalid', `packager template has an unclosed ${quote}: ${template}`);
  if (inWord) words.push(word);
  if (words.length === 0) throw new DeploybotError('packager_template_invalid', 'packager template is empty');
  return words;
}

/** argv for one run: split first, then each word's placeholders substituted. Unknown placeholders are an error. */
export function packagerArgv(template: string, vars: Record<string, string>): string[] {
  return splitTemplate(template).map((word) => word.replace(PLACEHOLDER, (whole, name: string) => {
    const value = vars[name];
    if (value === undefined) throw new DeploybotError('packager_template_invalid', `packager template uses ${whole}; known: ${Object.keys(vars).map((k) => `{${k}}`).join(', ')}`);
    return value;
  }));
}

/** A file name for the pair's output: characters outside [A-Za-z0-9._-] become `_`. */
export function packageFileName(project: string, pair: UpdatePackagePair): string {
  const safe = (s: string) => s.replace(/[^A-Za-z0-9._-]/g, '_');
  return `${safe(project)}-${pair.platform === undefined ? '' : `${safe(pair.platform)}-`}${safe(pair.from)}-to-${safe(pair.to)}.pkg`;
}

/** The placeholders of one run; `{platform}` is empty for a market without platforms (docs/platforms.md). */
function pairVars(options: RunPackagerOptions, pair: UpdatePackagePair, out: string): Record<string, string> {
  return { ...options.vars, project: options.project, from: pair.from, to: pair.to, out, platform: pair.platform ?? '' };
}

export async function runPackager(options: RunPackagerOptions): Promise<PackagerResult> {
  await mkdir(options.outDir, { recursive: true });
  const packages: PackageOutcome[] = [];
  for (const pair of options.pairs) packages.push(await runOne(options, pair));
  const spans = packages.flatMap((p) => (p.ok ? [{ from: p.from, to: p.to, size: p.size, ...(p.platform === undefined ? {} : { platform: p.platform }) }] : []));
  return { packages, spans };
}

async function runOne(options: RunPackagerOptions, pair: UpdatePackagePair): Promise<PackageOutcome> {
  const outcome = options.sandbox?.isolated ? await runOneSandboxed(options, options.sandbox, pair) : await runOneHere(options, pair);
  return pair.platform === undefined ? outcome : { ...outcome, platform: pair.platform };
}

async function runOneHere(options: RunPackagerOptions, pair: UpdatePackagePair): Promise<PackageOutcome> {
  const out = resolve(options.outDir, packageFileName(options.project, pair));
  const argv = packagerArgv(options.template, pairVars(options, pair, out));
  const program = argv[0]!.includes('/') && !isAbsolute(argv[0]!) ? join(options.cwd, argv[0]!) : argv[0]!;
  const timeoutMs = options.timeoutMs ?? 600_000;
  const started = Date.now();
  const result = await new Promise<{ error?: ExecFileException; output: string }>((done) => {
    execFile(program, argv.slice(1), {
      cwd: options.cwd,
      env: options.env ?? minimalEnvironment(),
      timeout: timeoutMs,
      killSignal: 'SIGKILL',
      maxBuffer: 4 * 1024 * 1024,
    }, (error, stdout, stderr) => done({ ...(error ? { error } : {}), output: `${stdout}${stderr}` }));
  });
  const durationMs = Date.now() - started;
  const outputTail = result.output.trimEnd().split('\n').slice(-20).join('\n');
  const fail = (error: string): PackageOutcome => ({ ok: false, from: pair.from, to: pair.to, out, error, outputTail, durationMs });
  if (result.error) {
    const e = result.error;
    if (e.killed && e.signal === 'SIGKILL') return fail(`packager for ${pair.from} → ${pair.to} timed out after ${formatDuration(timeoutMs)}`);
    if (typeof e.code === 'string') return fail(`packager ${program} could not start (${e.code})`);
    return fail(`packager for ${pair.from} → ${pair.to} exited with ${e.code ?? e.signal}`);
  }
  try {
    const info = await stat(out);
    return { ok: true, from: pair.from, to: pair.to, out, size: info.size, durationMs };
  } catch {
    return fail(`packager for ${pair.from} → ${pair.to} exited 0 but wrote no ${out}`);
  }
}

/** The same run inside the project's sandbox: only the tree (as /build) and the output directory (as /out) are there. */
async function runOneSandboxed(options: RunPackagerOptions, sandbox: RepositorySandbox, pair: UpdatePackagePair): Promise<PackageOutcome> {
  const dirs = [{ dir: resolve(options.cwd), as: '/build' }, { dir: resolve(options.outDir), as: '/out' }];
  const out = resolve(options.outDir, packageFileName(options.project, pair));
  const argv = packagerArgv(options.template, pairVars(options, pair, sandbox.inside(out, dirs)));
  if (argv[0]!.includes('/') && !isAbsolute(argv[0]!)) argv[0] = `/build/${argv[0]}`;
  const timeoutMs = options.timeoutMs ?? 600_000;
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(options.env ?? minimalEnvironment())) if (value !== undefined) env[key] = value;
  // OutputTail redacts as output streams (the hook-output boundary); the packager's environment
  // holds no secrets, so only URL credentials it might print are redacted
  const result = await sandbox.runProgram(argv, { dirs, cwd: dirs[0]!.dir, env: { ...env, HOME: '/tmp' }, timeoutMs, redactor: urlOnlyRedactor });
  const fail = (error: string): PackageOutcome => ({ ok: false, from: pair.from, to: pair.to, out, error, outputTail: result.outputTail.join('\n'), durationMs: result.durationMs });
  if (result.timedOut) return fail(`packager for ${pair.from} → ${pair.to} timed out after ${formatDuration(timeoutMs)}`);
  if (result.exitCode !== 0) return fail(`packager for ${pair.from} → ${pair.to} exited with ${result.exitCode ?? 'a signal'}`);
  // lstat: a symlink the code planted is not a package (and is not followed out of the sandbox)
  const info = await lstat(out).catch(() => undefined);
  if (!info?.isFile()) return fail(`packager for ${pair.from} → ${pair.to} exited 0 but wrote no ${out}`);
  return { ok: true, from: pair.from, to: pair.to, out, size: info.size, durationMs: result.durationMs };
}

