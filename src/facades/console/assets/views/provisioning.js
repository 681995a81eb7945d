import { api } from '../api.js';
import { announce, badge, h, panel, table, when } from '../dom.js';
import { field, problemsOf, showProblems } from './forms.js';
import { siteEditor } from './sites.js';
import { templatesPanel } from './templates.js';
import { webhooksPanel } from './webhooks.js';

function keyForm(ctx) {
  const result = h('div', { 'aria-live': 'polite' });
  const form = h(
    'form',
    {
      class: 'inline-form',
      onsubmit: async (event) => {
        event.preventDefault();
        const data = new FormData(form);
        try {
          const created = await api('POST', `/tenants/${encodeURIComponent(ctx.tenant)}/keys`, {
            label: String(data.get('label')),
            permissions: String(data.get('permissions'))
              .split(',')
              .map((p) => p.trim())
              .filter(Boolean),
          });
          result.replaceChildren(
            h(
              'div',
              { class: 'secret', role: 'alert' },
              h('strong', {}, 'Key created. Copy the secret now: it is shown this once.'),
              h(
                'dl',
                { class: 'facts' },
                h('dt', {}, 'userKey'),
                h('dd', {}, h('code', { id: 'new-user-key' }, created.key.userKey)),
                h('dt', {}, 'secret'),
                h('dd', {}, h('code', { id: 'new-secret' }, created.secret)),
              ),
            ),
          );
          announce('Key created');
        } catch (error) {
          result.replaceChildren(h('p', { class: 'error', role: 'alert' }, error.message));
        }
      },
    },
    h('div', { class: 'field' }, h('label', { for: 'key-label' }, 'Label'), h('input', { id: 'key-label', name: 'label', required: true })),
    h(
      'div',
      { class: 'field' },
      h('label', { for: 'key-permissions' }, 'Permissions'),
      h('input', { id: 'key-permissions', name: 'permissions', value: 'accounts.*', required: true, 'aria-describedby': 'perm-hint' }),
    ),
    h('button', { class: 'primary', type: 'submit' }, 'Create key'),
  );
  return [form, h('p', { id: 'perm-hint', class: 'hint' }, 'Comma-separated: accounts.*, a method name, admin.people.read, or * for everything.'), result];
}

/** Owners create tenants: the one-tenant document of roster apply, through the same use case. */
function tenantForm(ctx) {
  const name = h('input', { name: 'tenant', required: true, maxlength: 100 });
  const summary = h('div', { 'aria-live': 'polite' });
  const form = h(
    'form',
    {
      class: 'inline-form',
      'aria-label': 'New tenant',
      onsubmit: async (event) => {
        event.preventDefault();
        try {
          const report = await api('POST', '/provisioning', { tenants: [{ name: name.value.trim() }] });
          const created = report.tenants[0];
          showProblems(form, summary, []);
          announce(created.created ? `Tenant ${created.name} created` : `Tenant ${created.name} already exists`);
          await ctx.reloadSession();
          ctx.go(created.id, 'provisioning');
        } catch (error) {
          showProblems(
            form,
            summary,
            problemsOf(error).map((p) => ({ ...p, path: p.path.replace(/^\/tenants\/0\/name/, '/name') })),
          );
        }
      },
    },
    field('Tenant name', name, { paths: ['/name'] }),
    h('button', { class: 'primary', type: 'submit' }, 'Create tenant'),
  );
  return [form, summary];
}

function sitesPanel(ctx, sites, mayWrite) {
  const slot = h('div', {});
  const open = (site) => {
    slot.replaceChildren(
      h('h3', {}, site ? `Edit ${site.name}` : 'New site'),
      siteEditor(ctx, site, () => ctx.refresh()),
    );
    slot.querySelector('input:not([readonly]), textarea')?.focus();
  };
  return [
    table(
      ['Site', 'Gigya API key', 'Boostcom club', 'Naviga client', 'Updated', { label: 'Actions' }],
      sites.map((s) =>
        h(
          'tr',
          {},
          h('td', {}, h('strong', {}, s.name)),
          h('td', {}, s.gigya.apiKey ? h('code', {}, s.gigya.apiKey) : '—'),
          h(
            'td',
            {},
            s.boostcom ? [h('code', {}, s.boostcom.slug), s.clubClients.length ? h('div', { class: 'hint' }, `${s.clubClients.length} client(s)`) : null] : '—',
          ),
          h('td', {}, s.naviga ? h('code', {}, `${s.naviga.clientCode}/${s.naviga.paperCode}/${s.naviga.groupCode}`) : '—'),
          h('td', {}, when(s.updatedAt)),
          h(
            'td',
            {},
            mayWrite && s.document
              ? h('button', { type: 'button', class: 'small', onclick: () => open(s) }, 'Edit', h('span', { class: 'sr-only' }, ` site ${s.name}`))
              : null,
          ),
        ),
      ),
      'No sites.',
    ),
    mayWrite ? h('div', { class: 'actions' }, h('button', { type: 'button', onclick: () => open(null) }, 'New site')) : null,
    slot,
  ];
}

/** Provisioning: sites with their doors, keys (create: secret shown once), webhooks, templates. */
export async function provisioningView(ctx) {
  const base = `/tenants/${encodeURIComponent(ctx.tenant)}`;
  const [{ sites }, { keys }, { webhooks }, templates] = await Promise.all([
    api('GET', `${base}/sites`),
    api('GET', `${base}/keys`),
    api('GET', `${base}/webhooks`),
    api('GET', `${base}/templates`),
  ]);
  const mayWrite = !ctx.session.user || ['owner', 'tenant_admin'].includes(ctx.session.user.role);
  const isOwner = ctx.session.user?.role === 'owner';
  return [
    h(
      'div',
      { class: 'page-head' },
      h(
        'div',
        {},
        h('h1', {}, 'Provisioning'),
        h('p', { class: 'subtitle' }, 'Sites, keys, clubs, Naviga clients, webhooks and templates. The same state roster apply writes.'),
      ),
    ),
    isOwner ? panel('Tenants', h('p', { class: 'hint' }, `This tenant: ${ctx.tenantName}. Owners add tenants here.`), tenantForm(ctx)) : null,
    panel('Sites', sitesPanel(ctx, sites, mayWrite)),
    panel(
      'Application keys',
      table(
        ['userKey', 'Label', 'Permissions', 'Created', 'State'],
        keys.map((k) =>
          h(
            'tr',
            {},
            h('td', {}, h('code', {}, k.userKey)),
            h('td', {}, k.label || '—'),
            h('td', {}, h('code', {}, k.permissions.join(', '))),
            h('td', {}, when(k.createdAt)),
            h('td', {}, k.revokedAt ? badge('revoked', 'bad') : badge('active', 'ok')),
          ),
        ),
        'No keys.',
      ),
      mayWrite ? [h('h3', {}, 'New key'), keyForm(ctx)] : null,
    ),
    panel('Webhooks', webhooksPanel(ctx, webhooks, mayWrite)),
    panel(
      'Templates',
      h('p', { class: 'hint' }, 'Emails, text messages and the double opt-in pages, per site and language. A site’s override replaces Roster’s default.'),
      templatesPanel(ctx, templates, sites, mayWrite),
    ),
  ];
}
