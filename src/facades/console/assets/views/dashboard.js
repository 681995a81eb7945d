import { api } from '../api.js';
import { bars, stackedDays } from '../charts.js';
import { h, panel } from '../dom.js';

function duration(ms) {
  if (ms === null) return '—';
  if (ms < 60_000) return `${Math.round(ms / 1000)} s`;
  if (ms < 3_600_000) return `${Math.round(ms / 60_000)} min`;
  return `${(ms / 3_600_000).toFixed(1)} h`;
}

/** Dashboard: sign-ups by door, subscribes and unsubscribes per list, double opt-in, delivery health, as charts. */
export async function dashboardView(ctx) {
  const days = Number(ctx.query.get('days') ?? 30);
  const d = await api('GET', `/tenants/${encodeURIComponent(ctx.tenant)}/dashboard?days=${days}`);
  const rate = d.doubleOptIn.requested ? Math.round((100 * d.doubleOptIn.confirmed) / d.doubleOptIn.requested) : null;
  const sum = (rows) => rows.reduce((n, r) => n + r.count, 0);
  const delivery = d.delivery.sinks.flatMap((s) => [
    { label: `${s.label} delivered`, value: s.counts.delivered ?? 0, colour: '#0f8a6a' },
    { label: `${s.label} dead`, value: s.counts.dead ?? 0, colour: '#b3261e' },
  ]);
  return [
    h(
      'div',
      { class: 'page-head' },
      h('div', {}, h('h1', {}, 'Dashboard'), h('p', { class: 'subtitle' }, `${ctx.tenantName}, the last ${days} days.`)),
      h(
        'div',
        { class: 'actions' },
        [7, 30, 90].map((n) =>
          h(
            'a',
            {
              class: `button${n === days ? ' primary' : ''}`,
              href: `#/${encodeURIComponent(ctx.tenant)}/dashboard?days=${n}`,
              'aria-current': n === days ? 'true' : null,
            },
            `${n} days`,
          ),
        ),
      ),
    ),
    h(
      'div',
      { class: 'stats' },
      h('div', { class: 'stat' }, h('div', { class: 'value' }, String(sum(d.signups))), h('div', { class: 'label' }, 'Sign-ups and imports')),
      h('div', { class: 'stat' }, h('div', { class: 'value' }, String(sum(d.subscribes))), h('div', { class: 'label' }, 'Subscribes')),
      h('div', { class: 'stat' }, h('div', { class: 'value' }, String(sum(d.unsubscribes))), h('div', { class: 'label' }, 'Unsubscribes')),
      h('div', { class: 'stat' }, h('div', { class: 'value' }, rate === null ? '—' : `${rate}%`), h('div', { class: 'label' }, 'Double opt-in confirmed')),
      h(
        'div',
        { class: 'stat' },
        h('div', { class: 'value' }, duration(d.doubleOptIn.medianMsToConfirm)),
        h('div', { class: 'label' }, 'Median time to confirm'),
      ),
    ),
    h(
      'div',
      { class: 'grid charts' },
      panel('Sign-ups per day by door', stackedDays(d.signups, days, 'Sign-ups per day by door')),
      panel('Subscribes per day by list', stackedDays(d.subscribes, days, 'Subscribes per day by list')),
      panel('Unsubscribes per day by list', stackedDays(d.unsubscribes, days, 'Unsubscribes per day by list')),
      panel(
        'Double opt-in',
        bars(
          [
            { label: 'Requested', value: d.doubleOptIn.requested, colour: '#1f4fd1' },
            { label: 'Confirmed', value: d.doubleOptIn.confirmed, colour: '#0f8a6a' },
          ],
          'Double opt-in requested and confirmed',
        ),
      ),
      panel('Delivery health per sink', bars(delivery, 'Deliveries per sink')),
    ),
  ];
}
