// The HTML shell every deploy page shares (docs/deploy-page.md): escaping, the one inline
// style sheet (allowed by its hash in the Content-Security-Policy, so no inline style
// attribute and no inline script is needed anywhere), and the policy itself. Pure.
import { createHash } from 'node:crypto';

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** Where the page's script is served (same origin; CSP `script-src 'self'`). */
export const PAGE_SCRIPT_PATH = '/deploys/page.js';

const STYLE = `
body{font:14px/1.4 system-ui,sans-serif;margin:0;color:#1d2330;background:#f6f7f9}
header,main>section{margin:12px 16px;padding:12px 16px;background:#fff;border:1px solid #dde1e7;border-radius:6px}
h1{font-size:18px;margin:0 0 8px}h2{font-size:15px;margin:0 0 8px}
dl{display:grid;grid-template-columns:max-content 1fr;gap:2px 12px;margin:0}dt{color:#5a6473}dd{margin:0}
.state{font-weight:600;padding:1px 8px;border-radius:10px}
.state.s-success,.state.s-done{background:#c8e6c9}.state.s-failed,.state.s-partial{background:#ffcdd2}.state.s-running,.state.s-queued,.state.s-preparing{background:#fff3c4}
svg{display:block;max-width:100%;height:auto}
svg text{font:12px system-ui,sans-serif;fill:#1d2330}
.node rect{stroke:#8a94a3;stroke-width:1}.edge{stroke:#8a94a3;stroke-width:1.5;fill:none}
.s-pending rect{fill:#eceff3}.s-running rect{fill:#ffe082}.s-done rect{fill:#81c784}.s-failed rect{fill:#e57373}.s-skipped rect{fill:#cfd4da}.s-stopped rect{fill:#b0b6bf}
.s-checking rect{fill:#fff3c4}.s-healthy rect{fill:#81c784}.s-unhealthy rect{fill:#e57373}[data-rolled-back] rect{stroke:#1d2330;stroke-dasharray:4 2}
.wave-label{font-weight:600}
.bar.b-distribute{fill:#64b5f6}.bar.b-beforeDeploy{fill:#9575cd}.bar.b-link{fill:#4db6ac}.bar.b-afterDeploy{fill:#f06292}.bar.s-failed{fill:#d32f2f}
.axis{stroke:#dde1e7}
pre#log{max-height:480px;overflow:auto;background:#1d2330;color:#e8ebf0;padding:8px;border-radius:4px;font:12px/1.35 ui-monospace,monospace;white-space:pre-wrap;margin:0}
table{border-collapse:collapse}td,th{padding:3px 8px;border-bottom:1px solid #eceff3;text-align:left}
.muted{color:#5a6473}form{margin:0 0 8px}
`;

const STYLE_HASH = `sha256-${createHash('sha256').update(STYLE).digest('base64')}`;

/** Allows the page's own script and style sheet only: no inline script, nothing from elsewhere. */
export const PAGE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  `style-src '${STYLE_HASH}'`,
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

export function pageDocument(title: string, body: string, options: { script?: boolean } = {}): string {
  const script = options.script ? `<script src="${PAGE_SCRIPT_PATH}" defer></script>` : '';
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><link rel="icon" href="data:,"><title>${escapeHtml(title)}</title><style>${STYLE}</style>${script}</head><body>${body}</body></html>`;
}
