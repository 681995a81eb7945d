import { api, SignedOut, setCsrf } from './api.js';
import { announce, h, refocus } from './dom.js';
import { adminsView } from './views/admins.js';
import { auditView } from './views/audit.js';
import { dashboardView } from './views/dashboard.js';
import { eventsView } from './views/events.js';
import { importsView } from './views/imports.js';
import { peopleView } from './views/people.js';
import { personView } from './views/person.js';
import { provisioningView } from './views/provisioning.js';

const PAGES = [
  { id: 'people', label: 'People', view: peopleView },
  { id: 'events', label: 'Events', view: eventsView },
  { id: 'dashboard', label: 'Dashboard', view: dashboardView },
  { id: 'imports', label: 'Imports', view: importsView },
  { id: 'provisioning', label: 'Provisioning', view: provisioningView },
  { id: 'audit', label: 'Audit log', view: auditView },
  { id: 'admins', label: 'Admins', view: adminsView, owner: true },
];

/** The pages this session sees: Admins is for owners only. */
const pagesFor = (session) => PAGES.filter((p) => !p.owner || session.user?.role === 'owner');

const state = { session: null };
const root = document.getElementById('app');

/** #/<tenant>/<page>[/<arg>][?query] */
function parseRoute() {
  const [path, query = ''] = location.hash.replace(/^#\/?/, '').split('?');
  const [tenant, page, arg] = path.split('/').map(decodeURIComponent);
  return { tenant, page: page || 'people', arg, query: new URLSearchParams(query) };
}

export function go(tenant, page, arg, query) {
  const search = new URLSearchParams(query ?? {}).toString();
  const q = search ? `?${search}` : '';
  location.hash = `#/${encodeURIComponent(tenant)}/${page}${arg ? `/${encodeURIComponent(arg)}` : ''}${q}`;
}

function signInPage(message) {
  const error = h('div', { class: 'error', role: 'alert', hidden: !message }, message ?? '');
  const totp = h(
    'div',
    { class: 'field', hidden: true },
    h('label', { for: 'totp' }, 'Authenticator code'),
    h('input', { id: 'totp', name: 'totp', inputmode: 'numeric', autocomplete: 'one-time-code', pattern: '[0-9]{6}' }),
  );
  const form = h(
    'form',
    {
      'aria-labelledby': 'signin-title',
      onsubmit: async (event) => {
        event.preventDefault();
        const data = new FormData(form);
        const body = { email: data.get('email'), password: data.get('password') };
        if (!totp.hidden && data.get('totp')) body.totp = data.get('totp');
        try {
          const session = await api('POST', '/session', body);
          setCsrf(session.csrfToken);
          await start();
        } catch (e) {
          if (e.data?.code === 'login.totp_required') {
            totp.hidden = false;
            totp.querySelector('input').focus();
          }
          error.hidden = false;
          error.textContent = e.message;
        }
      },
    },
    h('div', { class: 'brand' }, h('img', { src: '/console/assets/logo.svg', alt: '' }), h('span', {}, 'Roster', h('small', {}, 'Admin console'))),
    h('h1', { id: 'signin-title', class: 'sr-only' }, 'Sign in to the Roster console'),
    error,
    h(
      'div',
      { class: 'field' },
      h('label', { for: 'email' }, 'Email'),
      h('input', { id: 'email', name: 'email', type: 'email', autocomplete: 'username', required: true }),
    ),
    h(
      'div',
      { class: 'field' },
      h('label', { for: 'password' }, 'Password'),
      h('input', { id: 'password', name: 'password', type: 'password', autocomplete: 'current-password', required: true }),
    ),
    totp,
    h('button', { class: 'primary', type: 'submit' }, 'Sign in'),
  );
  root.replaceChildren(h('main', { id: 'main', class: 'signin' }, form));
  form.querySelector('#email').focus();
}

function shell(route, content) {
  const { session } = state;
  const tenantSelect = h(
    'select',
    {
      id: 'tenant',
      onchange: (event) => go(event.target.value, route.page === 'person' ? 'people' : route.page),
    },
    session.tenants.map((t) => h('option', { value: t.id, selected: t.id === route.tenant }, t.name)),
  );
  const who = session.user ? session.user.email : `key ${session.key.userKey}`;
  return h(
    'div',
    { class: 'shell' },
    h(
      'nav',
      { class: 'sidebar', 'aria-label': 'Console' },
      h(
        'a',
        { class: 'brand', href: `#/${route.tenant}/people` },
        h('img', { src: '/console/assets/logo.svg', alt: '' }),
        h('span', {}, 'Roster', h('small', {}, 'Admin console')),
      ),
      h('div', {}, h('label', { for: 'tenant' }, 'Tenant'), tenantSelect),
      h(
        'div',
        { class: 'nav' },
        pagesFor(session).map((p) =>
          h(
            'a',
            {
              href: `#/${encodeURIComponent(route.tenant)}/${p.id}`,
              'aria-current': p.id === route.page || (p.id === 'people' && route.page === 'person') ? 'page' : null,
            },
            p.label,
          ),
        ),
      ),
      h(
        'div',
        { class: 'whoami' },
        'Signed in as',
        h('strong', {}, who),
        session.user ? h('span', {}, session.user.role.replace('_', ' ')) : null,
        h('div', {}, h('button', { type: 'button', class: 'small', onclick: signOut }, 'Sign out')),
      ),
    ),
    h('main', { id: 'main', tabindex: '-1' }, content),
  );
}

async function signOut() {
  await api('DELETE', '/session').catch(() => {});
  setCsrf(null);
  state.session = null;
  signInPage('You are signed out.');
}

let renderCount = 0;
async function render() {
  if (!state.session) return;
  const route = parseRoute();
  if (!route.tenant || !state.session.tenants.some((t) => t.id === route.tenant)) {
    const first = state.session.tenants[0];
    if (!first) {
      root.replaceChildren(shell({ tenant: '', page: '' }, h('p', {}, 'You work in no tenant yet. Ask an owner to add you to one.')));
      return;
    }
    go(first.id, 'people');
    return;
  }
  const page = route.page === 'person' ? { view: personView } : pagesFor(state.session).find((p) => p.id === route.page);
  const mine = ++renderCount;
  const ctx = {
    tenant: route.tenant,
    tenantName: state.session.tenants.find((t) => t.id === route.tenant)?.name,
    arg: route.arg,
    query: route.query,
    session: state.session,
    go,
    refresh: render,
    reloadSession: async () => {
      state.session = await api('GET', '/session');
    },
    isCurrent: () => mine === renderCount,
  };
  let content;
  try {
    content = page ? await page.view(ctx) : h('p', {}, 'No such page.');
  } catch (error) {
    if (error instanceof SignedOut) {
      state.session = null;
      signInPage('Your session has ended. Sign in again.');
      return;
    }
    content = h('div', { class: 'error', role: 'alert' }, error.message);
  }
  if (mine !== renderCount) return;
  const focusMain = document.activeElement === document.body || document.activeElement?.closest('.nav');
  const focusInPage = !focusMain && !!document.activeElement?.closest('#main');
  root.replaceChildren(shell(route, content));
  document.title = `${page?.label ?? (route.page === 'person' ? 'Person' : 'Roster')} · ${ctx.tenantName} · Roster console`;
  const main = document.getElementById('main');
  if (focusMain) main.focus({ preventScroll: true });
  // A save or row action redrew the page under the keyboard: continue from the page's heading.
  else refocus(focusInPage, main.querySelector('h1, h2') ?? main);
}

async function start() {
  try {
    state.session = await api('GET', '/session');
    setCsrf(state.session.csrfToken);
  } catch {
    signInPage();
    return;
  }
  await render();
}

window.addEventListener('hashchange', render);
window.addEventListener('unhandledrejection', (event) => {
  if (event.reason instanceof SignedOut) {
    state.session = null;
    signInPage('Your session has ended. Sign in again.');
  } else announce(event.reason?.message ?? 'Something went wrong');
});
start();
