import type { ChannelStatusValue, JsonObject, MemberView } from '../../core/index.js';
import type { Club } from './club-settings.js';

/** Boostcom's wire shapes (spec B.4, B.8): members rendered from the core's MemberView. */

const offsetFormats = new Map<string, Intl.DateTimeFormat>();

/** ISO-8601 with milliseconds and the club's UTC offset, as the seed shows ("2017-01-19T10:07:08.336+01:00"). */
export function formatTime(date: Date, timeZone: string): string {
  let format = offsetFormats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      timeZoneName: 'longOffset',
    });
    offsetFormats.set(timeZone, format);
  }
  const parts = Object.fromEntries(format.formatToParts(date).map((p) => [p.type, p.value]));
  const offset = parts['timeZoneName'] === 'GMT' ? '+00:00' : (parts['timeZoneName'] ?? 'GMT+00:00').slice(3);
  const ms = String(date.getUTCMilliseconds()).padStart(3, '0');
  return `${parts['year']}-${parts['month']}-${parts['day']}T${parts['hour']}:${parts['minute']}:${parts['second']}.${ms}${offset}`;
}

/** A channel with no stored status: reachable when the person has that identifier (GAP, docs/boostcom.md). */
function status(stored: ChannelStatusValue | undefined, reachable: boolean): ChannelStatusValue {
  return stored ?? (reachable ? 'enabled' : 'disabled');
}

export function memberProperties(member: MemberView): JsonObject {
  const properties: JsonObject = { ...member.profile };
  delete properties['email'];
  delete properties['msisdn'];
  if (member.email) properties['email'] = member.email;
  if (member.msisdn) properties['msisdn'] = member.msisdn;
  if (member.language) properties['language'] = member.language;
  return properties;
}

/**
 * optin_channel of a person who came in through another door (Gigya, Naviga, the CLI): B.4 types
 * it as a string, so never null (docs/boostcom.md). Boostcom-created members carry X-Product-Name.
 */
export const OTHER_DOOR_OPTIN_CHANNEL = 'external';

export function renderMember(member: MemberView, club: Club) {
  const time = (date: Date) => formatTime(date, club.timeZone);
  return {
    id: member.numericId,
    properties: memberProperties(member),
    consents: Object.fromEntries(member.consents.map((c) => [c.consentId, { status: c.isGranted, updated_at: time(c.updatedAt) }])),
    sms_status: status(member.channels.sms, member.msisdn !== null),
    email_status: status(member.channels.email, member.email !== null),
    push_status: status(member.channels.push, false),
    optin_channel: member.optinChannel ?? OTHER_DOOR_OPTIN_CHANNEL,
    optin_subchannel: member.optinSubchannel,
    created_at: time(member.createdAt),
    updated_at: time(member.updatedAt),
    banned_until: member.member.bannedUntil && time(member.member.bannedUntil),
    person_id: member.member.personId,
    has_password: member.hasPassword,
    subunit_ids: member.member.subunitIds,
    has_push_token: member.member.hasPushToken,
    social_logins: member.externalIds.map((id) => id.kind.slice('external:'.length)),
    favorite_stores: member.member.favoriteStores,
  };
}

export type MemberJson = ReturnType<typeof renderMember>;

export function paginationInfo(total: number, perPage: number, page: number) {
  const totalPages = Math.ceil(total / perPage);
  return {
    total_count: total,
    per_page: perPage,
    total_pages: totalPages,
    current_page: page,
    next_page: page < totalPages ? page + 1 : null,
    prev_page: page > 1 ? page - 1 : null,
    is_first_page: page === 1,
    is_last_page: page >= totalPages,
    is_out_of_range: page > totalPages,
  };
}
