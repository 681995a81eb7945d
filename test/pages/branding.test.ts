import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import type { Site } from '../../src/core/types.js';
import { brandingOf, contrast, DEFAULT_COLORS } from '../../src/pages/branding.js';
import { renderPage } from '../../src/pages/layout.js';

const site = (settings: Site['settings']): Site =>
  ({ name: 'shop', settings, tenantId: 't', id: 's', gigyaApiKey: null, boostcomSlug: null, naviga: null }) as unknown as Site;

describe('site branding of the person-facing pages', () => {
  it('defaults: the site name, the accessible default colours, no logo, GET never confirms', () => {
    const b = brandingOf(site({}));
    assert.equal(b.siteName, 'shop');
    assert.deepEqual(b.colors, { brand: DEFAULT_COLORS.brand, onBrand: '#ffffff', background: DEFAULT_COLORS.background, text: DEFAULT_COLORS.text });
    assert.equal(b.logoUrl, undefined);
    assert.equal(b.oneClickConfirm, false);
    assert.ok(contrast(DEFAULT_COLORS.brand, '#ffffff') >= 4.5, 'button text meets WCAG AA');
    assert.ok(contrast(DEFAULT_COLORS.text, DEFAULT_COLORS.background) >= 4.5);
  });

  it('takes only hex colours and https or local logos; text on the brand colour is whichever contrasts more', () => {
    const b = brandingOf(
      site({
        pages: { colors: { brand: '#FFD400', background: 'red;}body{display:none', text: 'url(x)' }, logoUrl: 'javascript:alert(1)', oneClickConfirm: 'yes' },
      }),
    );
    assert.deepEqual(b.colors, { brand: '#ffd400', onBrand: '#111111', background: DEFAULT_COLORS.background, text: DEFAULT_COLORS.text });
    assert.equal(b.logoUrl, undefined);
    assert.equal(b.oneClickConfirm, false, 'only true turns it on');
    assert.equal(brandingOf(site({ pages: { logoUrl: 'http://cdn.example/logo.png' } })).logoUrl, undefined);
    assert.equal(brandingOf(site({ pages: { logoUrl: '//cdn.example/logo.png' } })).logoUrl, undefined);
    assert.equal(brandingOf(site({ pages: { logoUrl: '/assets/logo.svg' } })).logoUrl, '/assets/logo.svg');
  });

  it('names lists from settings.pages.lists, then the Gigya schema description, then the id', () => {
    const b = brandingOf(
      site({
        gigya: { schema: { subscriptionsSchema: { fields: { a: { email: { description: 'Schema A' } }, b: { email: { description: 'Schema B' } } } } } },
        pages: { lists: { b: 'Pages B' } },
      }),
    );
    assert.deepEqual(b.lists, { a: 'Schema A', b: 'Pages B' });
  });

  it('puts the logo origin in the CSP, escapes every site value, and hashes the colour block', () => {
    const b = brandingOf(site({ pages: { siteName: '<script>x</script>', logoUrl: 'https://img.example.com/l.png?a=1&b="2"' } }));
    const { html, csp } = renderPage(b, { language: 'en', title: 'T', message: 'M', tone: 'done' });
    assert.match(csp, /img-src 'self' https:\/\/img\.example\.com;/);
    assert.doesNotMatch(csp, /unsafe-inline|script-src/);
    assert.ok(!html.includes('<script>'));
    assert.ok(html.includes('alt="&lt;script&gt;x&lt;/script&gt;"'));
    assert.ok(html.includes('src="https://img.example.com/l.png?a=1&amp;b=&quot;2&quot;"'));
    const style = /<style>([^<]*)<\/style>/.exec(html)?.[1] ?? '';
    assert.ok(csp.includes(`'sha256-${createHash('sha256').update(style).digest('base64')}'`));
  });
});
