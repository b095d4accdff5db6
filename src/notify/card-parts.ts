// Pieces the card layouts share (docs/slack.md "Messages"): people as mentions, the fields
// every deploy card has (project, market, release, version, commit with its subject and
// link), and the commit's subject as the commits since production name it. Pure.
import type { Inline, MessageCard, RichLine } from '../core/chat-types.ts';
import type { DowngradeFrom } from '../deploy/deploy-notice.ts';
import type { DeployHeader, PersonRef } from './deploy-view-types.ts';
import { oneLine, shortHash } from './message-text.ts';

export type CardField = NonNullable<MessageCard['fields']>[number];

/** What the notifier knows beyond the notices: where a commit can be seen. */
export interface CardLinks {
  /** The web page of the deploy's commit (commit-web-url.ts). */
  commitUrl?: string;
}

export function person(ref: PersonRef): Inline {
  return ref.id === undefined ? { person: ref.name } : { person: ref.name, id: ref.id };
}

/** `a`, `a or b`, `a, b or c` (people who can each decide). */
export function people(refs: readonly PersonRef[], conjunction: 'or' | 'and' = 'or'): Inline[] {
  const out: Inline[] = [];
  refs.forEach((ref, i) => {
    if (i > 0) out.push(i === refs.length - 1 ? ` ${conjunction} ` : ', ');
    out.push(person(ref));
  });
  return out;
}

/** The subject of `commit` from `abc1234 subject` lines, if one of them is that commit. */
export function commitSubject(commit: string | undefined, lines: readonly string[] | undefined): string | undefined {
  if (!commit || !lines) return undefined;
  for (const line of lines) {
    const space = line.indexOf(' ');
    const hash = space > 0 ? line.slice(0, space) : '';
    if (hash.length >= 7 && commit.startsWith(hash)) return line.slice(space + 1);
  }
  return undefined;
}

/** Project, market, release, version (or ref), commit: the fields of every deploy card. */
export function deployFields(header: DeployHeader, commit: string | undefined, subject: string | undefined, links: CardLinks): CardField[] {
  const fields: CardField[] = [];
  if (header.project) fields.push({ label: 'Project', value: [header.project] });
  if (header.market) fields.push({ label: 'Market', value: [header.market] });
  if (header.release) fields.push({ label: 'Release', value: [header.release] });
  if (header.platforms && header.platforms.length > 0) fields.push({ label: 'Platforms', value: [oneLine(header.platforms.join(', '), 200)] });
  const version = header.version ?? header.ref;
  if (version) fields.push({ label: header.version ? 'Version' : 'Ref', value: [version] });
  if (commit) {
    const hash: Inline = links.commitUrl ? { link: links.commitUrl, text: shortHash(commit) } : { code: shortHash(commit) };
    const value: RichLine = subject ? [hash, ` ${oneLine(subject, 120)}`] : [hash];
    fields.push({ label: 'Commit', value });
  }
  return fields;
}

/** `⚠️ downgrade: abc1234 is older than production's def5678 (v1.4); approving goes back in history` */
export function downgradeWarning(from: DowngradeFrom, commit: string | undefined): string {
  return `⚠️ downgrade: ${commit ? `${shortHash(commit)} is` : 'this commit is'} older than production's ${shortHash(from.commit)}${from.version ? ` (${from.version})` : ''}; approving goes back in history`;
}
