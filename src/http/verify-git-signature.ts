// Whether a push event comes from the forge (docs/operations.md "Builds made ahead"), over
// the raw body, in constant time: GitHub `X-Hub-Signature-256: sha256=<hex HMAC-SHA256>`,
// Gitea `X-Gitea-Signature: <hex HMAC-SHA256>`, GitLab `X-Gitlab-Token: <the secret>`
// (GitLab signs nothing: the token is compared as SHA-256 digests, so the comparison takes
// the same time whatever its length). Anything malformed is simply "not valid".
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { Secret } from '../core/secret.ts';

export type GitProvider = 'github' | 'gitlab' | 'gitea';

type Headers = Record<string, string | string[] | undefined>;

const GIT_SIGNATURE_HEADERS: Record<GitProvider, string> = {
  github: 'x-hub-signature-256',
  gitlab: 'x-gitlab-token',
  gitea: 'x-gitea-signature',
};

export function verifyGitSignature(provider: GitProvider, secret: Secret, body: Buffer, headers: Headers): boolean {
  const header = headers[GIT_SIGNATURE_HEADERS[provider]];
  if (typeof header !== 'string') return false;
  if (provider === 'gitlab') return sameBytes(sha256(Buffer.from(header, 'utf8')), sha256(Buffer.from(secret.reveal(), 'utf8')));
  const pattern = provider === 'github' ? /^sha256=([0-9a-fA-F]{64})$/ : /^([0-9a-fA-F]{64})$/;
  const match = pattern.exec(header.trim());
  if (!match) return false;
  return sameBytes(Buffer.from(match[1]!, 'hex'), createHmac('sha256', secret.reveal()).update(body).digest());
}

function sha256(bytes: Buffer): Buffer {
  return createHash('sha256').update(bytes).digest();
}

function sameBytes(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}
