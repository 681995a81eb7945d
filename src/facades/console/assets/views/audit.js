import { api } from '../api.js';
import { h, panel, table, when } from '../dom.js';

/** The audit log: who did what to whom, when and from where (newest first). */
export async function auditView(ctx) {
  const target = ctx.query.get('target') ?? '';
  const log = await api('GET', `/audit?${new URLSearchParams({ tenant: ctx.tenant, limit: '100', ...(target && { target }) })}`);
  return [
    h(
      'div',
      { class: 'page-head' },
      h('div', {}, h('h1', {}, 'Audit log'), h('p', { class: 'subtitle' }, 'Every admin action and every view of a person’s record.')),
    ),
    panel(
      target ? `Entries about ${target}` : 'Latest entries',
      table(
        ['When', 'Who', 'Action', 'Whom', 'From', 'Details'],
        log.entries.map((e) =>
          h(
            'tr',
            {},
            h('td', { class: 'nowrap' }, when(e.at)),
            h('td', {}, e.actor),
            h('td', { class: 'nowrap' }, h('code', {}, e.action)),
            h(
              'td',
              {},
              e.target && /^[0-9a-f]{32}$/.test(e.target)
                ? h('a', { href: `#/${encodeURIComponent(ctx.tenant)}/person/${e.target}` }, e.target.slice(0, 8))
                : (e.target ?? '—'),
            ),
            h('td', {}, e.ip ?? '—'),
            h('td', { class: 'hint mono' }, Object.keys(e.detail).length ? JSON.stringify(e.detail) : ''),
          ),
        ),
        'No entries.',
      ),
    ),
  ];
}
