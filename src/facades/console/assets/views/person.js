import { api } from '../api.js';
import { announce, badge, h, panel, table, when } from '../dom.js';

const may = (session, action) => {
  if (!session.user) return true;
  const rights = {
    owner: ['unsubscribe', 'resend', 'edit', 'erase', 'export'],
    tenant_admin: ['unsubscribe', 'resend', 'edit', 'erase', 'export'],
    support: ['unsubscribe', 'resend', 'erase', 'export'],
    viewer: [],
  };
  return rights[session.user.role]?.includes(action);
};

function doiBadge(status) {
  return badge(status, status === 'Confirmed' ? 'ok' : status === 'Pending' ? 'warn' : null);
}

function proof(d) {
  return h(
    'div',
    { class: 'proof' },
    h('div', {}, h('strong', {}, 'Requested'), when(d.emailSentAt), h('br'), `IP ${d.requestIp ?? '—'}`, h('br'), `Agent ${d.requestUserAgent ?? '—'}`),
    h('div', {}, h('strong', {}, 'Confirmed'), when(d.confirmedAt), h('br'), `IP ${d.confirmIp ?? '—'}`, h('br'), `Agent ${d.confirmUserAgent ?? '—'}`),
  );
}

async function act(ctx, label, method, path, body, confirmText) {
  if (confirmText && !window.confirm(confirmText)) return;
  try {
    await api(method, `/tenants/${encodeURIComponent(ctx.tenant)}${path}`, body);
    await ctx.refresh();
    announce(label);
  } catch (error) {
    announce(`${label} failed: ${error.message}`);
  }
}

function profileEditor(ctx, uid, profile) {
  const text = h('textarea', { id: 'profile-json', name: 'profile', 'aria-describedby': 'profile-hint' }, JSON.stringify(profile, null, 2));
  const error = h('p', { class: 'error', role: 'alert', hidden: true });
  return h(
    'form',
    {
      onsubmit: async (event) => {
        event.preventDefault();
        let value;
        try {
          value = JSON.parse(text.value);
          if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('The profile is a JSON object');
        } catch (e) {
          error.hidden = false;
          error.textContent = `Not saved: ${e.message}`;
          return;
        }
        await act(ctx, 'Profile saved', 'PATCH', `/people/${uid}`, { profile: value });
      },
    },
    h(
      'div',
      { class: 'field' },
      h('label', { for: 'profile-json' }, 'Profile (JSON)'),
      text,
      h('span', { id: 'profile-hint', class: 'hint' }, 'Fields are merged into the profile; null removes a field.'),
    ),
    error,
    h('button', { class: 'primary', type: 'submit' }, 'Save profile'),
  );
}

