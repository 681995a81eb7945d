// One signed Gigya call, as the SDKs make it (HMAC-SHA1 over the us1 data-center URL), with
// nothing but Node: proves a production install answers a real client. Exits 1 unless errorCode 0.
// Usage: node signed-call.mjs BASE_URL API_KEY USER_KEY SECRET_BASE64
import { createHmac, randomUUID } from 'node:crypto';

const [base, apiKey, userKey, secret] = process.argv.slice(2);
const method = 'accounts.importLiteAccount';
const enc = (v) => encodeURIComponent(v).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
const params = {
  apiKey,
  userKey,
  timestamp: String(Math.floor(Date.now() / 1000)),
  nonce: randomUUID(),
  email: 'production-smoke@example.com',
  profile: JSON.stringify({ firstName: 'Ada' }),
};
const pairs = Object.keys(params)
  .sort()
  .map((k) => `${k}=${enc(params[k])}`)
  .join('&');
const baseString = `POST&${enc(`https://accounts.us1.gigya.com/${method}`)}&${enc(pairs)}`;
const sig = createHmac('sha1', Buffer.from(secret, 'base64')).update(baseString).digest('base64');
const response = await fetch(`${base}/${method}`, {
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  body: new URLSearchParams({ ...params, sig }),
});
const body = await response.json();
process.stdout.write(`${method}: HTTP ${response.status} errorCode ${body.errorCode} ${body.UID ?? body.errorMessage ?? ''}\n`);
process.exit(body.errorCode === 0 ? 0 : 1);
