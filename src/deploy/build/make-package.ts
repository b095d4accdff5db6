// The package a deploy ships (docs/reference/deploy-lifecycle.md): the cached code build plus the release layer —
// `filecache/release_indicator.json` (`{"name":"<release>"}`) and, when the checkout has
// `deploy/<release>.config.zoo` (or `deploy/config.zoo`), `filecache/<release>.config.zoo`,
// checked first (read-config-zoo-file.ts: regular file, 1 MB, 100 node-name keys).
// Packages are reproducible (sorted names, owner 0, every mtime = the commit time, gzip
// without a timestamp), so the same build and release always give the same sha256, on any
// worker. They are cached next to the build, per release, in the artifacts directory: made
// once by the workers sharing it (claim-once.ts), and used only after their sha256 is
// checked against the `.sha256` written beside them — a package that no longer matches is
// made again (docs/operations.md "Shared artifacts").
import { spawn } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { DeploybotError } from '../../core/errors.ts';
import { packageFileName } from '../../domain/release-id.ts';
import { RELEASE_INDICATOR_PATH, releaseIndicatorJson } from '../../domain/release-indicator.ts';
import type { CodeBuild } from './build-code.ts';
import { claimOnce } from './claim-once.ts';
import { readConfigZooFile } from './read-config-zoo-file.ts';

export interface ReleasePackage {
  /** Absolute path of the .tar.gz on this machine. */
  path: string;
  file: string;
  sha256: string;
  bytes: number;
  cacheHit: boolean;
}

export interface PackageOptions {
  /** A package claim not refreshed for this long is taken over. @defaultValue 30 s */
  staleClaimMs?: number;
}

/** `artifactsDir`: where packages live (artifacts-directory.ts). */
export async function makePackage(build: CodeBuild, artifactsDir: string, project: string, release: string, version: string, options: PackageOptions = {}): Promise<ReleasePackage> {
  const dir = join(artifactsDir, 'packages', project, build.id, release);
  const file = packageFileName(project, version, build.commit);
  const path = join(dir, file);
  const shaFile = `${path}.sha256`;
  const verified = async (): Promise<ReleasePackage | undefined> => {
    if (!existsSync(shaFile) || !existsSync(path)) return undefined;
    const expected = (await readFile(shaFile, 'utf8')).trim();
    if ((await sha256Of(path)) === expected) return { path, file, sha256: expected, bytes: (await stat(path)).size, cacheHit: true };
    // not what was made: made again (packages are reproducible, so the checksum comes back)
    await rm(shaFile, { force: true });
    return undefined;
  };
  const cached = await verified();
  if (cached) return cached;
  await mkdir(dir, { recursive: true });
  const { value } = await claimOnce(`${path}.claim`, { staleMs: options.staleClaimMs ?? 30_000 }, async () => (existsSync(shaFile) ? verified() : undefined), () => writePackage(build, dir, path, file, release));
  return value;
}

async function writePackage(build: CodeBuild, dir: string, path: string, file: string, release: string): Promise<ReleasePackage> {
  const shaFile = `${path}.sha256`;
  const unique = `${process.pid}-${randomUUID()}`;
  const layer = join(dir, `layer-${unique}`);
  const temp = `${path}.tmp-${unique}`;
  try {
    await writeLayer(build.sourceDir, layer, release);
    const { sha256, bytes } = await writeTarGz(temp, build, layer);
    await rename(temp, path);
    await writeFile(`${shaFile}.tmp-${unique}`, `${sha256}\n`);
    await rename(`${shaFile}.tmp-${unique}`, shaFile);
    return { path, file, sha256, bytes, cacheHit: false };
  } finally {
    await rm(layer, { recursive: true, force: true });
    await rm(temp, { force: true });
  }
}

async function sha256Of(path: string): Promise<string> {
  const hash = createHash('sha256');
  // 1 MiB reads: a third less CPU than the default 64 KiB for a package of tens of MB
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

async function writeLayer(sourceDir: string, layer: string, release: string): Promise<void> {
  const filecache = join(layer, 'filecache');
  await mkdir(filecache, { recursive: true });
  await writeFile(join(layer, RELEASE_INDICATOR_PATH), releaseIndicatorJson(release));
  // readConfigZooFile refuses a symlinked deploy/ or file (repository code wrote this tree)
  for (const candidate of [`${release}.config.zoo`, 'config.zoo']) {
    const found = await readConfigZooFile(sourceDir, candidate);
    if (!found) continue;
    await writeFile(join(filecache, `${release}.config.zoo`), found.content);
    return;
  }
}

async function writeTarGz(target: string, build: CodeBuild, layer: string): Promise<{ sha256: string; bytes: number }> {
  const args = [
    '--sort=name', '--owner=0', '--group=0', '--numeric-owner', `--mtime=@${build.commitTime}`, '--format=gnu',
    '--exclude=./.git', '-c', '-C', build.treeDir, '.', '-C', layer, '.',
  ];
  const tar = spawn('tar', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const stderr: Buffer[] = [];
  tar.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
  const exited = new Promise<number | null>((resolve, reject) => {
    tar.on('error', reject);
    tar.on('close', resolve);
  });
  const hash = createHash('sha256');
  let bytes = 0;
  const measure = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      bytes += chunk.length;
      done(null, chunk);
    },
  });
  await pipeline(tar.stdout, createGzip({ level: 6 }), measure, createWriteStream(target));
  const code = await exited;
  if (code !== 0) throw new DeploybotError('package_failed', `tar failed (${code}): ${Buffer.concat(stderr).toString('utf8').trim()}`);
  return { sha256: hash.digest('hex'), bytes };
}
