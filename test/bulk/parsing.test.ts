import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import { CsvHeaderError, type RawRow, readImportRows } from '../../src/bulk/import-file.js';
import { parseLiteAccountRow } from '../../src/bulk/lite-account-row.js';
import type { ImportFormat } from '../../src/core/ports.js';

async function rows(text: string | Buffer, format: ImportFormat): Promise<RawRow[]> {
  const out: RawRow[] = [];
  // Small chunks so multi-byte characters and quoted fields straddle chunk boundaries.
  const buffer = Buffer.isBuffer(text) ? text : Buffer.from(text, 'utf8');
  const chunks: Buffer[] = [];
  for (let i = 0; i < buffer.length; i += 3) chunks.push(buffer.subarray(i, i + 3));
  for await (const row of readImportRows(Readable.from(chunks), format)) out.push(row);
  return out;
}

describe('NDJSON reading', () => {
  it('strips a BOM, skips empty lines, keeps UTF-8 split across chunks and numbers lines from 1', async () => {
    const text = `\uFEFF{"email":"a@x.no","profile":{"firstName":"Åsmund 😀"}}\n\n   \r\n{"email":"b@x.no"}\r\n`;
    assert.deepEqual(await rows(text, 'ndjson'), [
      { line: 1, value: { email: 'a@x.no', profile: { firstName: 'Åsmund 😀' } } },
      { line: 4, value: { email: 'b@x.no' } },
    ]);
  });

  it('reports a line that is not JSON with its number and reads on', async () => {
    const result = await rows('{"email":"a@x.no"}\n{"email": oops}\n{"email":"c@x.no"}', 'ndjson');
    assert.equal(result.length, 3);
    assert.equal(result[1]?.line, 2);
    assert.match((result[1] as { error: string }).error, /^not JSON/);
    assert.deepEqual(result[2], { line: 3, value: { email: 'c@x.no' } });
  });
});

describe('CSV reading', () => {
  it('nests dotted columns, reads quotes, doubled quotes, newlines in quotes, BOM and UTF-8', async () => {
    const csv =
      '\uFEFFemail,profile.firstName,subscriptions.news.sports.email.isSubscribed,subscriptions.news.sports.email.tags,preferences.terms.tos.isConsentGranted,data.score\r\n' +
      'a@x.no,"Ola ""the"" Nordmann",TRUE,a|b,false,json:42\r\n' +
      '\r\n' +
      'b@x.no,"Kari\nØstby",,,,\r\n';
    assert.deepEqual(await rows(csv, 'csv'), [
      {
        line: 2,
        value: {
          email: 'a@x.no',
          profile: { firstName: 'Ola "the" Nordmann' },
          subscriptions: { news: { sports: { email: { isSubscribed: true, tags: ['a', 'b'] } } } },
          preferences: { terms: { tos: { isConsentGranted: false } } },
          data: { score: 42 },
        },
      },
      { line: 4, value: { email: 'b@x.no', profile: { firstName: 'Kari\nØstby' } } },
    ]);
  });

  it('reports records with the wrong number of columns, a bad boolean and a stray quote, by line, and reads on', async () => {
    const csv = 'email,subscriptions.news.email.isSubscribed\na@x.no,true,extra\nb@x.no,maybe\nc@x.no,t"rue\nd@x.no,false\n';
    const result = await rows(csv, 'csv');
    assert.deepEqual(
      result.map((r) => ('error' in r ? `${r.line}: ${r.error}` : `${r.line}: ok`)),
      [
        '2: expected 2 columns, found 3',
        '3: column subscriptions.news.email.isSubscribed: isSubscribed must be true or false',
        `4: CSV: Invalid Opening Quote: a quote is found on field 1 at line 4, value is "t"`,
        '5: ok',
      ],
    );
  });

  it('numbers lines right after quoted cells holding CRLF, in CRLF and LF files (issue 15 item 7)', async () => {
    const cells = 'a@x.no,"one\r\ntwo\r\nthree"';
    for (const eol of ['\r\n', '\n']) {
      const csv = ['email,profile.note', cells, '', 'b@x.no,x', 'c@x.no,"p\r\nq"', 'd@x.no,maybe,extra', 'e@x.no,y', ''].join(eol);
      const result = await rows(csv, 'csv');
      assert.deepEqual(
        result.map((r) => ('error' in r ? `${r.line}: ${r.error}` : `${r.line}: ${(r.value as { email: string }).email}`)),
        ['2: a@x.no', '6: b@x.no', '7: c@x.no', '9: expected 2 columns, found 3', '10: e@x.no'],
        `line ends ${JSON.stringify(eol)}`,
      );
    }
    // A lone CR inside quotes is a line break too.
    const lone = await rows('email,profile.note\r\na@x.no,"one\rtwo"\r\nb@x.no,x\r\n', 'csv');
    assert.deepEqual(
      lone.map((r) => r.line),
      [2, 4],
    );
  });

  it('refuses a header with unknown or missing columns before reading any row', async () => {
    await assert.rejects(rows('mail,profile.firstName\na@x.no,A\n', 'csv'), CsvHeaderError);
    await assert.rejects(rows('email,profil.firstName\na@x.no,A\n', 'csv'), /unknown CSV column "profil.firstName"/);
    await assert.rejects(rows('email,profile\na@x.no,A\n', 'csv'), /needs a field name/);
  });
});

