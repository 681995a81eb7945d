import { api } from '../api.js';
import { badge, h, panel, table, when } from '../dom.js';

/** Imports: the tenant's import jobs with their progress (running jobs refresh every 2 seconds). */
export async function importsView(ctx) {
  const { jobs } = await api('GET', `/tenants/${encodeURIComponent(ctx.tenant)}/import-jobs`);
  const running = jobs.some((j) => j.status === 'running');
  if (running) {
    const timer = setInterval(() => {
      if (!ctx.isCurrent()) clearInterval(timer);
      else ctx.refresh();
    }, 2000);
  }
  return [
    h(
      'div',
      { class: 'page-head' },
      h('div', {}, h('h1', {}, 'Imports'), h('p', { class: 'subtitle' }, 'Bulk imports of lite accounts (roster import, or POST /admin/v1/import-jobs).')),
    ),
    panel(
      'Import jobs',
      table(
        [
          'Started',
          'Status',
          'Format',
          { label: 'Rows', num: true },
          { label: 'Created', num: true },
          { label: 'Updated', num: true },
          { label: 'Failed', num: true },
          'Finished',
        ],
        jobs.map((j) =>
          h(
            'tr',
            {},
            h('td', {}, when(j.createdAt)),
            h('td', {}, badge(j.status, j.status === 'done' ? 'ok' : j.status === 'running' ? 'info' : 'bad')),
            h('td', {}, j.format),
            h('td', { class: 'num' }, String(j.rowsRead)),
            h('td', { class: 'num' }, String(j.accountsCreated)),
            h('td', { class: 'num' }, String(j.accountsUpdated)),
            h('td', { class: 'num' }, String(j.rowsFailed)),
            h('td', {}, when(j.finishedAt)),
          ),
        ),
        'No imports yet.',
      ),
    ),
  ];
}
