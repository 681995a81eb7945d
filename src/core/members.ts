import { accountView, newAccount } from './accounts.js';
import type { ConsentChange } from './consent-rules.js';
import { writeConsentChanges } from './consents.js';
import { type CoreDeps, outboxRecords, recordEvent } from './deps.js';
import { DomainError, type FieldError, required } from './errors.js';
import type { DomainEvent, FieldChange } from './events.js';
import { normalizeEmail, personKey } from './identifiers.js';
import { jsonEqual, mergeJson } from './json-merge.js';
import type { AccountKey, AccountPatch, MemberQuery, Repos } from './ports.js';
import type {
  Account,
  AccountUid,
  AccountView,
  CallContext,
  Channel,
  ChannelStatusValue,
  Identifier,
  IdentifierKind,
  JsonObject,
  JsonValue,
  MemberAttributes,
  MemberView,
  SiteId,
  TenantId,
} from './types.js';

/**
 * Loyalty-club members: a member is the tenant's core account seen through a club (a site).
 * These use cases carry the member rules (spec B.9): identifiers unique per tenant, channel
 * statuses, consents with timestamps, welcome and registration-password messages via the outbox.
 * Club schemas and wire shapes stay in the facade; the core receives normalised values.
 */

export interface NewMember {
  email: string | null;
  /** Digits only, country code first (spec B.3): the facade normalises. */
  msisdn: string | null;
  properties: JsonObject;
  language: string | null;
  consents: ConsentChange[];
  channels: Record<Channel, ChannelStatusValue>;
  password: string | null;
  optinChannel: string | null;
  optinSubchannel: string | null;
  favoriteStores: number[];
  externalIds: Identifier[];
  welcome: { sms: boolean; email: boolean };
  /** A registration password already checked with checkRegistrationPassword; consumed here. */
  registrationPassword?: VerifiedCode;
}

export interface MemberChange {
  /** undefined: untouched; null: removed. */
  email?: string | null;
  msisdn?: string | null;
  /** Merged into the stored properties; null removes a property. */
  properties?: JsonObject;
  language?: string | null;
  consents?: ConsentChange[];
  channels?: Partial<Record<Channel, ChannelStatusValue>>;
  password?: string | null;
  favoriteStores?: number[];
  /** When the change really happened (spec B.9.7 event_occurred_at); now by default. */
  occurredAt?: Date;
}

export type MemberKey = { kind: 'id'; value: number } | { kind: 'email' | 'msisdn'; value: string };

export interface PersonIdAnswer {
  source: 'db' | 'storage' | 'db_and_cache' | 'not_found';
  personId: number | null;
}

/** Proof that a code matched: its stored hash, so the consuming transaction takes exactly that code. */
export interface VerifiedCode {
  kind: IdentifierKind;
  value: string;
  codeHash: string;
}

export const REGISTRATION_PASSWORD_TTL_MS = 10 * 60 * 1000;
export const REGISTRATION_PASSWORD_MAX_FAILURES = 5;
/** One code per identifier and club per minute: the endpoint always answers {}, so this is its only brake on SMS pumping. */
export const REGISTRATION_PASSWORD_INTERVAL_MS = 60 * 1000;
const DEPARTURE_MEMORY_MS = 30 * 24 * 60 * 60 * 1000;

/** Associated data under which a registration password is sealed in its outbox event. */
export const registrationCodeAad = (tenantId: TenantId, kind: IdentifierKind, value: string) => `registration-password:${tenantId}:${kind}:${value}`;

export const DEFAULT_MEMBER_ATTRIBUTES: MemberAttributes = { bannedUntil: null, personId: null, subunitIds: [], favoriteStores: [], hasPushToken: false };

/** The duplicate error naming each identifier another member holds. */
const identifiersTaken = (identifiers: Identifier[]) =>
  new DomainError(
    'account.identifier_taken',
    'Identifier already used by another member',
    identifiers.map((identifier) => takenError(identifier.kind)),
  );

function takenError(kind: IdentifierKind): FieldError {
  if (kind === 'email') return { field: 'email', message: 'duplicated_email_in_community' };
  if (kind === 'msisdn') return { field: 'msisdn', message: 'duplicated_msisdn_in_community' };
  return { field: 'external_token', message: 'taken' };
}

