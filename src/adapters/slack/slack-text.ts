// Slack's text limits and the text helpers every Slack renderer shares: mrkdwn escaping,
// cutting to a limit, splitting into sections (docs/slack.md "Messages").

export const SLACK_LIMITS = {
  blocks: 50,
  sectionText: 3000,
  /** Top-level `text` (chat.update allows 4000; the fallback notification needs far less). */
  fallbackText: 3000,
  actionsElements: 25,
  buttonText: 75,
  buttonValue: 2000,
  confirmTitle: 100,
  confirmText: 300,
} as const;

/** Slack's mrkdwn control characters; without this a reason like `<!channel>` would ping everyone. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  return `${text.slice(0, max - 1)}…`;
}

/** Splits at line breaks where possible; never returns an empty chunk (Slack refuses empty sections). */
export function chunkText(text: string, max: number): string[] {
  const source = text.length === 0 ? ' ' : text;
  const chunks: string[] = [];
  let rest = source;
  while (rest.length > max) {
    let cut = rest.lastIndexOf('\n', max);
    if (cut <= 0) cut = max;
    chunks.push(rest.slice(0, cut));
    rest = rest.slice(cut).replace(/^\n/, '');
  }
  if (rest.length > 0) chunks.push(rest);
  return chunks;
}
