// `npm run bench`: every benchmark in bench/ in sequence, each as a child process (so one that
// fails does not stop the others), its output shown live and kept in a log file; at the end, a
// summary of where each table is; exit 1 if any of them failed. Benchmarks are the .ts files
// directly in bench/ (not this one, not bench/support/).
//
//   npm run bench [-- --only chat-calls,ack-latency] [-- --skip deploy-fanout] [-- --out DIR]
import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { basename, dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const here = dirname(fileURLToPath(import.meta.url));
const root = dirname(here);
const { values } = parseArgs({ options: { only: { type: 'string' }, skip: { type: 'string' }, out: { type: 'string' } } });
const list = (text: string | undefined) => (text ? text.split(',').map((s) => s.trim().replace(/\.ts$/, '')).filter(Boolean) : undefined);
const only = list(values.only);
const skip = list(values.skip) ?? [];

/** The order they run in; any other benchmark file found in bench/ runs after these. */
const ORDER = ['deploy-fanout', 'deploy-cache-rollback', 'prebuilt', 'job-latency', 'chat-calls', 'ack-latency', 'rollout', 'scale'];
const found = readdirSync(here).filter((f) => f.endsWith('.ts') && f !== 'run.ts').map((f) => basename(f, '.ts'));
const names = [...ORDER.filter((n) => found.includes(n)), ...found.filter((n) => !ORDER.includes(n)).sort()]
  .filter((n) => (only ? only.includes(n) : true) && !skip.includes(n));
for (const wanted of only ?? []) if (!found.includes(wanted)) console.log(`bench: no bench/${wanted}.ts; skipped`);

const stamp = new Date().toISOString().replace(/[:.]/g, '-').replace(/-\d{3}Z$/, 'Z');
const outDir = values.out ?? join(root, 'var', 'bench', stamp);
mkdirSync(outDir, { recursive: true });

interface Outcome { name: string; code: number | null; signal: string | null; ms: number; log: string; tableLine: number | undefined }
const outcomes: Outcome[] = [];
console.log(`bench: ${names.length} benchmark(s): ${names.join(', ')}; logs in ${relative(process.cwd(), outDir) || outDir}\n`);
for (const name of names) {
  const log = join(outDir, `${name}.log`);
  const file = createWriteStream(log);
  const header = `## ${name} — node --import tsx bench/${name}.ts — ${new Date().toISOString()} — load ${loadText()}\n`;
  console.log(`\n${'='.repeat(80)}\n${header}${'='.repeat(80)}`);
  file.write(header);
  const started = performance.now();
  const child = spawn(process.execPath, ['--import', 'tsx', join(here, `${name}.ts`)], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.on('data', (chunk: Buffer) => {
    process.stdout.write(chunk);
    file.write(chunk);
  });
  child.stderr.on('data', (chunk: Buffer) => {
    process.stderr.write(chunk);
    file.write(chunk);
  });
  const { code, signal } = await new Promise<{ code: number | null; signal: string | null }>((resolve) => {
    child.on('error', (error) => {
      file.write(`\nbench: could not start: ${error.message}\n`);
      resolve({ code: null, signal: null });
    });
    child.on('close', (c, s) => resolve({ code: c, signal: s }));
  });
  const ms = performance.now() - started;
  file.write(`\n# exit ${code ?? signal} after ${(ms / 1000).toFixed(1)} s; load ${loadText()}\n`);
  await new Promise<void>((resolve) => file.end(resolve));
  outcomes.push({ name, code, signal, ms, log, tableLine: firstTableLine(log) });
}

console.log(`\n${'='.repeat(80)}\nbench summary (${new Date().toISOString()}, load ${loadText()})\n`);
console.log('benchmark | result | time | first table at');
console.log('--------- | ------ | ---- | --------------');
for (const o of outcomes) {
  const result = o.code === 0 ? 'ok' : `FAILED (${o.code ?? o.signal ?? 'did not start'})`;
  const where = o.tableLine !== undefined ? `${relative(process.cwd(), o.log)}:${o.tableLine}` : `${relative(process.cwd(), o.log)} (no table)`;
  console.log(`${o.name} | ${result} | ${(o.ms / 1000).toFixed(1)} s | ${where}`);
}
const missing = ['job-latency'].filter((n) => !existsSync(join(here, `${n}.ts`)));
if (missing.length > 0) console.log(`\nnot present (yet): ${missing.map((n) => `bench/${n}.ts`).join(', ')}`);
// every benchmark ran whatever happened to the others; the exit status says whether all of them succeeded
process.exitCode = outcomes.every((o) => o.code === 0) ? 0 : 1;

/** 1-based line number of the first markdown table header (a line followed by a `--- | ---` rule). */
function firstTableLine(file: string): number | undefined {
  const lines = readFileSync(file, 'utf8').split('\n');
  for (let i = 1; i < lines.length; i += 1) if (/^\s*-{2,}\s*\|/.test(lines[i]!) && lines[i - 1]!.includes('|')) return i;
  return undefined;
}

function loadText(): string {
  return loadavg().map((n) => n.toFixed(2)).join(' / ');
}
