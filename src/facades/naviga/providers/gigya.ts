import { createHmac, randomBytes } from 'node:crypto';
import type { Static } from 'typebox';
import type { GigyaSettings } from '../settings.js';
import {
  asRecord,
  asString,
  exchange,
  ProviderFailure,
  ProviderRefusal,
  type ProviderUser,
  type ProviderWrites,
  safeReason,
  type UserProvider,
} from './provider.js';

/** RFC 3986 encoding with uppercase hex; only A–Z a–z 0–9 - _ . ~ stay as they are (gigya-wire §2.2 step 4). */
export function gigyaEncode(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** lower(scheme)://lower(host)[:port unless default]/path (gigya-wire §2.2 step 2). */
export function normalizedUrl(url: URL): string {
  const defaultPort = (url.protocol === 'http:' && url.port === '80') || (url.protocol === 'https:' && url.port === '443') || url.port === '';
  return `${url.protocol.toLowerCase()}//${url.hostname.toLowerCase()}${defaultPort ? '' : `:${url.port}`}${url.pathname}`;
}

/** sig = Base64(HMAC-SHA1(Base64Decode(secret), "POST&" + enc(url) + "&" + enc(sorted params))) (gigya-wire §2.2 steps 3–6). */
export function gigyaSignature(secret: string, method: string, url: URL, params: Record<string, string>): string {
  const parameterString = Object.keys(params)
    .filter((key) => key !== 'sig')
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
    .map((key) => `${key}=${gigyaEncode(params[key] as string)}`)
    .join('&');
  const base = `${method.toUpperCase()}&${gigyaEncode(normalizedUrl(url))}&${gigyaEncode(parameterString)}`;
  return createHmac('sha1', Buffer.from(secret, 'base64')).update(base, 'utf8').digest('base64');
}

// Not-found answers: 403047 "Login ID does not exist", 404003 "UID not found" (gigya-wire §4).
const NOT_FOUND = new Set([403047, 404003]);

// 4xx-class codes about Roster's own request or credentials (malformed request, API key, auth
// header, timestamp, signature, nonce, user key, secret, permission) and the API rate limit: not
// the caller's to fix, so failures, never refusals.
const NOT_REFUSALS = new Set([400001, 400002, 400008, 400093, 403002, 403003, 403004, 403005, 403006, 403007, 403010, 403048]);

/** Pending registration (206001) or verification (206002): the account exists, the password was right. */
const PENDING = new Set([206001, 206002]);

/**
 * A Gigya-compatible accounts API (SAP CDC, or Roster's own Gigya facade): accounts.search by
 * email, then accounts.getAccountInfo for the UID; writes through accounts.register, login and
 * setAccountInfo. Each a signed POST (userKey + secret, HMAC-SHA1, gigya-wire §2.2), the way the
 * official server SDKs send them.
 */
export function gigyaProvider(settings: Static<typeof GigyaSettings>, now: () => number = Date.now): UserProvider {
  const base = settings.baseUrl.replace(/\/+$/, '');

  async function call(method: string, params: Record<string, string>, signal: AbortSignal): Promise<Record<string, unknown>> {
    const url = new URL(`${base}/${method}`);
    const signed: Record<string, string> = {
      ...params,
      apiKey: settings.apiKey,
      userKey: settings.userKey,
      format: 'json',
      httpStatusCodes: 'false',
      timestamp: String(Math.floor(now() / 1000)),
      nonce: `${now()}_${randomBytes(6).toString('hex')}`,
    };
    signed.sig = gigyaSignature(settings.secret, 'POST', url, signed);
    const { body } = await exchange(
      url.toString(),
      { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(signed).toString() },
      signal,
    );
    const answer = asRecord(body);
    if (!answer || typeof answer.errorCode !== 'number') throw new ProviderFailure(`Gigya ${method}: not a Gigya answer`, false);
    return answer;
  }

  const failure = (method: string, answer: Record<string, unknown>) =>
    new ProviderFailure(`Gigya ${method} errorCode ${answer.errorCode}`, (answer.errorCode as number) >= 500000);

  /** A write's error answer: a 4xx-class code about the input or the user is a refusal (with Gigya's reason); the rest are failures. */
  function notDone(method: string, answer: Record<string, unknown>): ProviderRefusal | ProviderFailure {
    const code = answer.errorCode as number;
    if (code < 400000 || code >= 500000 || NOT_REFUSALS.has(code)) return failure(method, answer);
    const details = Array.isArray(answer.validationErrors) ? asRecord(answer.validationErrors[0]) : undefined;
    return new ProviderRefusal(safeReason(asString(details?.message) ?? asString(answer.errorDetails) ?? asString(answer.errorMessage)));
  }

  /** The identity of a UID (accounts.getAccountInfo); null when Gigya does not know it. */
  async function userOf(uid: string, email: string, signal: AbortSignal): Promise<ProviderUser | null> {
    const info = await call('accounts.getAccountInfo', { UID: uid }, signal);
    if (NOT_FOUND.has(info.errorCode as number)) return null;
    if (info.errorCode !== 0) throw failure('accounts.getAccountInfo', info);
    const profile = asRecord(info.profile) ?? {};
    return {
      subject: uid,
      email: asString(profile.email) ?? email,
      firstName: asString(profile.firstName),
      lastName: asString(profile.lastName),
      verified: info.isVerified === true,
    };
  }

  async function findByEmail(email: string, signal: AbortSignal): Promise<ProviderUser | null> {
    // Emails are normalised to lower case before they get here, and Roster stores them so.
    // full,lite: a person registered through any Gigya door (gigya-wire §5); the default is full only.
    const query = `SELECT UID FROM accounts WHERE profile.email = ${JSON.stringify(email)} LIMIT 1`;
    const search = await call('accounts.search', { query, accountTypes: 'full,lite' }, signal);
    if (search.errorCode !== 0) throw failure('accounts.search', search);
    const first = Array.isArray(search.results) ? asRecord(search.results[0]) : undefined;
    const uid = asString(first?.UID);
    return uid ? userOf(uid, email, signal) : null;
  }

  /** accounts.setAccountInfo of one UID (server credentials: no session, no current password). */
  async function setAccountInfo(uid: string, params: Record<string, string>, signal: AbortSignal): Promise<void> {
    const answer = await call('accounts.setAccountInfo', { UID: uid, ...params }, signal);
    if (answer.errorCode !== 0) throw notDone('accounts.setAccountInfo', answer);
  }

  const writes: ProviderWrites = {
    // accounts.initRegistration → accounts.register (finalized at once), the server-side registration flow (full-accounts A.3, A.4).
    async create(user, signal) {
      const init = await call('accounts.initRegistration', {}, signal);
      const regToken = asString(init.regToken);
      if (init.errorCode !== 0 || !regToken) throw failure('accounts.initRegistration', init);
      const profile: Record<string, string> = {};
      if (user.firstName) profile.firstName = user.firstName;
      if (user.lastName) profile.lastName = user.lastName;
      const answer = await call(
        'accounts.register',
        { regToken, email: user.email, password: user.password, profile: JSON.stringify(profile), finalizeRegistration: 'true' },
        signal,
      );
      const details = Array.isArray(answer.validationErrors) ? answer.validationErrors.map(asRecord) : [];
      if (details.some((d) => d?.errorCode === 400003) || answer.errorCode === 400003) return { kind: 'exists' };
      // 206001/206002: registered, but pending (the provider's own verification rules).
      const uid = asString(answer.UID);
      if ((answer.errorCode === 0 || PENDING.has(answer.errorCode as number)) && uid) {
        return {
          kind: 'created',
          user: { subject: uid, email: user.email, firstName: user.firstName, lastName: user.lastName, verified: answer.isVerified === true },
        };
      }
      // 400009/400006 among others: Gigya refuses the input (its password rules).
      const problem = notDone('accounts.register', answer);
      if (problem instanceof ProviderRefusal) return { kind: 'invalid', reason: problem.reason };
      throw problem;
    },

    async authenticate(email, password, _endUserIp, signal) {
      const answer = await call('accounts.login', { loginID: email, password }, signal);
      // Wrong password, unknown login ID or locked out at the provider: not authenticated there.
      if (answer.errorCode === 403042 || answer.errorCode === 403120) return { kind: 'refused' };
      // The right password of an account pending registration or verification there.
      if (PENDING.has(answer.errorCode as number)) return { kind: 'pending' };
      const uid = asString(answer.UID);
      if (answer.errorCode !== 0 || !uid) throw failure('accounts.login', answer);
      const user = await userOf(uid, email, signal);
      return user ? { kind: 'authenticated', user } : { kind: 'refused' };
    },

    async subjectFor(email, linked, signal) {
      if (linked) return linked;
      return email ? ((await findByEmail(email, signal))?.subject ?? null) : null;
    },

    async update(subject, change, signal) {
      const profile: Record<string, string> = {};
      if (change.firstName !== undefined) profile.firstName = change.firstName;
      if (change.lastName !== undefined) profile.lastName = change.lastName;
      // isVerified is Gigya's own (set by its verification flow): not sent.
      if (Object.keys(profile).length > 0) await setAccountInfo(subject, { profile: JSON.stringify(profile) }, signal);
    },

    changePassword: (subject, password, signal) => setAccountInfo(subject, { newPassword: password, securityOverride: 'true' }, signal),

    // SAP CDC changes a login email with addLoginEmails/removeLoginEmails; profile.email follows.
    // 400003 (unique identifier exists): another account has the email.
    async changeEmail(subject, email, previous, signal) {
      const params = { addLoginEmails: email, ...(previous && { removeLoginEmails: previous }), profile: JSON.stringify({ email }) };
      const answer = await call('accounts.setAccountInfo', { UID: subject, ...params }, signal);
      const details = Array.isArray(answer.validationErrors) ? answer.validationErrors.map(asRecord) : [];
      if (answer.errorCode === 400003 || details.some((d) => d?.errorCode === 400003)) return 'taken';
      if (answer.errorCode !== 0) throw notDone('accounts.setAccountInfo', answer);
      return 'changed';
    },
  };

  return { name: 'Gigya', findByEmail, writes };
}
