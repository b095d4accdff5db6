import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { repositorySandbox } from '../../src/deploy/repository-sandbox.ts';
import { packagerArgv, runPackager, splitTemplate } from '../../src/store/run-packager.ts';

const dirs: string[] = [];
function tree(): string {
  const dir = mkdtempSync(join(tmpdir(), 'deploybot-packager-'));
  dirs.push(dir);
  mkdirSync(join(dir, 'scripts'));
  // Writes an output whose size is given by the pair (`<from>` as a number of kB), and logs its argv.
  writeFileSync(join(dir, 'scripts', 'make-patch'), [
    '#!/bin/sh',
    'printf "%s\\n" "$@" >> "$PWD/argv.log"',
    'while [ $# -gt 0 ]; do case "$1" in --from) from=$2; shift 2;; --to) to=$2; shift 2;; --out) out=$2; shift 2;; *) shift;; esac; done',
    'case "$from" in fail) echo "cannot diff $from" >&2; exit 3;; slow) exec sleep 30;; none) exit 0;; esac',
    'size=$(echo "$from" | tr -cd 0-9); head -c "${size:-1}000" /dev/zero > "$out"',
    '',
  ].join('\n'));
  chmodSync(join(dir, 'scripts', 'make-patch'), 0o755);
  return dir;
}
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe('packager runner (docs/reference/release-rules.md)', () => {
  it('when a template is split, then quotes group words and nothing is expanded', () => {
    expect(splitTemplate(`scripts/make-patch --label "a b" --x 'c d' e\\ f $HOME`)).toEqual(['scripts/make-patch', '--label', 'a b', '--x', 'c d', 'e f', '$HOME']);
    expect(() => splitTemplate('make "x')).toThrow(/unclosed/);
  });

  it('when placeholders are substituted, then it happens per argument after splitting', () => {
    expect(packagerArgv('mk --from={from} --to {to} --out {out}', { from: 'v1 ; rm -rf /', to: '$(id)', out: '/o' })).toEqual(['mk', '--from=v1 ; rm -rf /', '--to', '$(id)', '--out', '/o']);
    expect(() => packagerArgv('mk {form}', { from: 'a' })).toThrow(/uses \{form\}/);
  });

  it('when pairs are packaged, then each output size is recorded and a version cannot splice a command', async () => {
    const dir = tree();
    const result = await runPackager({
      project: 'mala-client',
      template: 'scripts/make-patch --from {from} --to {to} --out {out}',
      pairs: [{ from: 'c-3', to: 'c-7' }, { from: 'c-5;touch${IFS}pwned', to: 'c-7' }],
      cwd: dir,
      outDir: join(dir, 'out'),
    });
    expect(result.packages.map((p) => p.ok)).toEqual([true, true]);
    expect(result.spans).toEqual([{ from: 'c-3', to: 'c-7', size: 3000 }, { from: 'c-5;touch${IFS}pwned', to: 'c-7', size: 5000 }]);
    expect(existsSync(join(dir, 'pwned'))).toBe(false);
    expect(readFileSync(join(dir, 'argv.log'), 'utf8')).toContain('c-5;touch${IFS}pwned\n');
    expect(result.packages[0]!.out).toBe(join(dir, 'out', 'mala-client-c-3-to-c-7.pkg'));
  });

  it('when the packager fails, times out or writes nothing, then that pair fails with the reason and output tail', async () => {
    const dir = tree();
    const result = await runPackager({
      project: 'p',
      template: 'scripts/make-patch --from {from} --to {to} --out {out}',
      pairs: [{ from: 'fail', to: 'v2' }, { from: 'slow', to: 'v2' }, { from: 'none', to: 'v2' }, { from: 'v1', to: 'v2' }],
      cwd: dir,
      outDir: join(dir, 'out'),
      timeoutMs: 500,
    });
    const [failed, slow, none, fine] = result.packages;
    expect(failed).toMatchObject({ ok: false, error: 'packager for fail → v2 exited with 3', outputTail: 'cannot diff fail' });
    expect(slow).toMatchObject({ ok: false, error: 'packager for slow → v2 timed out after 500 ms' });
    expect(none).toMatchObject({ ok: false, error: expect.stringContaining('exited 0 but wrote no') });
    expect(fine).toMatchObject({ ok: true, size: 1000 });
    expect(result.spans).toHaveLength(1);
  });

  it('when the program does not exist, then the pair fails saying it could not start', async () => {
    const dir = tree();
    const result = await runPackager({ project: 'p', template: 'scripts/nope {from} {to} {out}', pairs: [{ from: 'a', to: 'b' }], cwd: dir, outDir: join(dir, 'out') });
    expect(result.packages[0]).toMatchObject({ ok: false, error: expect.stringMatching(/could not start \(ENOENT\)/) });
  });
});

describe('packager in the sandbox (real bwrap; docs/operations.md)', () => {
  const sandbox = repositorySandbox('mala-client', { sandbox: 'on', network: false });

  it('when pairs are packaged in the sandbox, then the outputs land in the output folder with their sizes, and failures and timeouts are reported as without it', async () => {
    await sandbox.ready();
    const dir = tree();
    const result = await runPackager({
      project: 'p',
      template: 'scripts/make-patch --from {from} --to {to} --out {out}',
      pairs: [{ from: 'c-3', to: 'c-7' }, { from: 'fail', to: 'v2' }, { from: 'slow', to: 'v2' }, { from: 'none', to: 'v2' }],
      cwd: dir,
      outDir: join(dir, 'out'),
      timeoutMs: 1000,
      sandbox,
    });
    const [fine, failed, slow, none] = result.packages;
    expect(fine).toMatchObject({ ok: true, size: 3000, out: join(dir, 'out', 'p-c-3-to-c-7.pkg') });
    expect(failed).toMatchObject({ ok: false, error: 'packager for fail → v2 exited with 3', outputTail: 'cannot diff fail' });
    expect(slow).toMatchObject({ ok: false, error: 'packager for slow → v2 timed out after 1 s' });
    expect(none).toMatchObject({ ok: false, error: expect.stringContaining('exited 0 but wrote no') });
    // the program saw its tree as /build and its output as /out, never the real paths
    expect(readFileSync(join(dir, 'argv.log'), 'utf8')).toContain('/out/p-c-3-to-c-7.pkg\n');
    expect(readFileSync(join(dir, 'argv.log'), 'utf8')).not.toContain(dir);
  });

  it('when a packager tries to read outside its tree, then it finds nothing and runs unprivileged', async () => {
    const dir = tree();
    const secret = join(tmpdir(), `deploybot-packager-secret-${process.pid}`);
    writeFileSync(secret, 'top secret');
    dirs.push(secret);
    writeFileSync(join(dir, 'scripts', 'make-patch'), `#!/bin/sh\n{ id -u; cat ${secret} /proc/1/environ; ls /proc; } > "$3" 2>&1\n`);
    const result = await runPackager({ project: 'p', template: 'scripts/make-patch {from} {to} {out}', pairs: [{ from: 'a', to: 'b' }], cwd: dir, outDir: join(dir, 'out'), env: { PATH: '/usr/bin:/bin', SECRET_IN_ENV: 'no' }, sandbox });
    expect(result.packages[0]).toMatchObject({ ok: true });
    const seen = readFileSync(join(dir, 'out', 'p-a-to-b.pkg'), 'utf8');
    expect(seen).not.toContain('top secret');
    expect(seen).toContain(`cat: ${secret}: No such file or directory`);
    if (process.getuid?.() === 0) expect(seen.split('\n')[0]).toBe('65534');
  });
});
