// URL credentials are never shown: `https://user:token@host/x.git` reads
// `https://***@host/x.git` (docs/operations.md, "What is redacted").

/** scheme://userinfo@ — userinfo runs up to the last "@" before the host's path. */
const USERINFO = /\b([A-Za-z][A-Za-z0-9+.-]*:\/\/)[^\s/?#@'"<>`]*(?:@[^\s/?#@'"<>`]*)*@/g;

/** `text` with the userinfo of every URL in it replaced by `***`. */
export function redactUrlCredentials(text: string): string {
  if (!text.includes('@')) return text;
  return text.replace(USERINFO, '$1***@');
}

/** The userinfo of a URL (`user:token`), decoded, or undefined when it has none. */
export function urlCredentials(url: string): { scheme: string; user: string; password: string | undefined; raw: string } | undefined {
  const match = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/([^/?#]*)@/.exec(url);
  if (!match) return undefined;
  const scheme = match[1]!.toLowerCase();
  const raw = match[2]!;
  const colon = raw.indexOf(':');
  const user = colon === -1 ? raw : raw.slice(0, colon);
  const password = colon === -1 ? undefined : raw.slice(colon + 1);
  return { scheme, user: decode(user), password: password === undefined ? undefined : decode(password), raw };
}

function decode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