function fieldChange(was: JsonValue | undefined, is: JsonValue | undefined): FieldChange | undefined {
  if (jsonEqual(was, is)) return undefined;
  return { change: was === undefined || was === null ? '+' : is === undefined || is === null ? '-' : '~', was: was ?? null, is: is ?? null };
}

export function createMembers(deps: CoreDeps) {
  const { store, clock, ids, hasher, secretBox } = deps;

  // An account from another door is a member with default attributes; its person id is its numeric id.
  const asMember = (account: AccountView, member: MemberAttributes | undefined): MemberView => ({
    ...account,
    member: member ?? { ...DEFAULT_MEMBER_ATTRIBUTES, personId: account.numericId },
  });

  async function view(tx: Repos, account: Pick<Account, 'tenantId' | 'uid'>): Promise<MemberView> {
    const [found, member] = await Promise.all([accountView(tx, account), tx.members.findAttributes(account.tenantId, account.uid)]);
    return asMember(found, member);
  }

  const accountKey = (key: MemberKey): AccountKey =>
    key.kind === 'id' ? { numericId: key.value } : { identifier: { kind: key.kind, value: key.kind === 'email' ? normalizeEmail(key.value) : key.value } };

  /**
   * Claims every identifier for `uid` in key order (kind, then value), the order in which the
   * one-statement create claims too, so two creates racing for the same identifiers never wait for
   * each other in a cycle; reports the ones another account holds, in the caller's order.
   */
  async function claimAll(tx: Repos, tenantId: TenantId, uid: AccountUid, identifiers: Identifier[], now: Date): Promise<void> {
    const taken = new Set<Identifier>();
    const byKey = (a: Identifier, b: Identifier) => (a.kind === b.kind ? (a.value < b.value ? -1 : 1) : a.kind < b.kind ? -1 : 1);
    for (const identifier of [...identifiers].sort(byKey)) {
      const { claimed } = await tx.identifiers.claim(tenantId, identifier.kind, identifier.value, uid, now);
      if (!claimed) taken.add(identifier);
    }
    if (taken.size > 0) throw identifiersTaken(identifiers.filter((identifier) => taken.has(identifier)));
  }

  async function consumeCode(tx: Repos, ctx: CallContext, code: VerifiedCode): Promise<void> {
    const siteId = required(ctx.siteId, 'site.not_found', 'A registration password belongs to a club');
    const stored = await tx.verificationCodes.lock(ctx.tenantId, siteId, code.kind, code.value);
    // Gone or replaced since it was checked: a concurrent create used it (single use).
    if (!stored || stored.codeHash !== code.codeHash) throw new DomainError('member.verification_code_invalid', 'registration_password is invalid');
    await tx.verificationCodes.remove(ctx.tenantId, siteId, code.kind, code.value);
  }

  /** What writing `wanted` over the `stored` statuses changes: the statuses to write, their events, the change list. */
  function channelChanges(uid: AccountUid, wanted: Partial<Record<Channel, ChannelStatusValue>>, stored: Partial<Record<Channel, ChannelStatusValue>>) {
    const writes: Partial<Record<Channel, ChannelStatusValue>> = {};
    const events: DomainEvent[] = [];
    const changes: Record<string, FieldChange> = {};
    for (const [channel, status] of Object.entries(wanted) as Array<[Channel, ChannelStatusValue]>) {
      const previous = stored[channel] ?? null;
      if (previous === status) continue;
      writes[channel] = status;
      events.push({ type: 'channel.changed', accountUid: uid, payload: { channel, status, previous } });
      changes[`${channel}Status`] = { change: previous === null ? '+' : '~', was: previous, is: status };
    }
    return { writes, events, changes };
  }

  async function writeChannels(
    tx: Repos,
    ctx: CallContext,
    uid: AccountUid,
    wanted: Partial<Record<Channel, ChannelStatusValue>>,
    now: Date,
    /** The statuses stored now; a new member has none (saves the read). */
    current?: Partial<Record<Channel, ChannelStatusValue>>,
  ): Promise<Record<string, FieldChange>> {
    const { writes, events, changes } = channelChanges(uid, wanted, current ?? (await tx.channels.listForAccount(ctx.tenantId, uid)));
    for (const event of events) await recordEvent(tx, deps, ctx, event, now);
    await tx.channels.upsert(ctx.tenantId, uid, writes, now);
    return changes;
  }

  /** A new member's account row, its first events and the welcome messages it asked for. */
  function newMember(ctx: CallContext, uid: AccountUid, email: string | null, passwordHash: string | null, input: NewMember, now: Date) {
    const account = newAccount(deps, ctx, uid, now, {
      hasFullAccount: true,
      isVerified: input.registrationPassword !== undefined,
      profile: mergeJson({}, input.properties).value,
      passwordHash,
      language: input.language,
      optinChannel: input.optinChannel,
      optinSubchannel: input.optinSubchannel,
    });
    const created: DomainEvent = {
      type: 'account.created',
      accountUid: uid,
      via: 'registration',
      payload: { email, msisdn: input.msisdn, hasLiteAccount: false, hasFullAccount: true },
    };
    // A verified msisdn shows as sms_status "verified" (spec B.9.14).
    const smsStatus = input.registrationPassword?.kind === 'msisdn' && input.channels.sms === 'enabled' ? 'verified' : input.channels.sms;
    const channels = channelChanges(uid, { ...input.channels, sms: smsStatus }, {});
    /**
     * Welcome messages name the member by its numeric id, known once the account is inserted: the
     * one-statement create passes null and lists the events in `memberIdEventIds` for the store to fill in.
     */
    const welcome = (memberId: number | null): DomainEvent[] => {
      const payload = { memberId, language: input.language, productName: input.optinChannel };
      return [
        ...(input.welcome.sms && input.msisdn && input.channels.sms !== 'disabled' ? [{ channel: 'sms', to: input.msisdn }] : []),
        ...(input.welcome.email && email && input.channels.email !== 'disabled' ? [{ channel: 'email', to: email }] : []),
      ].map((message) => ({ type: 'member.welcome_message_requested', accountUid: uid, payload: { ...payload, ...message } }) as DomainEvent);
    };
    return { account, created, channels, welcome };
  }

  return {
    /**
     * Creates a member. Identifiers are claimed first, so concurrent creates with one email or
     * msisdn give one member; the others get account.identifier_taken naming each field.
     */
    async create(ctx: CallContext, input: NewMember): Promise<MemberView> {
      const email = input.email === null ? null : normalizeEmail(input.email);
      const passwordHash = input.password === null ? null : await hasher.hash(input.password);
      const uid = ids.uid();
      const identifiers: Identifier[] = [
        ...(email ? [{ kind: 'email' as const, value: email }] : []),
        ...(input.msisdn ? [{ kind: 'msisdn' as const, value: input.msisdn }] : []),
        ...input.externalIds,
      ];
      const [first] = identifiers;
      // The common create (one identifier, no code to consume, no consents) is one statement, which
      // concurrent creates share; a lost claim writes nothing, exactly as the transaction's rollback.
      if (first && identifiers.length === 1 && !input.registrationPassword && input.consents.length === 0) {
        const now = clock.now();
        const member = newMember(ctx, uid, email, passwordHash, input, now);
        const welcome = member.welcome(null).flatMap((event) => outboxRecords(deps, ctx, event, now));
        const written = await store.accounts.insertIfIdentifierFree({
          account: member.account,
          identifier: first,
          subscriptions: [],
          channels: member.channels.writes,
          member: { favoriteStores: input.favoriteStores },
          events: [...[member.created, ...member.channels.events].flatMap((event) => outboxRecords(deps, ctx, event, now)), ...welcome],
          memberIdEventIds: welcome.filter((record) => record.event.type === 'member.welcome_message_requested').map((record) => record.id),
        });
        if (!written) throw identifiersTaken([first]);
        return asMember({ ...written.account, subscriptions: [], consents: [], channels: member.channels.writes }, written.member);
      }
      // The person is the first identifier claimed (two creates racing for it never share a commit).
      const person = first ? personKey(ctx.tenantId, first.kind, first.value) : personKey(ctx.tenantId, 'uid', uid);
      return store.transaction(
        async (tx) => {
          const now = clock.now();
          const member = newMember(ctx, uid, email, passwordHash, input, now);
          await claimAll(tx, ctx.tenantId, uid, identifiers, now);
          if (input.registrationPassword) await consumeCode(tx, ctx, input.registrationPassword);
          const account = await tx.accounts.insert(member.account);
          const attributes = await tx.members.upsertAttributes(
            ctx.tenantId,
            uid,
            { ...DEFAULT_MEMBER_ATTRIBUTES, personId: account.numericId, favoriteStores: input.favoriteStores },
            now,
          );
          await recordEvent(tx, deps, ctx, member.created, now);
          await writeChannels(tx, ctx, uid, member.channels.writes, now, {});
          await writeConsentChanges(tx, deps, ctx, uid, input.consents, now);
          for (const event of member.welcome(account.numericId)) await recordEvent(tx, deps, ctx, event, now);
          // The attributes were just written (and returned): only the account is read back.
          return asMember(await accountView(tx, account), attributes);
        },
        { person },
      );
    },

    async find(ctx: CallContext, key: MemberKey): Promise<MemberView | undefined> {
      const found = await store.accountViews.find(ctx.tenantId, accountKey(key));
      if (!found) return undefined;
      return asMember(found, await store.members.findAttributes(ctx.tenantId, found.uid));
    },

    /** The member a social login (`external:<type>` identifier) belongs to. */
    async findByExternalId(ctx: CallContext, type: string, subject: string): Promise<MemberView | undefined> {
      const found = await store.accountViews.find(ctx.tenantId, { identifier: { kind: `external:${type}`, value: subject } });
      if (!found) return undefined;
      return asMember(found, await store.members.findAttributes(ctx.tenantId, found.uid));
    },

    /** The member behind a session or token (Boostcom /me). */
    async findByUid(ctx: CallContext, uid: AccountUid): Promise<MemberView | undefined> {
      const found = await store.accountViews.find(ctx.tenantId, { uid });
      if (!found) return undefined;
      return asMember(found, await store.members.findAttributes(ctx.tenantId, found.uid));
    },

    async list(ctx: CallContext, query: MemberQuery): Promise<{ members: MemberView[]; total: number }> {
      const { accounts, total } = await store.members.list(ctx.tenantId, query);
      const extras = await store.members.extrasFor(
        ctx.tenantId,
        accounts.map((account) => account.uid),
      );
      const members = accounts.map((account): MemberView => {
        const extra = extras.get(account.uid);
        return {
          ...account,
          subscriptions: extra?.subscriptions ?? [],
          consents: extra?.consents ?? [],
          channels: extra?.channels ?? {},
          member: extra?.member ?? { ...DEFAULT_MEMBER_ATTRIBUTES, personId: account.numericId },
        };
      });
      return { members, total };
    },

    /** Merges a change into a member; writes member.updated with was/is per field (spec B.10). */
    async update(ctx: CallContext, uid: AccountUid, change: MemberChange): Promise<MemberView> {
      const email = change.email ? normalizeEmail(change.email) : change.email;
      const passwordHash = change.password ? await hasher.hash(change.password) : change.password;
      return store.transaction(
        async (tx) => {
          const now = clock.now();
          const current = required(await tx.accounts.lock(ctx.tenantId, uid), 'account.not_found', 'Member with given identifier could not found');
          const changes: Record<string, FieldChange | Record<string, FieldChange>> = {};
          const changed: string[] = [];

          for (const [kind, next] of [
            ['email', email],
            ['msisdn', change.msisdn],
          ] as const) {
            const was = current[kind];
            if (next === undefined || next === was) continue;
            if (next !== null) await claimAll(tx, ctx.tenantId, uid, [{ kind, value: next }], now);
            if (was !== null) await tx.identifiers.release(ctx.tenantId, kind, was, uid);
            changes[kind] = fieldChange(was, next) as FieldChange;
            changed.push(kind);
          }

          const patch: Omit<AccountPatch, 'now'> = {};
          const propertyChanges: Record<string, FieldChange> = {};
          if (change.properties) {
            const merged = mergeJson(current.profile, change.properties);
            for (const key of new Set(merged.changed.map((path) => path.split('.')[0] as string))) {
              const difference = fieldChange(current.profile[key], merged.value[key]);
              if (difference) propertyChanges[key] = difference;
            }
            if (merged.changed.length > 0) {
              patch.profile = merged.value;
              changed.push(...merged.changed.map((path) => `profile.${path}`));
            }
          }
          if (change.language !== undefined && change.language !== current.language) {
            patch.language = change.language;
            propertyChanges['language'] = fieldChange(current.language, change.language) as FieldChange;
            changed.push('language');
          }
          if (passwordHash !== undefined) {
            patch.passwordHash = passwordHash;
            if (current.hasPassword !== (passwordHash !== null)) changes['hasPassword'] = { change: '~', was: current.hasPassword, is: passwordHash !== null };
            changed.push('password');
          }
          if (Object.keys(propertyChanges).length > 0) changes['properties'] = propertyChanges;

          let account = current;
          if (Object.keys(patch).length > 0 || changed.length > 0) {
            account = required(await tx.accounts.update(ctx.tenantId, uid, current.version, { ...patch, now }), 'account.concurrent_update', 'Member changed');
          }
          Object.assign(changes, await writeChannels(tx, ctx, uid, change.channels ?? {}, now));

          if (change.consents && change.consents.length > 0) {
            const before = await tx.consents.listForAccount(ctx.tenantId, uid);
            const after = await writeConsentChanges(tx, deps, ctx, uid, change.consents, now);
            const consentChanges: Record<string, FieldChange> = {};
            for (const consent of after) {
              const was = before.find((c) => c.consentId === consent.consentId)?.isGranted;
              const difference = fieldChange(was, consent.isGranted);
              if (difference) consentChanges[consent.consentId] = difference;
            }
            if (Object.keys(consentChanges).length > 0) changes['consents'] = consentChanges;
          }

          if (change.favoriteStores) {
            const attributes = (await tx.members.findAttributes(ctx.tenantId, uid)) ?? { ...DEFAULT_MEMBER_ATTRIBUTES, personId: current.numericId };
            const difference = fieldChange(attributes.favoriteStores, change.favoriteStores);
            if (difference) {
              await tx.members.upsertAttributes(ctx.tenantId, uid, { ...attributes, favoriteStores: change.favoriteStores }, now);
              changes['favoriteStores'] = difference;
            }
          }

          if (Object.keys(changes).length > 0) {
            if (changed.length > 0) await recordEvent(tx, deps, ctx, { type: 'account.updated', accountUid: uid, via: 'update', payload: { changed } }, now);
            await recordEvent(
              tx,
              deps,
              ctx,
              {
                type: 'member.updated',
                accountUid: uid,
                payload: { memberId: current.numericId, occurredAt: (change.occurredAt ?? now).toISOString(), changes },
              },
              now,
            );
          }
          return view(tx, account);
        },
        { person: personKey(ctx.tenantId, 'uid', uid) },
      );
    },

    /** Deletes a member for good; returns it as it was. Its person id is remembered for 30 days. */
    async delete(ctx: CallContext, uid: AccountUid, options: { sendUnsubscribeMessage: boolean }): Promise<MemberView> {
      return store.transaction(async (tx) => {
        const now = clock.now();
        const account = required(await tx.accounts.lock(ctx.tenantId, uid), 'account.not_found', 'Member with given identifier could not found');
        const before = await view(tx, account);
        const keys = [
          { kind: 'id', value: String(account.numericId) },
          ...(account.email ? [{ kind: 'email', value: account.email }] : []),
          ...(account.msisdn ? [{ kind: 'msisdn', value: account.msisdn }] : []),
        ];
        await tx.members.recordDeparture(ctx.tenantId, keys, before.member.personId, now);
        await tx.accounts.delete(ctx.tenantId, uid);
        await recordEvent(tx, deps, ctx, { type: 'account.deleted', accountUid: uid, payload: { email: account.email, scope: 'all' } }, now);
        if (options.sendUnsubscribeMessage && account.email) {
          await recordEvent(
            tx,
            deps,
            ctx,
            {
              type: 'member.unsubscribe_message_requested',
              accountUid: uid,
              payload: { memberId: account.numericId, to: account.email, language: account.language },
            },
            now,
          );
        }
        return before;
      });
    },

    /** person_id lookup with its 30-day memory of deleted members (spec B.9.5). */
    async personId(ctx: CallContext, key: MemberKey): Promise<PersonIdAnswer> {
      const current = await this.find(ctx, key);
      const value = key.kind === 'email' ? normalizeEmail(key.value) : String(key.value);
      const departure = await store.members.findDeparture(ctx.tenantId, key.kind, value, new Date(clock.now().getTime() - DEPARTURE_MEMORY_MS));
      if (current && departure) return { source: 'db_and_cache', personId: null };
      if (current) return { source: 'db', personId: current.member.personId };
      if (departure) return { source: 'storage', personId: departure.personId };
      return { source: 'not_found', personId: null };
    },

    /**
     * Issues a 4-digit registration password valid 10 minutes (spec B.9.10), stored hashed; the
     * code travels sealed in its outbox event to the messaging worker. A request within a minute
     * of the last code for the same identifier is ignored (the caller still answers {}).
     */
    async issueRegistrationPassword(ctx: CallContext, kind: 'email' | 'msisdn', rawValue: string, language: string | null): Promise<void> {
      const siteId: SiteId = required(ctx.siteId, 'site.not_found', 'A registration password belongs to a club');
      const value = kind === 'email' ? normalizeEmail(rawValue) : rawValue;
      const code = String(Buffer.from(ids.token(4), 'base64url').readUInt32BE(0) % 10_000).padStart(4, '0');
      const codeHash = await hasher.hash(code);
      await store.transaction(async (tx) => {
        const now = clock.now();
        const previous = await tx.verificationCodes.lock(ctx.tenantId, siteId, kind, value);
        if (previous && now.getTime() - previous.issuedAt.getTime() < REGISTRATION_PASSWORD_INTERVAL_MS) return;
        const expiresAt = new Date(now.getTime() + REGISTRATION_PASSWORD_TTL_MS);
        await tx.verificationCodes.put(ctx.tenantId, siteId, kind, value, codeHash, expiresAt, now);
        const sealedCode = secretBox.seal(code, registrationCodeAad(ctx.tenantId, kind, value));
        await recordEvent(
          tx,
          deps,
          ctx,
          {
            type: 'member.registration_password_requested',
            accountUid: null,
            payload: { channel: kind === 'email' ? 'email' : 'sms', to: value, sealedCode, language, expiresAt: expiresAt.toISOString() },
          },
          now,
        );
      });
    },

    /**
     * Uses up a registration password as a login password (Boostcom's password grant: "may be
     * used to sign in the user right after registration"): true when it was the live code.
     */
    async useRegistrationPassword(ctx: CallContext, kind: 'email' | 'msisdn', rawValue: string, code: string): Promise<boolean> {
      const proof = await this.checkRegistrationPassword(ctx, kind, rawValue, code);
      if (!proof) return false;
      try {
        await store.transaction((tx) => consumeCode(tx, ctx, proof));
        return true;
      } catch (error) {
        if (error instanceof DomainError && error.code === 'member.verification_code_invalid') return false;
        throw error;
      }
    },

    /**
     * Checks a registration password without using it up; a wrong code counts against the
     * 5 attempts the code allows. Returns the proof create() consumes, or undefined.
     */
    async checkRegistrationPassword(ctx: CallContext, kind: 'email' | 'msisdn', rawValue: string, code: string): Promise<VerifiedCode | undefined> {
      const siteId: SiteId = required(ctx.siteId, 'site.not_found', 'A registration password belongs to a club');
      const value = kind === 'email' ? normalizeEmail(rawValue) : rawValue;
      const stored = await store.verificationCodes.lock(ctx.tenantId, siteId, kind, value);
      if (!stored || stored.expiresAt.getTime() <= clock.now().getTime() || stored.failedAttempts >= REGISTRATION_PASSWORD_MAX_FAILURES) return undefined;
      if (await hasher.verify(stored.codeHash, code)) return { kind, value, codeHash: stored.codeHash };
      await store.verificationCodes.recordFailure(ctx.tenantId, siteId, kind, value);
      return undefined;
    },
  };
}

export type Members = ReturnType<typeof createMembers>;
