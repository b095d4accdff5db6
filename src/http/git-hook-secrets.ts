// The secrets of POST /hooks/git, from the environment (docs/configuration.md
// "Environment"): `GITHUB_HOOK_SECRET`, `GITLAB_HOOK_SECRET`, `GITEA_HOOK_SECRET`, each
// falling back to `GIT_HOOK_SECRET`. A forge without one has its events refused (503).
import { Secret } from '../core/secret.ts';
import type { GitProvider } from './verify-git-signature.ts';

export function gitHookSecretsFromEnv(env: NodeJS.ProcessEnv): Partial<Record<GitProvider, Secret>> {
  const secrets: Partial<Record<GitProvider, Secret>> = {};
  for (const provider of ['github', 'gitlab', 'gitea'] as const) {
    const name = `${provider.toUpperCase()}_HOOK_SECRET`;
    const value = env[name] || env.GIT_HOOK_SECRET;
    if (value) secrets[provider] = new Secret(value, env[name] ? name : 'GIT_HOOK_SECRET');
  }
  return secrets;
}
