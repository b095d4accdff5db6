// Making one artifact once across every worker that shares the artifacts directory
// (docs/operations.md "Shared artifacts"), even over NFS: the worker that creates
// `<target>.claim` with O_EXCL makes it; the others wait until it is done. The claimant
// touches the claim every `staleMs / 4`; a claim whose mtime a waiter has seen unchanged
// for `staleMs` (by the waiter's own clock, so clock skew between machines does not count)
// belongs to a worker that died, and is taken over — by one waiter only: taking over means
// creating `<claim>.takeover-<token>` (O_EXCL again) for the token the stale claim holds.
import { randomUUID } from 'node:crypto';
import { open, readFile, rm, stat, utimes } from 'node:fs/promises';

export interface ClaimOnceOptions {
  /** A claim not refreshed for this long is taken over. */
  staleMs: number;
  /** How often a waiting worker looks again. @defaultValue min(250, staleMs / 4) */
  pollMs?: number;
}

export interface ClaimedResult<T> {
  value: T;
  /** This call made it (false: it was there, or another worker made it). */
  made: boolean;
}

/**
 * `done()` reads the finished artifact (undefined while there is none); `make()` makes it,
 * atomically (a rename into place), and is called by one worker at a time only.
 */
export async function claimOnce<T>(claimPath: string, options: ClaimOnceOptions, done: () => Promise<T | undefined>, make: () => Promise<T>): Promise<ClaimedResult<T>> {
  const pollMs = options.pollMs ?? Math.max(10, Math.min(250, options.staleMs / 4));
  let seen: { token: string; mtimeMs: number; since: number } | undefined;
  for (;;) {
    const existing = await done();
    if (existing !== undefined) return { value: existing, made: false };
    const token = randomUUID();
    if (await createExclusive(claimPath, token)) {
      const beat = setInterval(() => void utimes(claimPath, new Date(), new Date()).catch(() => undefined), Math.max(10, options.staleMs / 4));
      beat.unref();
      try {
        // another worker may have finished between our look and our claim
        const finished = await done();
        if (finished !== undefined) return { value: finished, made: false };
        return { value: await make(), made: true };
      } finally {
        clearInterval(beat);
        if ((await readToken(claimPath)) === token) await rm(claimPath, { force: true });
      }
    }
    const holder = await readClaim(claimPath);
    if (!holder) continue; // released meanwhile: look again
    if (!seen || seen.token !== holder.token || seen.mtimeMs !== holder.mtimeMs) {
      seen = { ...holder, since: Date.now() };
    } else if (Date.now() - seen.since >= options.staleMs) {
      await takeOver(claimPath, holder.token);
      seen = undefined;
      continue;
    }
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}

async function createExclusive(path: string, content: string): Promise<boolean> {
  try {
    const handle = await open(path, 'wx');
    try {
      await handle.writeFile(`${content}\n`);
    } finally {
      await handle.close();
    }
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
}

async function readToken(path: string): Promise<string | undefined> {
  return readFile(path, 'utf8').then((text) => text.trim(), () => undefined);
}

async function readClaim(path: string): Promise<{ token: string; mtimeMs: number } | undefined> {
  const info = await stat(path).catch(() => undefined);
  const token = await readToken(path);
  return info && token !== undefined ? { token, mtimeMs: info.mtimeMs } : undefined;
}

/** Removes the stale claim holding `token`, unless another waiter is already doing so. */
async function takeOver(claimPath: string, token: string): Promise<void> {
  const marker = `${claimPath}.takeover-${token.replace(/[^A-Za-z0-9-]/g, '') || 'empty'}`;
  if (!(await createExclusive(marker, token))) return;
  try {
    if ((await readToken(claimPath)) === token) await rm(claimPath, { force: true });
  } finally {
    await rm(marker, { force: true });
  }
}
