// The command that receives a package on an SSH host, run with this machine's /bin/sh, tar
// and coreutils: what arrives on stdin is kept, unpacked, only when its sha256 is the expected
// one (docs/reference/deploy-lifecycle.md, "Distribute").
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { RECEIVED_CHECKSUM_MISMATCH, RECEIVED_UNPACK_FAILED, receivePackageArgv } from '../../src/deploy/transports/receive-package-script.ts';

const base = mkdtempSync(join(tmpdir(), 'deploybot-receive-'));
afterAll(() => rmSync(base, { recursive: true, force: true }));

// a package as the build makes one: a tree with the release indicator, tar + gzip
const tree = join(base, 'tree');
mkdirSync(join(tree, 'filecache'), { recursive: true });
writeFileSync(join(tree, 'filecache/release_indicator.json'), '{"name":"production"}\n');
writeFileSync(join(tree, 'app.bin'), createHash('sha512').update('seed').digest().toString('hex').repeat(2000));
execFileSync('tar', ['-czf', join(base, 'package.tar.gz'), '-C', tree, '.']);
const pkg = readFileSync(join(base, 'package.tar.gz'));
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

// the same tools without openssl: the script falls back to sha256sum
const noOpenssl = join(base, 'bin');
mkdirSync(noOpenssl);
for (const tool of ['sh', 'rm', 'mkdir', 'mkfifo', 'tar', 'gzip', 'tee', 'cat', 'sha256sum']) {
  symlinkSync(execFileSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).trim(), join(noOpenssl, tool));
}

let n = 0;
function receive(input: Buffer, expected: string, path = process.env.PATH!) {
  const into = join(base, 'incoming', `r${++n}.unpacking`);
  const argv = receivePackageArgv(into, expected);
  const run = spawnSync(argv[0]!, argv.slice(1), { input, encoding: 'utf8', env: { PATH: path } });
  return { into, status: run.status, stdout: run.stdout, stderr: run.stderr, left: readdirSync(join(base, 'incoming')).filter((name) => name.startsWith(`r${n}.`)) };
}

describe('receiving a package on a host', () => {
  it('when the package arrives whole, then it is unpacked into the directory and nothing else is left', () => {
    for (const path of [process.env.PATH!, noOpenssl]) {
      const got = receive(pkg, sha256(pkg), path);
      expect(got.status, got.stderr).toBe(0);
      expect(readFileSync(join(got.into, 'filecache/release_indicator.json'), 'utf8')).toBe('{"name":"production"}\n');
      expect(readFileSync(join(got.into, 'app.bin'))).toEqual(readFileSync(join(tree, 'app.bin')));
      expect(got.left).toEqual([`r${n}.unpacking`]);
    }
  });

  it('when what arrives differs from the package in any byte or ends early, then it is refused with the sha256 it had and no directory is left', () => {
    const spoiled = fc.oneof(
      fc.record({ at: fc.nat({ max: pkg.length - 1 }), flip: fc.integer({ min: 1, max: 255 }) }).map(({ at, flip }) => {
        const copy = Buffer.from(pkg);
        copy[at] = copy[at]! ^ flip;
        return copy;
      }),
      fc.nat({ max: pkg.length - 1 }).map((length) => pkg.subarray(0, length)),
      fc.uint8Array({ minLength: 1, maxLength: 64 }).map((tail) => Buffer.concat([pkg, tail])),
    );
    fc.assert(
      fc.property(spoiled, fc.boolean(), (bytes, withOpenssl) => {
        const got = receive(bytes, sha256(pkg), withOpenssl ? process.env.PATH! : noOpenssl);
        expect(got.status).toBe(RECEIVED_CHECKSUM_MISMATCH);
        expect(got.stdout.trim()).toBe(sha256(bytes));
        expect(existsSync(got.into)).toBe(false);
        expect(got.left).toEqual([]);
      }),
      { numRuns: 25 },
    );
  });

  it('when the bytes are the expected ones but not a .tar.gz, then the unpack fails and no directory is left', () => {
    const notAnArchive = Buffer.from('not a tar.gz\n');
    const got = receive(notAnArchive, sha256(notAnArchive));
    expect(got.status).toBe(RECEIVED_UNPACK_FAILED);
    expect(existsSync(got.into)).toBe(false);
    expect(got.left).toEqual([]);
  });

  it('when the directory exists from a killed run, then it is replaced, not merged', () => {
    const into = join(base, 'incoming', `r${n + 1}.unpacking`);
    mkdirSync(into, { recursive: true });
    writeFileSync(join(into, 'stale.txt'), 'half of an older try');
    const got = receive(pkg, sha256(pkg));
    expect(got.status, got.stderr).toBe(0);
    expect(existsSync(join(into, 'stale.txt'))).toBe(false);
    expect(existsSync(join(into, 'app.bin'))).toBe(true);
  });
});
