// simple-git bound to one directory, with git's environment kept minimal (never the bot's
// own environment) and prompts off, so a private repo without credentials fails instead of
// hanging.
import { simpleGit, type SimpleGit } from 'simple-git';
import { minimalEnvironment } from '../../services/minimal-environment.ts';
import { REMOTE_CREDENTIAL_ENV } from './remote-credentials.ts';

/** `extraEnv`: a remote's credential rewrite (remote-credentials.ts), when the run talks to one. */
export function gitClient(baseDir: string, timeoutMs = 300_000, extraEnv: Record<string, string> = {}): SimpleGit {
  // the config-from-environment variables are ours (a remote's insteadOf rewrite), never a user's
  const unsafe = Object.keys(extraEnv).length > 0 ? { allowUnsafeConfigEnvCount: true, allowUnsafeUrlRewrite: true } : {};
  return simpleGit({ baseDir, timeout: { block: timeoutMs }, allowEnvironment: ['GIT_TERMINAL_PROMPT', 'GIT_CONFIG_NOSYSTEM', ...REMOTE_CREDENTIAL_ENV], unsafe }).env({
    ...minimalEnvironment(),
    GIT_TERMINAL_PROMPT: '0',
    GIT_CONFIG_NOSYSTEM: '1',
    ...extraEnv,
  });
}
