import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import type { BrowserContext, Page } from 'playwright-core';
import { axeViolations, screenshotWholePage, type TestBrowser } from './browser.js';

/** Where ROSTER_SCREENSHOTS=1 writes the console's screenshots (the ones docs and README show). */
export const SHOTS = process.env.ROSTER_SCREENSHOTS === '1' ? new URL('../../docs/screenshots/', import.meta.url) : undefined;

/**
 * A console page in Chromium at the screenshots' size. Script errors and CSP violations gather
 * in `problems`; the expected refusals (400 for a refused save, 401 for the sign-in page asking
 * for a session or a wrong password, 412 for a New form naming what exists) do not.
 */
export async function consolePage(browser: TestBrowser): Promise<{ context: BrowserContext; page: Page; problems: string[] }> {
  const context = await browser.browser.newContext({ viewport: { width: 1360, height: 900 } });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' && !/status of (?:40[01]|412)/.test(m.text())) problems.push(m.text());
  });
  page.on('pageerror', (e) => problems.push(e.message));
  if (SHOTS) mkdirSync(SHOTS, { recursive: true });
  return { context, page, problems };
}

/**
 * axe-core (WCAG 2 A/AA) finds nothing on the page; then, with ROSTER_SCREENSHOTS=1, a screenshot
 * named `name`: of the region so named, of the viewport, or of the whole page (the toast cleared first).
 */
export async function checkPage(page: Page, name: string, shot: { region: string } | 'viewport' | 'whole' | 'none' = 'whole'): Promise<void> {
  const violations = await axeViolations(page);
  assert.deepEqual(
    violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`),
    [],
    `axe on ${name}`,
  );
  if (!SHOTS || shot === 'none') return;
  await page.evaluate("document.getElementById('status').textContent = ''");
  const path = new URL(`${name}.png`, SHOTS).pathname;
  if (shot === 'whole') await screenshotWholePage(page, path);
  else if (shot === 'viewport') await page.screenshot({ path });
  else await page.getByRole('region', { name: shot.region }).screenshot({ path });
}
