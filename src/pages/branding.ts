import type { JsonObject, Site } from '../core/types.js';

/** How a site's person-facing pages look: read from `settings.pages` (docs/events.md "Person-facing pages"). */
export interface Branding {
  siteName: string;
  /** An https URL (or a path on this server); undefined shows the site name as a wordmark. */
  logoUrl: string | undefined;
  colors: { brand: string; onBrand: string; background: string; text: string };
  /** The page language when the site sets one; otherwise the messaging default language, then English. */
  language: string | null;
  /** Keep one-click confirmation on GET (see docs): off unless the site turns it on. */
  oneClickConfirm: boolean;
  /** Display names of lists by subscription id. */
  lists: Record<string, string>;
}

/** A neutral, accessible default: dark slate text on off-white, a deep blue action colour. */
export const DEFAULT_COLORS = { brand: '#1f4e8c', background: '#f4f5f7', text: '#1b1f24' } as const;

const HEX_COLOR = /^#(?:[0-9a-f]{3}|[0-9a-f]{6})$/i;

/** Only `#rgb`/`#rrggbb` reach the stylesheet: nothing a site sets can add CSS of its own. */
function color(value: unknown, fallback: string): string {
  return typeof value === 'string' && HEX_COLOR.test(value) ? value.toLowerCase() : fallback;
}

function rgb(hex: string): [number, number, number] {
  const digits = hex.length === 4 ? [...hex.slice(1)].map((d) => d + d).join('') : hex.slice(1);
  return [0, 2, 4].map((i) => Number.parseInt(digits.slice(i, i + 2), 16)) as [number, number, number];
}

/** WCAG 2 relative luminance. */
function luminance(hex: string): number {
  const [r, g, b] = rgb(hex).map((c) => {
    const s = c / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  }) as [number, number, number];
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

export function contrast(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}

/** Text on the brand colour: white or near-black, whichever reads better (a site sets only its brand colour). */
function onColor(background: string): string {
  return contrast(background, '#ffffff') >= contrast(background, '#111111') ? '#ffffff' : '#111111';
}

/** A logo from an https URL or this server; anything else (javascript:, data:, http:) is ignored. */
function logoUrl(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length > 2048) return undefined;
  if (value.startsWith('/') && !value.startsWith('//')) return value;
  try {
    return new URL(value).protocol === 'https:' ? value : undefined;
  } catch {
    return undefined;
  }
}

function lists(settings: JsonObject, site: Site | undefined): Record<string, string> {
  const names: Record<string, string> = {};
  // The Gigya subscriptions schema may describe a list (subscriptionsSchema.fields.<id>.email.description).
  const schema = ((site?.settings.gigya as JsonObject | undefined)?.schema as JsonObject | undefined)?.subscriptionsSchema as JsonObject | undefined;
  for (const [id, field] of Object.entries((schema?.fields ?? {}) as JsonObject)) {
    const description = ((field as JsonObject | null)?.email as JsonObject | undefined)?.description;
    if (typeof description === 'string' && description.trim()) names[id] = description.trim();
  }
  for (const [id, name] of Object.entries((settings.lists ?? {}) as JsonObject)) if (typeof name === 'string' && name.trim()) names[id] = name.trim();
  return names;
}

export function brandingOf(site: Site | undefined): Branding {
  const settings = (site?.settings.pages ?? {}) as JsonObject;
  const colors = (settings.colors ?? {}) as JsonObject;
  const brand = color(colors.brand, DEFAULT_COLORS.brand);
  const messaging = (site?.settings.messaging ?? {}) as JsonObject;
  const language = typeof settings.language === 'string' ? settings.language : typeof messaging.defaultLanguage === 'string' ? messaging.defaultLanguage : null;
  return {
    siteName: typeof settings.siteName === 'string' && settings.siteName.trim() ? settings.siteName.trim() : (site?.name ?? 'Roster'),
    logoUrl: logoUrl(settings.logoUrl),
    colors: { brand, onBrand: onColor(brand), background: color(colors.background, DEFAULT_COLORS.background), text: color(colors.text, DEFAULT_COLORS.text) },
    language,
    oneClickConfirm: settings.oneClickConfirm === true,
    lists: lists(settings, site),
  };
}
