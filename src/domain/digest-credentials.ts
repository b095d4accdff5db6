// ZooKeeper digest credentials (`zookeeper.auth`, docs/configuration.md): `user:password`,
// both parts non-empty. The user is everything before the first ":".

export function isDigestCredentials(credentials: string): boolean {
  const colon = credentials.indexOf(':');
  return colon > 0 && colon < credentials.length - 1;
}
