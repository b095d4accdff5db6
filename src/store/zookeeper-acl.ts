// The ACL the bot gives every node it creates (docs/operations.md, "ZooKeeper ACLs"). With
// `zookeeper.auth` (`user:password`, digest scheme): anyone may read, only that identity may
// write, create, delete or change the ACL. Without it: ZooKeeper's open ACL (for trials).
import { createHash } from 'node:crypto';
import { ACL, Id, Permission } from 'node-zookeeper-client';
import type { Secret } from '../core/secret.ts';
import { isDigestCredentials } from '../domain/digest-credentials.ts';

/** The digest scheme's id for `user:password`: `user:base64(sha1(user:password))`. */
export function digestId(credentials: string): string {
  if (!isDigestCredentials(credentials)) throw new Error('ZooKeeper digest credentials must be user:password');
  const user = credentials.slice(0, credentials.indexOf(':'));
  return `${user}:${createHash('sha1').update(credentials, 'utf8').digest('base64')}`;
}

/** The ACL of the nodes the bot creates. */
export function botNodeAcl(auth?: Secret): ACL[] {
  if (!auth) return [new ACL(Permission.ALL, new Id('world', 'anyone'))];
  return [new ACL(Permission.READ, new Id('world', 'anyone')), new ACL(Permission.ALL, new Id('digest', digestId(auth.reveal())))];
}
