import { createHash } from 'node:crypto';
import type { Branding } from './branding.js';
import { STYLESHEET_PATH } from './stylesheet.js';

export interface PageContent {
  language: string;
  title: string;
  message: string;
  /** Which mark the page shows: a tick for good news, a neutral mark otherwise. */
  tone: 'ask' | 'done' | 'neutral';
  /** A button that POSTs `fields` to `action` (the confirm page). */
  form?: { action: string; label: string; fields: Record<string, string> };
}

const escapeHtml = (value: string) => value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);

const MARKS: Record<PageContent['tone'], string> = {
  ask: '<path d="M4 6h16v12H4z"/><path d="m4 7 8 6 8-6"/>',
  done: '<path d="m5 12.5 4.5 4.5L19 7.5"/>',
  neutral: '<path d="M12 7v6"/><path d="M12 17h.01"/>',
};

/** The Content-Security-Policy of a page: nothing but this server, the site's logo and the hashed colour block. */
function contentSecurityPolicy(styleHash: string, logoUrl: string | undefined): string {
  const logoOrigin = logoUrl && !logoUrl.startsWith('/') ? ` ${new URL(logoUrl).origin}` : '';
  return [
    "default-src 'none'",
    `style-src 'self' 'sha256-${styleHash}'`,
    `img-src 'self'${logoOrigin}`,
    "form-action 'self'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** One person-facing page in the site's look, and the CSP header that goes with it. */
export function renderPage(branding: Branding, content: PageContent): { html: string; csp: string } {
  const { colors } = branding;
  // Only validated hex colours reach this block (branding.ts), so its hash is all the CSP needs.
  const style = `:root{--brand:${colors.brand};--on-brand:${colors.onBrand};--page-bg:${colors.background};--text:${colors.text}}`;
  const styleHash = createHash('sha256').update(style).digest('base64');
  const site = escapeHtml(branding.siteName);
  const mark = branding.logoUrl ? `<img class="logo" src="${escapeHtml(branding.logoUrl)}" alt="${site}">` : `<span class="wordmark">${site}</span>`;
  const form = content.form
    ? `<form method="post" action="${escapeHtml(content.form.action)}">${Object.entries(content.form.fields)
        .map(([name, value]) => `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`)
        .join('')}<button class="button" type="submit">${escapeHtml(content.form.label)}</button></form>`
    : '';
  const html = `<!doctype html>
<html lang="${escapeHtml(content.language)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<title>${escapeHtml(content.title)} · ${site}</title>
<link rel="stylesheet" href="${STYLESHEET_PATH}">
<style>${style}</style>
</head>
<body>
<header class="masthead"><div class="masthead-inner">${mark}</div></header>
<main>
<div class="card">
<div class="badge${content.tone === 'neutral' ? ' badge-muted' : ''}" aria-hidden="true"><svg viewBox="0 0 24 24">${MARKS[content.tone]}</svg></div>
<h1>${escapeHtml(content.title)}</h1>
<p class="message">${content.message}</p>
${form}
</div>
</main>
<footer><p>${site}</p></footer>
</body>
</html>
`;
  return { html, csp: contentSecurityPolicy(styleHash, branding.logoUrl) };
}

export { escapeHtml };