/** One person: identifiers, profile, subscriptions with DOI proof, consent timeline, channels, doors, events and deliveries. */
export async function personView(ctx) {
  const uid = ctx.arg;
  const record = await api('GET', `/tenants/${encodeURIComponent(ctx.tenant)}/people/${uid}`);
  const a = record.account;
  const name = [a.profile.firstName, a.profile.lastName].filter(Boolean).join(' ') || a.email || a.uid;

  const exportButton = may(ctx.session, 'export')
    ? h(
        'a',
        { class: 'button', href: `/admin/v1/tenants/${encodeURIComponent(ctx.tenant)}/people/${uid}/export`, download: `person-${uid}.json` },
        'Export JSON',
      )
    : null;
  const eraseButton = may(ctx.session, 'erase')
    ? h(
        'button',
        {
          type: 'button',
          class: 'danger',
          onclick: async () => {
            await act(
              ctx,
              'Person erased',
              'DELETE',
              `/people/${uid}`,
              undefined,
              `Erase ${name}? Their account, identifiers, subscriptions and profile are deleted. Consent history and events stay as proof.`,
            );
            ctx.go(ctx.tenant, 'people');
          },
        },
        'Erase person',
      )
    : null;

  const subscriptions = table(
    ['List', 'Channel', 'State', 'Double opt-in', 'Updated', { label: 'Actions' }],
    a.subscriptions.map((s) =>
      h(
        'tr',
        {},
        h('td', {}, h('strong', {}, s.subscriptionId), s.tags.length ? h('div', { class: 'hint' }, s.tags.join(', ')) : null),
        h('td', {}, s.channel),
        h('td', {}, s.isSubscribed ? badge('subscribed', 'ok') : badge('unsubscribed')),
        h('td', {}, doiBadge(s.doubleOptIn.status), proof(s.doubleOptIn)),
        h('td', {}, when(s.lastUpdatedStateAt)),
        h(
          'td',
          {},
          h(
            'div',
            { class: 'actions' },
            s.isSubscribed && may(ctx.session, 'unsubscribe')
              ? h(
                  'button',
                  {
                    type: 'button',
                    class: 'small',
                    onclick: () =>
                      act(ctx, `Unsubscribed from ${s.subscriptionId}`, 'POST', `/people/${uid}/unsubscribe`, {
                        subscriptionId: s.subscriptionId,
                        channel: s.channel,
                      }),
                  },
                  `Unsubscribe`,
                  h('span', { class: 'sr-only' }, ` from ${s.subscriptionId}`),
                )
              : null,
            s.isSubscribed && s.doubleOptIn.status === 'Pending' && may(ctx.session, 'resend')
              ? h(
                  'button',
                  {
                    type: 'button',
                    class: 'small',
                    onclick: () =>
                      act(ctx, 'Confirmation email sent again', 'POST', `/people/${uid}/resend-confirmation`, {
                        subscriptionId: s.subscriptionId,
                        channel: s.channel,
                      }),
                  },
                  'Resend confirmation',
                )
              : null,
          ),
        ),
      ),
    ),
    'No subscriptions.',
  );

  const consents = a.consents.length
    ? a.consents.map((c) =>
        h(
          'div',
          {},
          h('h3', {}, c.consentId, ' ', c.isGranted ? badge('granted', 'ok') : badge('not granted', 'bad')),
          h(
            'ol',
            { class: 'timeline', 'aria-label': `History of consent ${c.consentId}` },
            (record.consentHistory[c.consentId] ?? []).map((entry) =>
              h(
                'li',
                { class: entry.isGranted ? '' : 'revoked' },
                h(
                  'div',
                  {},
                  h('strong', {}, entry.isGranted ? 'Granted' : 'Withdrawn'),
                  entry.version ? ` · version ${entry.version}` : '',
                  entry.source ? ` · ${entry.source}` : '',
                ),
                h('div', { class: 'when' }, when(entry.updatedAt), ' · via ', entry.origin?.facade ?? '—', entry.origin?.ip ? ` from ${entry.origin.ip}` : ''),
              ),
            ),
          ),
        ),
      )
    : h('p', { class: 'empty' }, 'No consents.');

  const channels = Object.entries(a.channels);
  const events = table(
    ['When', 'Event', 'Via', 'Deliveries'],
    record.events.map((e) =>
      h(
        'tr',
        {},
        h('td', {}, when(e.at)),
        h('td', {}, h('code', {}, e.type), h('details', {}, h('summary', {}, 'Payload'), h('pre', {}, JSON.stringify(e.payload, null, 2)))),
        h('td', {}, e.origin.facade, e.origin.ip ? h('div', { class: 'hint' }, e.origin.ip) : null),
        h(
          'td',
          {},
          e.deliveries.length
            ? e.deliveries.map((d) =>
                h(
                  'div',
                  {},
                  badge(d.status, d.status === 'delivered' ? 'ok' : d.status === 'dead' ? 'bad' : 'warn'),
                  ' ',
                  d.sink,
                  d.lastError ? h('div', { class: 'hint' }, d.lastError) : null,
                ),
              )
            : h('span', { class: 'hint' }, 'no sink wanted it'),
        ),
      ),
    ),
    'No events.',
  );

  return [
    h(
      'div',
      { class: 'page-head' },
      h(
        'div',
        {},
        h('p', { class: 'hint' }, h('a', { href: `#/${encodeURIComponent(ctx.tenant)}/people` }, '← People')),
        h('h1', {}, name),
        h(
          'p',
          { class: 'subtitle' },
          a.hasFullAccount ? badge('full account', 'info') : null,
          ' ',
          a.hasLiteAccount ? badge('lite account') : null,
          ' ',
          a.isVerified ? badge('verified', 'ok') : null,
          ` Created ${when(a.createdAt)}`,
        ),
      ),
      h('div', { class: 'actions' }, exportButton, eraseButton),
    ),
    h(
      'div',
      { class: 'grid' },
      panel(
        'Identifiers',
        h(
          'dl',
          { class: 'facts' },
          h('dt', {}, 'UID'),
          h('dd', {}, h('code', {}, a.uid)),
          h('dt', {}, 'Email'),
          h('dd', {}, a.email ?? '—'),
          h('dt', {}, 'Phone'),
          h('dd', {}, a.msisdn ?? '—'),
          a.externalIds.map((x) => [h('dt', {}, x.kind.replace('external:', '')), h('dd', {}, h('code', {}, x.value))]),
          h('dt', {}, 'Member id'),
          h('dd', {}, String(a.numericId)),
          h('dt', {}, 'Language'),
          h('dd', {}, a.language ?? '—'),
          h('dt', {}, 'Updated'),
          h('dd', {}, when(a.updatedAt)),
        ),
      ),
      panel(
        'Doors',
        record.doors.length
          ? h(
              'ul',
              {},
              record.doors.map((d) =>
                h(
                  'li',
                  {},
                  h('strong', {}, d.kind),
                  d.siteName ? ` · site ${d.siteName}` : '',
                  d.ref ? [' · ', h('code', {}, d.ref)] : '',
                  h('span', { class: 'hint' }, ` since ${when(d.firstSeen)}`),
                ),
              ),
            )
          : h('p', { class: 'empty' }, 'No door recorded.'),
        h('h3', {}, 'Channels'),
        channels.length
          ? h(
              'ul',
              {},
              channels.map(([channel, status]) => h('li', {}, `${channel}: `, badge(status, status === 'enabled' || status === 'verified' ? 'ok' : 'bad'))),
            )
          : h('p', { class: 'empty' }, 'No channel statuses.'),
      ),
    ),
    h('div', { class: 'spacer' }),
    panel('Subscriptions and double opt-in proof', subscriptions),
    panel('Consents', consents),
    panel(
      'Profile and data',
      may(ctx.session, 'edit') ? profileEditor(ctx, uid, a.profile) : h('pre', {}, JSON.stringify(a.profile, null, 2)),
      h('h3', {}, 'Data'),
      h('pre', {}, JSON.stringify(a.data, null, 2)),
    ),
    panel('Events and deliveries', events),
  ];
}
