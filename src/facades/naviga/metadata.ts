import type { AccountView, ChannelStatusValue, JsonObject, JsonValue } from '../../core/index.js';

/** Every metadata key of the seed, in its order; each is always present ("" when unknown). */
export const METADATA_KEYS = [
  'title',
  'phoneNumber',
  'gender',
  'age',
  'dob',
  'dobYYYY',
  'acceptsEmailOffers',
  'acceptsEmailAds',
  'acceptsEmailPromotions',
  'address',
  'city',
  'country',
  'position',
  'isOkToEmail',
  'isOkToPhone',
  'isOkToMail',
  'workPhone',
  'timeZone',
  'scoreMember',
  'companyName',
  'postalCode',
  'cellPhone',
  'acceptsEENotification',
  'ebill_flag',
  'eadvan_flag',
  'eedition_flag',
  'ee_email_flag',
  'promo_flag',
  'feat_flag',
  'dealdigger_flag',
  'ads_flag',
  'member_event_flag',
  'contentEngagement_flag',
  'subcom_flag',
  'survey_flag',
  'accountUpdates_flag',
  'photo',
  'displayName',
  'optOutMarketing',
  'agreeToTerms',
  'bounceType',
] as const;
export type MetadataKey = (typeof METADATA_KEYS)[number];
export type Metadata = Record<MetadataKey, string>;

type Source = (account: AccountView) => JsonValue | undefined;

const profile =
  (name: string): Source =>
  (a) =>
    a.profile[name];
const first =
  (...sources: Source[]): Source =>
  (a) => {
    for (const source of sources) {
      const value = source(a);
      if (value !== undefined && value !== null && value !== '') return value;
    }
    return undefined;
  };
const phone =
  (...types: string[]): Source =>
  (a) => {
    const phones = a.profile.phones;
    const list = Array.isArray(phones) ? phones : phones && typeof phones === 'object' ? [phones] : [];
    const match = list.find((p) => p && typeof p === 'object' && !Array.isArray(p) && types.includes(String((p as JsonObject).type ?? '').toLowerCase()));
    return match ? (match as JsonObject).number : undefined;
  };
const work =
  (field: 'title' | 'company'): Source =>
  (a) => {
    const entry = Array.isArray(a.profile.work) ? a.profile.work[0] : a.profile.work;
    return entry && typeof entry === 'object' && !Array.isArray(entry) ? entry[field] : undefined;
  };
const consent =
  (id: string, negate = false): Source =>
  (a) => {
    const found = a.consents.find((c) => c.consentId === id);
    return found === undefined ? undefined : negate ? !found.isGranted : found.isGranted;
  };
const subscription =
  (id: string): Source =>
  (a) =>
    a.subscriptions.find((s) => s.subscriptionId === id && s.channel === 'email')?.isSubscribed;
const okTo = (status: ChannelStatusValue | undefined) => (status === undefined ? undefined : status === 'enabled' || status === 'verified');
const dob: Source = (a) => {
  const { birthYear, birthMonth, birthDay } = a.profile;
  if (typeof birthYear !== 'number' || typeof birthMonth !== 'number' || typeof birthDay !== 'number') return undefined;
  return `${String(birthYear).padStart(4, '0')}-${String(birthMonth).padStart(2, '0')}-${String(birthDay).padStart(2, '0')}`;
};

/**
 * Where each metadata key comes from in the core account (docs/naviga.md has the table).
 * A key not listed, or whose source is empty, falls back to `data.<key>` (Naviga: "for custom
 * fields, use Metadata"), then to "".
 */
const SOURCES: Partial<Record<MetadataKey, Source>> = {
  title: profile('title'),
  phoneNumber: first(profile('phoneNumber'), phone('home', 'phone', 'landline')),
  gender: profile('gender'),
  age: profile('age'),
  dob: first(profile('dob'), dob),
  dobYYYY: profile('birthYear'),
  acceptsEmailOffers: consent('acceptsEmailOffers'),
  acceptsEmailAds: consent('acceptsEmailAds'),
  acceptsEmailPromotions: consent('acceptsEmailPromotions'),
  acceptsEENotification: consent('acceptsEENotification'),
  address: profile('address'),
  city: profile('city'),
  country: profile('country'),
  position: first(work('title'), profile('position')),
  companyName: first(work('company'), profile('companyName')),
  postalCode: first(profile('zip'), profile('postalCode')),
  isOkToEmail: (a) => okTo(a.channels.email),
  isOkToPhone: (a) => okTo(a.channels.sms),
  workPhone: first(profile('workPhone'), phone('work', 'business')),
  cellPhone: first(profile('cellPhone'), phone('mobile', 'cell'), (a) => a.msisdn ?? undefined),
  timeZone: profile('timeZone'),
  photo: profile('photoURL'),
  displayName: first(profile('nickname'), profile('displayName')),
  optOutMarketing: consent('marketing', true),
  agreeToTerms: consent('terms'),
  bounceType: (a) => (a.channels.email === 'hard_bounced' ? 'Hard' : undefined),
};
for (const key of METADATA_KEYS) {
  // The newsletter flags are the email subscriptions of the same name without "_flag".
  if (key.endsWith('_flag')) SOURCES[key] = subscription(key.slice(0, -'_flag'.length));
}

function asWireString(value: JsonValue | undefined): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

export function metadataOf(account: AccountView): Metadata {
  const metadata = {} as Metadata;
  for (const key of METADATA_KEYS) metadata[key] = asWireString(first(SOURCES[key] ?? (() => undefined), (a) => a.data[key])(account));
  return metadata;
}
