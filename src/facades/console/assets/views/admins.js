import { api } from '../api.js';
import { announce, badge, h, panel, table, when } from '../dom.js';
import { field, problemsOf, rowButton, showProblems } from './forms.js';

const ROLES = [
  ['viewer', 'Viewer: read only'],
  ['support', 'Support: people actions'],
  ['tenant_admin', 'Tenant admin: everything in its tenants'],
  ['owner', 'Owner: everything'],
];

/** A password shown this once, with what to do about it. */
function shownOnce(email, password) {
  return h(
    'div',
    { class: 'secret', role: 'alert' },
    h('strong', {}, `Password for ${email}. Copy it now: it is shown this once.`),
    h('dl', { class: 'facts' }, h('dt', {}, 'password'), h('dd', {}, h('code', { id: 'new-admin-password' }, password))),
  );
}

function createForm(ctx, result) {
  const email = h('input', { name: 'email', type: 'email', required: true, autocomplete: 'off' });
  const role = h(
    'select',
    { name: 'role' },
    ROLES.map(([value, label]) => h('option', { value }, label)),
  );
  const tenants = h(
    'fieldset',
    { class: 'tenant-choice', 'data-paths': '/tenants' },
    h('legend', {}, 'Tenants (for every role but owner)'),
    h('span', { class: 'field-error', hidden: true }),
    ctx.session.tenants.map((t) =>
      h(
        'div',
        { class: 'check' },
        h('input', { type: 'checkbox', name: 'tenants', value: t.id, id: `admin-tenant-${t.id}`, checked: t.id === ctx.tenant }),
        h('label', { for: `admin-tenant-${t.id}` }, t.name),
      ),
    ),
  );
  const summary = h('div', { 'aria-live': 'polite' });
  const form = h(
    'form',
    {
      'aria-label': 'New admin',
      onsubmit: async (event) => {
        event.preventDefault();
        const chosen = [...tenants.querySelectorAll('input:checked')].map((i) => i.value);
        try {
          const created = await api('POST', '/admins', { email: email.value.trim(), role: role.value, ...(role.value !== 'owner' && { tenants: chosen }) });
          showProblems(form, summary, []);
          await ctx.refresh();
          document.getElementById('admin-result')?.replaceChildren(shownOnce(created.admin.email, created.password));
          announce(`Admin ${created.admin.email} added`);
        } catch (error) {
          showProblems(form, summary, problemsOf(error));
          result.replaceChildren();
        }
      },
    },
    h('div', { class: 'row' }, field('Email', email, { paths: ['/email'] }), field('Role', role, { paths: ['/role'] })),
    tenants,
    h('p', { class: 'hint' }, 'A password is generated and shown once; the new admin signs in with it.'),
    h('div', { class: 'actions' }, h('button', { class: 'primary', type: 'submit' }, 'Add admin')),
    summary,
  );
  return form;
}

/** Owners manage console admins: add one, disable or enable, reset a password (shown once), remove TOTP. */
export async function adminsView(ctx) {
  if (ctx.session.user?.role !== 'owner') return h('p', { class: 'error', role: 'alert' }, 'Only owners manage admins.');
  const [{ admins }, { tenants }] = await Promise.all([api('GET', '/admins'), api('GET', '/tenants')]);
  const tenantName = new Map(tenants.map((t) => [t.id, t.name]));
  const result = h('div', { id: 'admin-result', 'aria-live': 'polite' });
  const showError = (error) => result.replaceChildren(h('p', { class: 'error', role: 'alert' }, error.message));
  // Each acts on one click: a confirm() first, as for deleting a webhook.
  const act = (label, admin, run, question) =>
    rowButton(label, admin.email, async () => (question && !window.confirm(question) ? undefined : run()), showError);
  const me = ctx.session.user.id;
  const rows = admins.map((a) =>
    h(
      'tr',
      {},
      h('td', { class: 'wrap' }, h('strong', {}, a.email)),
      h('td', {}, a.role.replace('_', ' ')),
      h('td', {}, a.role === 'owner' ? 'all' : a.tenantIds.map((id) => tenantName.get(id) ?? id).join(', ')),
      h('td', {}, a.totpEnabled ? badge('on', 'ok') : badge('off')),
      h(
        'td',
        {},
        a.disabled ? badge('disabled', 'bad') : a.lockedUntil && new Date(a.lockedUntil) > new Date() ? badge('locked', 'warn') : badge('active', 'ok'),
      ),
      h('td', { class: 'nowrap' }, when(a.lastLoginAt)),
      h(
        'td',
        {},
        a.id === me
          ? h('span', { class: 'hint' }, 'you')
          : h('div', { class: 'row-actions' }, [
              act(
                a.disabled ? 'Enable' : 'Disable',
                a,
                async () => {
                  await api('PATCH', `/admins/${a.id}`, { disabled: !a.disabled });
                  await ctx.refresh();
                  announce(`${a.email} ${a.disabled ? 'enabled' : 'disabled'}`);
                },
                a.disabled ? null : `Disable ${a.email}? They are signed out and cannot sign in.`,
              ),
              act(
                'Reset password',
                a,
                async () => {
                  const reset = await api('POST', `/admins/${a.id}/password`, {});
                  announce(`New password for ${a.email}`);
                  result.replaceChildren(shownOnce(a.email, reset.password));
                },
                `Reset the password of ${a.email}? Their current password stops working.`,
              ),
              a.totpEnabled
                ? act(
                    'Remove TOTP',
                    a,
                    async () => {
                      await api('DELETE', `/admins/${a.id}/totp`);
                      await ctx.refresh();
                      announce(`TOTP removed for ${a.email}`);
                    },
                    `Remove the TOTP of ${a.email}? They sign in with their password alone until they set it up again.`,
                  )
                : null,
            ]),
      ),
    ),
  );
  return [
    h(
      'div',
      { class: 'page-head' },
      h('div', {}, h('h1', {}, 'Admins'), h('p', { class: 'subtitle' }, 'Who may use this console, in which role and tenants.')),
    ),
    panel('Console admins', table(['Email', 'Role', 'Tenants', 'TOTP', 'State', 'Last sign-in', { label: 'Actions' }], rows, 'No admins.'), result),
    panel('New admin', createForm(ctx, result)),
  ];
}
