import { createHmac, timingSafeEqual } from 'node:crypto';

/** RFC 3986 percent-encoding of UTF-8 with uppercase hex; only A-Z a-z 0-9 - _ . ~ stay (gigya-wire §2.2 step 4). */
export function oauthEncode(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** `scheme://host[:port]/path`, lowercased scheme and host, default ports dropped (§2.2 step 2). */
export function normalizeUrl(scheme: string, host: string, path: string): string {
  const s = scheme.toLowerCase();
  let h = host.toLowerCase();
  if ((s === 'http' && h.endsWith(':80')) || (s === 'https' && h.endsWith(':443'))) h = h.slice(0, h.lastIndexOf(':'));
  return `${s}://${h}${path}`;
}

/**
 * The OAuth1 base string Gigya signs: METHOD & enc(url) & enc(sorted k=enc(v) joined by &),
 * every parameter but `sig`, sorted by code unit (§2.2 steps 3–5). With `falsyAsEmpty`, values
 * that are exactly `false` or `0` are signed as empty: npm `gigya` does so (gigya-clients §1 item 2).
 */
export function baseString(httpMethod: string, url: string, params: Record<string, string>, falsyAsEmpty = false): string {
  const pairs = Object.keys(params)
    .filter((key) => key !== 'sig')
    .sort()
    .map((key) => {
      const value = params[key] as string;
      return `${key}=${oauthEncode(falsyAsEmpty && (value === 'false' || value === '0') ? '' : value)}`;
    });
  return `${httpMethod.toUpperCase()}&${oauthEncode(url)}&${oauthEncode(pairs.join('&'))}`;
}

/** Base64(HMAC-SHA1(key = Base64Decode(secret), baseString)) (§2.2 step 6). */
export function calcSignature(base: string, secret: string): string {
  return createHmac('sha1', Buffer.from(secret, 'base64')).update(base, 'utf8').digest('base64');
}

export function signaturesEqual(expected: string, given: string): boolean {
  const a = Buffer.from(expected, 'utf8');
  const b = Buffer.from(given, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}

export interface SignedRequest {
  httpMethod: string;
  /** Every URL the client may have signed over (as received, then each data-center form). */
  urls: string[];
  params: Record<string, string>;
  sig: string;
  secret: string;
}

/** Whether `sig` matches any candidate URL, with and without the npm falsy-as-empty quirk. */
export function verifySignature(request: SignedRequest): boolean {
  const hasFalsy = Object.entries(request.params).some(([key, value]) => key !== 'sig' && (value === 'false' || value === '0'));
  let matched = false;
  for (const url of request.urls) {
    for (const falsyAsEmpty of hasFalsy ? [false, true] : [false]) {
      let expected: string;
      try {
        expected = calcSignature(baseString(request.httpMethod, url, request.params, falsyAsEmpty), request.secret);
      } catch {
        return false; // a lone surrogate cannot be percent-encoded: nothing can have signed it
      }
      // No early exit: every candidate is computed, so timing says nothing about which one matched.
      if (signaturesEqual(expected, request.sig)) matched = true;
    }
  }
  return matched;
}

/** The URLs a Gigya client may have signed over (gigya-clients §1 item 1), without duplicates. */
export function candidateUrls(received: { scheme: string; host: string; path: string }, method: string, dataCenters: string[]): string[] {
  const namespace = method.includes('.') ? method.slice(0, method.indexOf('.')) : 'socialize';
  const urls = [normalizeUrl(received.scheme, received.host, received.path)];
  for (const dc of dataCenters) {
    urls.push(normalizeUrl('https', `${namespace}.${dc}`, received.path), normalizeUrl('http', `${namespace}.${dc}`, received.path));
  }
  return [...new Set(urls)];
}

/** Seconds since the epoch; a 13-digit value is milliseconds (npm `gigya`, gigya-wire §2.2 quirks). */
export function timestampSeconds(raw: string): number | undefined {
  if (!/^\d{1,16}$/.test(raw)) return undefined;
  const value = Number(raw);
  return value >= 1e12 ? Math.floor(value / 1000) : value;
}
