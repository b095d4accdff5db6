// Host keys are pinned in the config (`hostKey: "ssh-ed25519 AAAA..."`). The server must
// present exactly that key; anything else is refused, with both fingerprints named.
import { createHash } from 'node:crypto';
import type { ServerHostKeyAlgorithm } from 'ssh2';
import { DeploybotError } from '../../core/errors.ts';

export interface PinnedHostKey {
  type: string;
  blob: Buffer;
}

export function parsePinnedHostKey(line: string): PinnedHostKey {
  const [type, base64] = line.trim().split(/\s+/);
  const blob = Buffer.from(base64 ?? '', 'base64');
  if (!type || blob.length === 0 || blobKeyType(blob) !== type) {
    throw new DeploybotError('bad_host_key', `pinned host key is not a valid "${type ?? '?'} <base64>" public key line`);
  }
  return { type, blob };
}

/** The key type written inside an SSH public key blob (its first string). */
export function blobKeyType(blob: Buffer): string | undefined {
  if (blob.length < 4) return undefined;
  const length = blob.readUInt32BE(0);
  if (length > 64 || 4 + length > blob.length) return undefined;
  return blob.subarray(4, 4 + length).toString('latin1');
}

/** OpenSSH's fingerprint form: `SHA256:<base64 without padding>`. */
export function fingerprint(blob: Buffer): string {
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}

/** Ask the server for the pinned key's algorithm only, so a host with several keys presents the pinned one. */
export function hostKeyAlgorithms(type: string): ServerHostKeyAlgorithm[] {
  if (type === 'ssh-rsa') return ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'];
  return [type as ServerHostKeyAlgorithm];
}

export function hostKeyMismatch(host: string, where: string, pinned: PinnedHostKey, presented: Buffer): DeploybotError {
  return new DeploybotError(
    'host_key_mismatch',
    `${host} (${where}) presented host key ${fingerprint(presented)} (${blobKeyType(presented) ?? 'unknown type'}), but hosts.${host}.hostKey pins ${fingerprint(pinned.blob)} (${pinned.type}): refusing to connect. If the host was re-keyed on purpose, update hosts.${host}.hostKey.`,
    { host, presented: fingerprint(presented), pinned: fingerprint(pinned.blob) },
  );
}
