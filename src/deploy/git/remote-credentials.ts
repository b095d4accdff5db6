// Credentials in a repo URL (`https://user:token@host/x.git`) never reach a file the bot
// writes or a command line other processes can read: the mirror's git config holds the URL
// without them, and each git run gets a `url.<with>.insteadOf=<without>` rewrite through its
// environment (GIT_CONFIG_COUNT/KEY/VALUE), which only this user can read
// (docs/operations.md, "What is redacted").
import { urlCredentials } from '../../core/redact-url-credentials.ts';

export interface GitRemote {
  /** The URL git is told about and stores: without credentials. */
  url: string;
  /** Environment for the git run that puts the credentials back in. */
  env: Record<string, string>;
}

/** The names of the variables `env` may hold (simple-git guards them). */
export const REMOTE_CREDENTIAL_ENV = ['GIT_CONFIG_COUNT', 'GIT_CONFIG_KEY_0', 'GIT_CONFIG_VALUE_0'] as const;

export function gitRemote(repo: string): GitRemote {
  const credentials = urlCredentials(repo);
  // `ssh://git@host/x` carries only a login name: nothing to hide
  if (!credentials || (credentials.password === undefined && !/^https?$/.test(credentials.scheme))) return { url: repo, env: {} };
  const url = repo.replace(`${credentials.raw}@`, '');
  return { url, env: { GIT_CONFIG_COUNT: '1', GIT_CONFIG_KEY_0: `url.${repo}.insteadOf`, GIT_CONFIG_VALUE_0: url } };
}
