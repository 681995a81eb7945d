import { api } from '../api.js';
import { announce, badge, h, panel, table, when } from '../dom.js';

function lag(ms) {
  if (ms === null || ms === undefined) return '—';
  if (ms < 1000) return `${ms} ms`;
  if (ms < 120_000) return `${Math.round(ms / 1000)} s`;
  return `${Math.round(ms / 60_000)} min`;
}

/** Events: deliveries per sink with state and lag, the outbox backlog, dead letters with replay. Refreshes itself. */
export async function eventsView(ctx) {
  const base = `/tenants/${encodeURIComponent(ctx.tenant)}`;
  const data = await api('GET', `${base}/events`);
  const mayReplay = !ctx.session.user || ['owner', 'tenant_admin'].includes(ctx.session.user.role);
  const replay = async (body, label) => {
    const result = await api('POST', `${base}/dead-letters/replay`, body);
    await ctx.refresh();
    announce(`${label}: ${result.replayed} queued again`);
  };
  const labelOf = new Map(data.sinks.map((s) => [s.sink, s.label]));
  const totals = data.sinks.reduce((sum, s) => {
    for (const [k, v] of Object.entries(s.counts)) sum[k] = (sum[k] ?? 0) + v;
    return sum;
  }, {});
  const view = [
    h(
      'div',
      { class: 'page-head' },
      h(
        'div',
        {},
        h('h1', {}, 'Events'),
        h('p', { class: 'subtitle' }, 'Delivery of every change to webhooks, NATS and messaging. This page refreshes every 5 seconds.'),
      ),
    ),
    h(
      'div',
      { class: 'stats' },
      h(
        'div',
        { class: 'stat' },
        h('div', { class: 'value', id: 'backlog' }, String(data.backlog)),
        h('div', { class: 'label' }, 'Outbox backlog (not yet fanned out)'),
      ),
      h('div', { class: 'stat' }, h('div', { class: 'value' }, String(totals.pending ?? 0)), h('div', { class: 'label' }, 'Deliveries pending')),
      h('div', { class: 'stat' }, h('div', { class: 'value' }, String(totals.delivered ?? 0)), h('div', { class: 'label' }, 'Delivered')),
      h('div', { class: 'stat' }, h('div', { class: 'value' }, String(data.deadLetters.length)), h('div', { class: 'label' }, 'Dead letters')),
    ),
    panel(
      'Sinks',
      table(
        [
          'Sink',
          { label: 'Pending', num: true },
          { label: 'Delivered', num: true },
          { label: 'Dropped', num: true },
          { label: 'Dead', num: true },
          'Lag',
          'Last error',
        ],
        data.sinks.map((s) =>
          h(
            'tr',
            {},
            h('td', {}, h('strong', {}, s.label), s.label !== s.sink ? h('div', { class: 'hint mono' }, s.sink) : null),
            h('td', { class: 'num' }, String(s.counts.pending ?? 0)),
            h('td', { class: 'num' }, String(s.counts.delivered ?? 0)),
            h('td', { class: 'num' }, String(s.counts.dropped ?? 0)),
            h('td', { class: 'num' }, s.counts.dead ? badge(String(s.counts.dead), 'bad') : '0'),
            h('td', {}, lag(s.lagMs)),
            h('td', { class: 'hint' }, s.lastError ?? '—'),
          ),
        ),
        'No deliveries yet: add a webhook under Provisioning.',
      ),
    ),
    panel(
      'Dead letters',
      mayReplay && data.deadLetters.length
        ? h('div', { class: 'actions' }, h('button', { type: 'button', class: 'primary', onclick: () => replay({}, 'All dead letters') }, 'Replay all'))
        : null,
      table(
        ['When', 'Sink', 'Event', 'Person', 'Attempts', 'Error', { label: 'Replay' }],
        data.deadLetters.map((d) =>
          h(
            'tr',
            {},
            h('td', {}, when(d.at)),
            h('td', {}, labelOf.get(d.sink) ?? h('code', {}, d.sink)),
            h('td', {}, h('code', {}, d.eventType), h('div', { class: 'hint mono' }, d.eventId)),
            h('td', {}, d.accountUid ? h('a', { href: `#/${encodeURIComponent(ctx.tenant)}/person/${d.accountUid}` }, d.accountUid.slice(0, 8)) : '—'),
            h('td', {}, String(d.attempts)),
            h('td', { class: 'hint' }, d.lastError ?? '—'),
            h(
              'td',
              {},
              mayReplay
                ? h(
                    'button',
                    { type: 'button', class: 'small', onclick: () => replay({ sink: d.sink, eventId: d.eventId }, 'Dead letter') },
                    'Replay',
                    h('span', { class: 'sr-only' }, ` ${d.eventType} to ${d.sink}`),
                  )
                : null,
            ),
          ),
        ),
        'No dead letters. Every event reached its sinks or is still being tried.',
      ),
    ),
  ];
  const timer = setInterval(() => {
    if (!ctx.isCurrent() || !document.getElementById('backlog')) clearInterval(timer);
    else if (!document.activeElement || document.activeElement === document.body || document.activeElement.id === 'main') ctx.refresh();
  }, 5000);
  return view;
}
