// A forge's push event, from its documented shape (docs/operations.md "Builds made ahead"):
// which forge sent it (Gitea also sends `X-GitHub-Event`, so its own header wins), whether
// it is a push, the full ref, the pushed commit and the repository's URLs.
//   GitHub, Gitea: `ref`, `after`, `deleted`, `repository.{clone_url, ssh_url, git_url, html_url, url}`
//   GitLab (`object_kind` push / tag_push): `ref`, `after`, `checkout_sha`,
//     `project.{git_http_url, git_ssh_url, web_url}`, `repository.{git_http_url, git_ssh_url, url, homepage}`
import { z } from 'zod';
import type { GitProvider } from './verify-git-signature.ts';

type Headers = Record<string, string | string[] | undefined>;

/** The forge and its event name, from the headers; undefined when no forge sent it. */
export function gitProviderOf(headers: Headers): { provider: GitProvider; event: string } | undefined {
  for (const [provider, header] of [['gitea', 'x-gitea-event'], ['gitlab', 'x-gitlab-event'], ['github', 'x-github-event']] as const) {
    const event = headers[header];
    if (typeof event === 'string' && event.length > 0 && event.length <= 100) return { provider, event };
  }
  return undefined;
}

/** Whether the event is a push (of branches or tags). */
export function isPushEvent(provider: GitProvider, event: string): boolean {
  return provider === 'gitlab' ? event === 'Push Hook' || event === 'Tag Push Hook' : event === 'push';
}

export interface PushEvent {
  /** `refs/heads/main`, `refs/tags/v1.3`. */
  ref: string;
  /** The pushed commit; undefined when the ref was deleted. */
  commit: string | undefined;
  repositoryUrls: string[];
}

const sha = z.string().regex(/^[0-9a-f]{40}$/i);
const url = z.string().min(1).max(2000);
const urls = (keys: readonly string[]) => z.object(Object.fromEntries(keys.map((k) => [k, url.nullish()])));
const deletedSha = /^0{40}$/;

const githubShape = z.object({
  ref: z.string().min(1).max(1000),
  after: sha,
  deleted: z.boolean().optional(),
  repository: urls(['clone_url', 'ssh_url', 'git_url', 'html_url', 'url']),
});

const gitlabShape = z.object({
  object_kind: z.enum(['push', 'tag_push']),
  ref: z.string().min(1).max(1000),
  after: sha,
  checkout_sha: sha.nullish(),
  project: urls(['git_http_url', 'git_ssh_url', 'web_url', 'url', 'http_url', 'ssh_url']).optional(),
  repository: urls(['git_http_url', 'git_ssh_url', 'url', 'homepage']).optional(),
});

export type ParsedPush = { ok: true; push: PushEvent } | { ok: false; problems: string[] };

export function parsePushEvent(provider: GitProvider, json: unknown): ParsedPush {
  if (provider === 'gitlab') {
    const parsed = gitlabShape.safeParse(json);
    if (!parsed.success) return fail(parsed.error);
    const body = parsed.data;
    const deleted = deletedSha.test(body.after);
    const commit = deleted ? undefined : (body.checkout_sha ?? body.after).toLowerCase();
    return { ok: true, push: { ref: body.ref, commit, repositoryUrls: present({ ...body.repository, ...body.project }) } };
  }
  const parsed = githubShape.safeParse(json);
  if (!parsed.success) return fail(parsed.error);
  const body = parsed.data;
  const deleted = body.deleted === true || deletedSha.test(body.after);
  return { ok: true, push: { ref: body.ref, commit: deleted ? undefined : body.after.toLowerCase(), repositoryUrls: present(body.repository) } };
}

function present(values: Record<string, string | null | undefined>): string[] {
  return [...new Set(Object.values(values).filter((v): v is string => typeof v === 'string'))];
}

function fail(error: z.ZodError): ParsedPush {
  return { ok: false, problems: error.issues.slice(0, 10).map((issue) => `${issue.path.join('.') || 'body'}: ${issue.message}`) };
}
