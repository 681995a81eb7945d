import { api } from '../api.js';
import { announce, badge, h, panel, table, when } from '../dom.js';

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

function testButton(ctx, name) {
  const result = h('span', { class: 'hint', 'aria-live': 'polite' });
  const button = h(
    'button',
    {
      type: 'button',
      class: 'small',
      onclick: async () => {
        button.disabled = true;
        try {
          const { outcome } = await api('POST', `/tenants/${encodeURIComponent(ctx.tenant)}/webhooks/${encodeURIComponent(name)}/test`);
          result.textContent = outcome.kind === 'delivered' ? ` delivered (HTTP ${outcome.statusCode})` : ` failed: ${outcome.error}`;
        } catch (error) {
          result.textContent = ` failed: ${error.message}`;
        } finally {
          button.disabled = false;
        }
      },
    },
    'Send test event',
    h('span', { class: 'sr-only' }, ` to ${name}`),
  );
  return h('span', {}, button, result);
}

/** The club settings (member schema, stores, …) as JSON, checked by the server before anything is saved. */
function clubEditor(ctx, site) {
  const id = `club-${site.id}`;
  const text = h('textarea', { id, name: 'club', 'aria-describedby': `${id}-hint` }, JSON.stringify(site.boostcom.club ?? {}, null, 2));
  const message = h('div', { 'aria-live': 'polite' });
  const form = h(
    'form',
    {
      onsubmit: async (event) => {
        event.preventDefault();
        let club;
        try {
          club = JSON.parse(text.value);
        } catch (error) {
          message.replaceChildren(h('p', { class: 'error', role: 'alert' }, `Not saved: not JSON (${error.message})`));
          return;
        }
        try {
          await api('POST', '/provisioning', {
            tenants: [{ name: ctx.tenantName, sites: [{ name: site.name, boostcom: { slug: site.boostcom.slug, club } }] }],
          });
          message.replaceChildren(h('p', { class: 'badge ok' }, 'Saved'));
          announce(`Club ${site.boostcom.slug} saved`);
        } catch (error) {
          const problems = error.data?.problems ?? [error.message];
          message.replaceChildren(
            h(
              'div',
              { class: 'error', role: 'alert' },
              h('strong', {}, 'Not saved:'),
              h(
                'ul',
                {},
                problems.map((p) => h('li', {}, p)),
              ),
            ),
          );
        }
      },
    },
    h(
      'div',
      { class: 'field' },
      h('label', { for: id }, `Club ${site.boostcom.slug}: settings and member schema (JSON)`),
      text,
      h('span', { id: `${id}-hint`, class: 'hint' }, 'member_schema is a JSON Schema (draft-04); it is checked before anything is saved.'),
    ),
    h('button', { class: 'primary', type: 'submit' }, 'Validate and save'),
    message,
  );
  return form;
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
  const doi = templates.defaults.doi_confirmation?.en;
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
    panel(
      'Sites',
      table(
        ['Site', 'Gigya API key', 'Boostcom club', 'Naviga client', 'Updated'],
        sites.map((s) =>
          h(
            'tr',
            {},
            h('td', {}, h('strong', {}, s.name)),
            h('td', {}, s.gigya.apiKey ? h('code', {}, s.gigya.apiKey) : '—'),
            h(
              'td',
              {},
              s.boostcom
                ? [h('code', {}, s.boostcom.slug), s.clubClients.length ? h('div', { class: 'hint' }, `${s.clubClients.length} client(s)`) : null]
                : '—',
            ),
            h('td', {}, s.naviga ? h('code', {}, `${s.naviga.clientCode}/${s.naviga.paperCode}/${s.naviga.groupCode}`) : '—'),
            h('td', {}, when(s.updatedAt)),
          ),
        ),
        'No sites.',
      ),
    ),
    mayWrite && sites.some((s) => s.boostcom)
      ? panel(
          'Boostcom clubs',
          sites.filter((s) => s.boostcom).map((s) => clubEditor(ctx, s)),
        )
      : null,
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
    panel(
      'Webhooks',
      table(
        ['Name', 'URL', 'Events', 'Format', 'State', { label: 'Test' }],
        webhooks.map((w) =>
          h(
            'tr',
            {},
            h('td', {}, w.name),
            h('td', {}, h('code', {}, w.url)),
            h('td', {}, w.eventTypes.join(', ')),
            h('td', {}, w.format),
            h('td', {}, w.enabled ? badge('enabled', 'ok') : badge('disabled')),
            h('td', {}, mayWrite ? testButton(ctx, w.name) : null),
          ),
        ),
        'No webhooks.',
      ),
    ),
    panel(
      'Templates',
      h('p', { class: 'hint' }, 'Roster’s default double opt-in email (English); a site overrides it in settings.messaging.templates.'),
      doi ? h('div', { class: 'proof' }, h('div', {}, h('strong', {}, `Subject: ${doi.subject}`), h('pre', {}, doi.text))) : null,
    ),
  ];
}
