import { api, upload } from '../api.js';
import { announce, badge, h, panel, table, when } from '../dom.js';

function statusBadge(status) {
  return badge(status, status === 'done' ? 'ok' : status === 'running' ? 'info' : 'bad');
}

function progress(job) {
  return h(
    'dl',
    { class: 'facts', id: 'import-progress' },
    h('dt', {}, 'Status'),
    h('dd', {}, statusBadge(job.status)),
    h('dt', {}, 'Rows read'),
    h('dd', {}, String(job.rows)),
    h('dt', {}, 'Created'),
    h('dd', {}, String(job.created)),
    h('dt', {}, 'Updated'),
    h('dd', {}, String(job.updated)),
    h('dt', {}, 'Failed'),
    h('dd', {}, String(job.failed)),
  );
}

function uploadForm(ctx, sites, onFinished) {
  const tenantQuery = `tenant=${encodeURIComponent(ctx.tenant)}`;
  const live = h('div', { 'aria-live': 'polite' });
  const form = h(
    'form',
    {
      class: 'inline-form',
      onsubmit: async (event) => {
        event.preventDefault();
        const file = form.querySelector('#import-file').files[0];
        const site = form.querySelector('#import-site').value;
        if (!file) return;
        try {
          let job = await upload(`/import-jobs?${tenantQuery}&site=${encodeURIComponent(site)}`, file);
          live.replaceChildren(h('h3', {}, `Importing ${file.name}`), progress(job));
          while (job.status === 'running') {
            await new Promise((resolve) => setTimeout(resolve, 700));
            job = await api('GET', `/import-jobs/${job.jobId}?${tenantQuery}`);
            live.replaceChildren(h('h3', {}, `Importing ${file.name}`), progress(job));
          }
          live.append(
            h(
              'p',
              {},
              h(
                'a',
                { class: 'button', href: `/admin/v1/import-jobs/${job.jobId}/results?${tenantQuery}`, download: `import-${job.jobId}-results.json` },
                'Download results',
              ),
            ),
          );
          announce(`Import ${job.status}: ${job.created} created, ${job.updated} updated, ${job.failed} failed`);
          await onFinished();
        } catch (error) {
          live.replaceChildren(h('p', { class: 'error', role: 'alert' }, error.message));
        }
      },
    },
    h(
      'div',
      { class: 'field' },
      h('label', { for: 'import-site' }, 'Site'),
      h(
        'select',
        { id: 'import-site', name: 'site' },
        sites.map((s) => h('option', { value: s.gigya.apiKey }, s.name)),
      ),
    ),
    h(
      'div',
      { class: 'field' },
      h('label', { for: 'import-file' }, 'File (NDJSON or CSV)'),
      h('input', { id: 'import-file', name: 'file', type: 'file', accept: '.ndjson,.jsonl,.json,.csv', required: true }),
    ),
    h('button', { class: 'primary', type: 'submit' }, 'Upload and import'),
  );
  return [form, h('p', { class: 'hint' }, 'One lite account per line in the importLiteAccount shape; see the README on bulk import.'), live];
}

function jobsTable(jobs) {
  return table(
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
        h('td', { class: 'nowrap' }, when(j.createdAt)),
        h('td', {}, statusBadge(j.status)),
        h('td', {}, j.format),
        h('td', { class: 'num' }, String(j.rowsRead)),
        h('td', { class: 'num' }, String(j.accountsCreated)),
        h('td', { class: 'num' }, String(j.accountsUpdated)),
        h('td', { class: 'num' }, String(j.rowsFailed)),
        h('td', { class: 'nowrap' }, when(j.finishedAt)),
      ),
    ),
    'No imports yet.',
  );
}

/** Imports: upload a file and watch it run; the tenant's past jobs (listed again when an upload finishes). */
export async function importsView(ctx) {
  const jobsPath = `/tenants/${encodeURIComponent(ctx.tenant)}/import-jobs`;
  const [{ jobs }, { sites }] = await Promise.all([api('GET', jobsPath), api('GET', `/tenants/${encodeURIComponent(ctx.tenant)}/sites`)]);
  const mayRun = !ctx.session.user || ['owner', 'tenant_admin'].includes(ctx.session.user.role);
  const gigyaSites = sites.filter((s) => s.gigya.apiKey);
  const jobList = h('div', {}, jobsTable(jobs));
  const refreshJobs = async () => jobList.replaceChildren(jobsTable((await api('GET', jobsPath)).jobs));
  return [
    h(
      'div',
      { class: 'page-head' },
      h(
        'div',
        {},
        h('h1', {}, 'Imports'),
        h('p', { class: 'subtitle' }, 'Bulk imports of lite accounts, from here, roster import or POST /admin/v1/import-jobs.'),
      ),
    ),
    mayRun && gigyaSites.length ? panel('New import', uploadForm(ctx, gigyaSites, refreshJobs)) : null,
    panel('Import jobs', jobList),
  ];
}