describe('importLiteAccount row shape', () => {
  it('turns nested dotted subscription ids and consents into core changes', () => {
    const result = parseLiteAccountRow({
      email: 'A@x.no',
      profile: { firstName: 'A' },
      subscriptions: {
        news: { sports: { email: { isSubscribed: true, tags: ['x'], lastUpdatedSubscriptionState: '2024-01-02T03:04:05Z' } } },
        daily: { email: { isSubscribed: false, doubleOptIn: { status: 'Confirmed', confirmTime: '2024-01-01T00:00:00Z', doiConditionallyConfirmed: true } } },
      },
      preferences: { terms: { tos: { isConsentGranted: true, docVersion: 2, lang: 'nb', lastConsentModified: '2024-02-02T00:00:00Z' } } },
    });
    assert.ok(result.ok);
    assert.deepEqual(result.input.subscriptions, [
      { subscriptionId: 'news.sports', channel: 'email', isSubscribed: true, tags: ['x'], lastUpdatedStateAt: new Date('2024-01-02T03:04:05Z') },
      {
        subscriptionId: 'daily',
        channel: 'email',
        isSubscribed: false,
        doubleOptIn: { status: 'Confirmed', confirmedAt: new Date('2024-01-01T00:00:00Z'), conditionallyConfirmed: true },
      },
    ]);
    assert.deepEqual(result.input.consents, [
      { consentId: 'terms.tos', isGranted: true, version: '2', updatedAt: new Date('2024-02-02T00:00:00Z'), attributes: { lang: 'nb' } },
    ]);
  });

  it('gives a reason for each kind of bad row', () => {
    const reason = (raw: unknown) => {
      const result = parseLiteAccountRow(raw);
      return result.ok ? 'ok' : result.reason;
    };
    assert.equal(reason([1]), 'a row must be a JSON object');
    assert.equal(reason({ profile: {} }), 'email is required');
    assert.equal(reason({ email: 'a@x.no', nickname: 'x' }), 'unknown field nickname');
    assert.equal(reason({ email: 'a@x.no', profile: 'x' }), 'profile must be an object');
    assert.equal(
      reason({ email: 'a@x.no', subscriptions: { n: { email: { isSubscribed: 'yes' } } } }),
      'subscriptions.n.email.isSubscribed must be true or false',
    );
    assert.equal(
      reason({ email: 'a@x.no', subscriptions: { n: { email: { isSubscribed: true, doubleOptIn: { status: 'Maybe' } } } } }),
      'subscriptions.n.email.doubleOptIn.status must be NotConfirmed, Pending or Confirmed',
    );
    assert.equal(
      reason({ email: 'a@x.no', subscriptions: { n: { email: { lastUpdatedSubscriptionState: 'yesterday' } } } }),
      'subscriptions.n.email.lastUpdatedSubscriptionState must be an ISO-8601 time',
    );
    assert.equal(reason({ email: 'a@x.no', preferences: { t: { isConsentGranted: true, color: 'red' } } }), 'preferences.t.color is not a consent field');
    assert.equal(reason({ email: 'a@x.no', UID: 'ignored', lastUpdated: 'ignored' }), 'ok');
  });
});
