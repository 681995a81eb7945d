import { api } from '../api.js';
import { badge, h, panel, table, when } from '../dom.js';

function row(ctx, p) {
  const name = [p.firstName, p.lastName].filter(Boolean).join(' ');
  return h(
    'tr',
    {},
    h('td', {}, h('a', { href: `#/${encodeURIComponent(ctx.tenant)}/person/${p.uid}` }, name || p.email || p.uid)),
    h('td', {}, p.email ?? '—'),
    h('td', {}, p.msisdn ?? '—'),
    h('td', {}, p.hasFullAccount ? badge('full', 'info') : null, ' ', p.hasLiteAccount ? badge('lite') : null),
    h('td', {}, p.subscribed.length ? p.subscribed.join(', ') : '—'),
    h('td', { class: 'nowrap' }, when(p.createdAt)),
  );
}

/** People: one search box for email, phone, UID, name or a Gigya-style query; keyset pages ("Show more"). */
export async function peopleView(ctx) {
  const q = ctx.query.get('q') ?? '';
  const input = h('input', {
    id: 'q',
    name: 'q',
    type: 'search',
    value: q,
    placeholder: 'ada@example.com, +4791234567, a UID, a name, or SELECT * FROM accounts WHERE …',
  });
  const form = h(
    'form',
    {
      class: 'search',
      role: 'search',
      onsubmit: (event) => {
        event.preventDefault();
        ctx.go(ctx.tenant, 'people', undefined, input.value.trim() ? { q: input.value.trim() } : undefined);
      },
    },
    h('label', { for: 'q', class: 'sr-only' }, 'Search people'),
    input,
    h('button', { class: 'primary', type: 'submit' }, 'Search'),
  );
  const page = await api('GET', `/tenants/${encodeURIComponent(ctx.tenant)}/people?${new URLSearchParams({ q, limit: '25' })}`);
  const body = h(
    'tbody',
    {},
    page.people.map((p) => row(ctx, p)),
  );
  const results = page.people.length
    ? h(
        'table',
        {},
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            ['Name', 'Email', 'Phone', 'Account', 'Subscribed to', 'Created'].map((x) => h('th', { scope: 'col' }, x)),
          ),
        ),
        body,
      )
    : table([], [], q ? 'Nobody matches this search.' : 'No people in this tenant yet.');
  let next = page.next;
  const more = h(
    'button',
    {
      type: 'button',
      hidden: !next,
      onclick: async () => {
        const following = await api('GET', `/tenants/${encodeURIComponent(ctx.tenant)}/people?${new URLSearchParams({ q, limit: '25', after: next })}`);
        body.append(...following.people.map((p) => row(ctx, p)));
        next = following.next;
        more.hidden = !next;
      },
    },
    'Show more',
  );
  return [
    h(
      'div',
      { class: 'page-head' },
      h('div', {}, h('h1', {}, 'People'), h('p', { class: 'subtitle' }, `Everyone in ${ctx.tenantName}, whichever door they came in by.`)),
    ),
    form,
    panel(q ? `Results for “${q}”` : 'Newest people', results, h('div', { class: 'actions' }, more)),
  ];
}
