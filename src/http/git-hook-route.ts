// POST /hooks/git (docs/operations.md "Builds made ahead"): push events from GitHub, GitLab
// and Gitea queue builds of the pushed branches and tags that match the project's
// `prebuild` globs. In order: the body is read (413 past the limit); the forge is told by
// its event header (400 without one); its signature is checked over the raw body (401;
// 503 when no secret is set for that forge); the JSON is checked against the forge's push
// shape (400); the project is the one named by `?project=` or the ones whose `repo` is
// one of the event's repository URLs (404). Then 202 `{"queued": [...], "duplicates": [...]}`:
// a commit already queued is listed as a duplicate and queued again never. Nothing is
// queued for a refused request, for another event (`ping`), a deleted ref, or refs no glob
// matches. Secrets and signatures are never logged.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Config } from '../../config/load-config.ts';
import type { QueuedPrebuild } from '../app/queue-prebuild.ts';
import type { Logger } from '../core/logger.ts';
import { ownEntry } from '../core/own-entry.ts';
import type { Secret } from '../core/secret.ts';
import { isPrebuilt, pushedRef } from '../domain/prebuild-refs.ts';
import { normalizeRepositoryUrl } from '../domain/repository-url.ts';
import { gitProviderOf, isPushEvent, parsePushEvent } from './parse-push-event.ts';
import { readBodyOr413 } from './read-raw-body.ts';
import { sendJson } from './send-json.ts';
import { type GitProvider, verifyGitSignature } from './verify-git-signature.ts';

export interface PrebuildTarget {
  project: string;
  /** The branch or tag's short name. */
  ref: string;
  commit: string;
}

export interface GitHookOptions {
  /** Per forge: `GITHUB_HOOK_SECRET`, `GITLAB_HOOK_SECRET`, `GITEA_HOOK_SECRET`, each else `GIT_HOOK_SECRET` (git-hook-secrets.ts). */
  secrets: Partial<Record<GitProvider, Secret>>;
  config: Config;
  /** Queues one pre-build (queue-prebuild.ts), or says it is queued already. */
  queue: (target: PrebuildTarget) => Promise<QueuedPrebuild>;
  logger: Logger;
  /** @defaultValue 5 MB (GitHub caps push payloads at 25 MB; a push's commit list is the bulk) */
  maxBodyBytes?: number;
}

export function createGitHookRoute(options: GitHookOptions) {
  const limit = options.maxBodyBytes ?? 5 * 1024 * 1024;
  const logger = options.logger.child({ component: 'git-hook' });
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const raw = await readBodyOr413(req, res, limit);
    if (!raw) return;
    const source = gitProviderOf(req.headers);
    if (!source) return sendJson(res, 400, { error: 'not a push event: no X-GitHub-Event, X-Gitlab-Event or X-Gitea-Event header' });
    const { provider, event } = source;
    const secret = options.secrets[provider];
    if (!secret) {
      logger.warn('git hook refused: no secret is set for this forge', { provider });
      return sendJson(res, 503, { error: `${provider} push events are off: set ${provider.toUpperCase()}_HOOK_SECRET or GIT_HOOK_SECRET` });
    }
    if (!verifyGitSignature(provider, secret, raw, req.headers)) {
      logger.warn('git hook refused: bad or missing signature', { provider, remote: req.socket.remoteAddress });
      return sendJson(res, 401, { error: `bad or missing ${headerName(provider)}` });
    }
    if (!isPushEvent(provider, event)) return sendJson(res, 202, { queued: [], duplicates: [], ignored: `${event.slice(0, 100)} is not a push event` });
    let json: unknown;
    try {
      json = JSON.parse(raw.toString('utf8'));
    } catch {
      return sendJson(res, 400, { error: 'body is not JSON (send application/json)' });
    }
    const parsed = parsePushEvent(provider, json);
    if (!parsed.ok) return sendJson(res, 400, { error: `not a ${provider} push event`, problems: parsed.problems });
    const push = parsed.push;

    const named = new URL(req.url ?? '/', 'http://localhost').searchParams.get('project');
    let projects: string[];
    if (named !== null) {
      if (!ownEntry(options.config.projects, named)) return sendJson(res, 404, { error: `unknown project "${named.slice(0, 100)}"` });
      projects = [named];
    } else {
      const urls = new Set(push.repositoryUrls.map(normalizeRepositoryUrl).filter((u): u is string => u !== undefined));
      projects = Object.entries(options.config.projects).filter(([, p]) => urls.has(normalizeRepositoryUrl(p.repo) ?? '')).map(([name]) => name);
      if (projects.length === 0) {
        logger.info('git hook: push from a repository no project uses', { provider });
        return sendJson(res, 404, { error: 'unknown repository: no project has one of its URLs as `repo` (or name it with ?project=<name>)' });
      }
    }

    const ref = pushedRef(push.ref);
    const queued: PrebuildTarget[] = [];
    const duplicates: PrebuildTarget[] = [];
    if (ref && push.commit) {
      for (const project of projects) {
        if (!isPrebuilt(ref, options.config.projects[project]!.prebuild)) continue;
        const target = { project, ref: ref.name, commit: push.commit };
        let outcome: QueuedPrebuild;
        try {
          outcome = await options.queue(target);
        } catch (error) {
          logger.error('git hook: the build could not be queued (Redis)', { project, ref: ref.name, error });
          return sendJson(res, 503, { error: 'the job queue (Redis) is unreachable; nothing more was queued, deliver the event again later', queued, duplicates });
        }
        (outcome.queued ? queued : duplicates).push(target);
      }
    }
    if (queued.length > 0) logger.info('git hook: pre-builds queued', { provider, builds: queued.map((q) => `${q.project} ${q.ref} ${q.commit.slice(0, 12)}`) });
    sendJson(res, 202, { queued, duplicates });
  };
}

function headerName(provider: GitProvider): string {
  return { github: 'X-Hub-Signature-256', gitlab: 'X-Gitlab-Token', gitea: 'X-Gitea-Signature' }[provider];
}
