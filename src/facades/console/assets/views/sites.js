import { api } from '../api.js';
import { announce, h } from '../dom.js';
import { checkbox, field, jsonValue, pretty, problemsOf, SECRET_SET, showProblems } from './forms.js';

const PROVIDERS = { Auth0: 'auth0', Gigya: 'gigya', SSOR: 'ssor', Firefly: 'firefly' };
const SECRET_HINT = `Secrets read "${SECRET_SET}": leave them so to keep them, or type a new value.`;

function without(object, keys) {
  return Object.fromEntries(Object.entries(object ?? {}).filter(([key]) => !keys.includes(key)));
}

const nonEmpty = (object) => (object && Object.keys(object).length > 0 ? object : undefined);

/** A fieldset for one door: a switch, and its fields shown only while it is on. */
function door(legend, path, on, children) {
  const body = h('div', { class: 'door-body', hidden: !on.checked }, children);
  on.addEventListener('change', () => {
    body.hidden = !on.checked;
  });
  return h(
    'fieldset',
    { class: 'door', 'data-paths': path },
    h('legend', {}, legend),
    h('span', { class: 'field-error', hidden: true }),
    on.parentElement,
    body,
  );
}

/** A write-only secret: empty keeps what is stored ("set"), a value replaces it. */
function secretInput(name, isSet) {
  return h('input', {
    name,
    type: 'password',
    autocomplete: 'new-password',
    placeholder: isSet ? 'set: leave empty to keep it' : 'not set',
  });
}

/**
 * The editor of one site: its doors (Gigya API key, secret and schema; Boostcom club; Naviga
 * client codes, JWT and user provider), its page settings and the rest of its settings. It sends
 * the site's document to the admin API, which checks it with the facades' own rules (the apply
 * use case) before anything is saved; each problem shows beside the field it concerns.
 */
export function siteEditor(ctx, site, onSaved) {
  const doc = site?.document ?? {};
  const gigya = doc.gigya ?? {};
  const boostcom = doc.boostcom ?? {};
  const naviga = doc.naviga ?? {};
  const jwt = naviga.jwt ?? {};
  const provider = naviga.userProvider || '';
  const settings = doc.settings ?? {};
  const otherSettings = without(settings, ['pages']);
  if (otherSettings.messaging) otherSettings.messaging = without(otherSettings.messaging, ['templates']);
  if (otherSettings.messaging && Object.keys(otherSettings.messaging).length === 0) delete otherSettings.messaging;

  const input = (name, value, attrs = {}) => h('input', { name, value: value ?? '', ...attrs });
  const area = (name, value, rows = 6) => h('textarea', { name, rows, spellcheck: 'false' }, pretty(value));

  const name = input('name', doc.name, { required: true, readonly: site ? true : null, maxlength: 200 });
  const gigyaOn = checkbox('Gigya door (accounts.* with an API key)', { name: 'gigyaOn', checked: !site || !!doc.gigya });
  const apiKey = input('apiKey', gigya.apiKey);
  const gigyaSecret = secretInput('gigyaSecret', gigya.secret === SECRET_SET);
  const schema = area('schema', gigya.schema, 8);
  const boostcomOn = checkbox('Boostcom club', { name: 'boostcomOn', checked: !!doc.boostcom });
  const slug = input('slug', boostcom.slug, { pattern: '[a-z0-9][a-z0-9_\\-]*' });
  const club = area('club', boostcom.club, 8);
  const navigaOn = checkbox('Naviga client', { name: 'navigaOn', checked: !!doc.naviga });
  const codes = ['clientCode', 'paperCode', 'groupCode'].map((key) => [key, input(key, naviga[key])]);
  const jwtSecret = secretInput('jwtSecret', jwt.secret === SECRET_SET);
  const jwtFields = ['issuer', 'audience', 'jwksUrl'].map((key) => [key, input(`jwt-${key}`, jwt[key])]);
  const providerSelect = h(
    'select',
    { name: 'userProvider' },
    h('option', { value: '' }, 'None: local store only'),
    Object.keys(PROVIDERS).map((p) => h('option', { value: p, selected: p === provider }, p)),
  );
  const providerSettings = area('provider', provider ? naviga[PROVIDERS[provider]] : undefined);
  const navigaRest = without(naviga, ['clientCode', 'paperCode', 'groupCode', 'userProvider', provider ? PROVIDERS[provider] : '']);
  const jwtRest = without(jwt, ['secret', 'issuer', 'audience', 'jwksUrl']);
  if (nonEmpty(jwtRest)) navigaRest.jwt = jwtRest;
  else delete navigaRest.jwt;
  const navigaOther = area('navigaOther', nonEmpty(navigaRest), 4);
  const pages = area('pages', settings.pages, 5);
  const other = area('settings', nonEmpty(otherSettings), 5);
  const summary = h('div', { 'aria-live': 'polite' });

  /** The site's document from the form, or undefined with problems (unparsable JSON) shown. */
  function documentOf() {
    const problems = [];
    const out = {};
    if (gigyaOn.querySelector('input').checked) {
      const schemaValue = jsonValue(schema, '/gigya/schema', problems);
      const secret = gigyaSecret.value || (gigya.secret === SECRET_SET ? SECRET_SET : undefined);
      out.gigya = { ...(apiKey.value.trim() && { apiKey: apiKey.value.trim() }), ...(secret && { secret }), ...(schemaValue && { schema: schemaValue }) };
    }
    if (boostcomOn.querySelector('input').checked) {
      const clubValue = jsonValue(club, '/boostcom/club', problems);
      out.boostcom = { slug: slug.value.trim(), ...(clubValue && { club: clubValue }) };
    }
    if (navigaOn.querySelector('input').checked) {
      const rest = jsonValue(navigaOther, '/naviga', problems) ?? {};
      const secret = jwtSecret.value || (jwt.secret === SECRET_SET ? SECRET_SET : undefined);
      const jwtValue = { ...(rest.jwt ?? {}), ...(secret && { secret }) };
      for (const [key, el] of jwtFields) if (el.value.trim()) jwtValue[key] = el.value.trim();
      const chosen = providerSelect.value;
      const block = jsonValue(providerSettings, chosen ? `/naviga/${PROVIDERS[chosen]}` : '/naviga', problems);
      out.naviga = {
        ...Object.fromEntries(codes.map(([key, el]) => [key, el.value.trim()])),
        ...rest,
        ...(nonEmpty(jwtValue) && { jwt: jwtValue }),
        ...(chosen && { userProvider: chosen }),
        ...(chosen && block !== undefined && { [PROVIDERS[chosen]]: block }),
      };
    }
    const otherValue = jsonValue(other, '/settings', problems) ?? {};
    const pagesValue = jsonValue(pages, '/settings/pages', problems);
    // Templates are edited in their own panel: left out, the server keeps the stored ones.
    const settingsValue = { ...otherValue, ...(pagesValue && { pages: pagesValue }) };
    if (nonEmpty(settingsValue)) out.settings = settingsValue;
    return { document: out, problems };
  }

  const form = h(
    'form',
    {
      class: 'site-editor',
      'aria-label': site ? `Edit site ${site.name}` : 'New site',
      onsubmit: async (event) => {
        event.preventDefault();
        const { document, problems } = documentOf();
        if (problems.length) return showProblems(form, summary, problems);
        const siteName = name.value.trim();
        try {
          const saved = await api('PUT', `/tenants/${encodeURIComponent(ctx.tenant)}/sites/${encodeURIComponent(siteName)}`, document, { createOnly: !site });
          showProblems(form, summary, []);
          await onSaved?.(saved);
          announce(`Site ${siteName} saved (${saved.status === 'unchanged' ? 'nothing changed' : saved.status})`);
        } catch (error) {
          showProblems(form, summary, problemsOf(error));
        }
      },
    },
    field('Site name', name, {
      paths: ['/name'],
      hint: site ? 'A site is known by its name (as in roster apply).' : 'A new name: an existing site is changed with its Edit button, never replaced here.',
    }),
    door('Gigya', '/gigya', gigyaOn.querySelector('input'), [
      h(
        'div',
        { class: 'row' },
        field('API key', apiKey, { paths: ['/gigya/apiKey'], hint: 'Empty: a new one is generated.' }),
        field('Site secret', gigyaSecret, {
          paths: ['/gigya/secret'],
          hint:
            gigya.secret === SECRET_SET
              ? 'Set. Type a new one to replace it.'
              : gigya.secret === '(unreadable)'
                ? 'Stored, but it does not decrypt (another master key?): type it again.'
                : 'Base64.',
        }),
      ),
      field('Schema (JSON, the shape of accounts.getSchema)', schema, { paths: ['/gigya/schema'] }),
    ]),
    door('Boostcom', '/boostcom', boostcomOn.querySelector('input'), [
      field('Club slug', slug, { paths: ['/boostcom/slug'] }),
      field('Club settings and member schema (JSON)', club, {
        paths: ['/boostcom/club'],
        hint: 'member_schema is a JSON Schema (draft-04); it is checked before anything is saved.',
      }),
    ]),
    door('Naviga', '/naviga', navigaOn.querySelector('input'), [
      h(
        'div',
        { class: 'row' },
        codes.map(([key, el]) =>
          field({ clientCode: 'Client code', paperCode: 'Paper code', groupCode: 'Group code' }[key], el, { paths: [`/naviga/${key}`] }),
        ),
      ),
      h(
        'div',
        { class: 'row' },
        field('JWT secret (HS256)', jwtSecret, {
          paths: ['/naviga/jwt/secret'],
          hint: jwt.secret === SECRET_SET ? 'Set. Type a new one to replace it.' : 'At least 32 characters.',
        }),
        jwtFields.map(([key, el]) =>
          field({ issuer: 'JWT issuer', audience: 'JWT audience', jwksUrl: 'JWKS URL' }[key], el, { paths: [`/naviga/jwt/${key}`] }),
        ),
      ),
      field('User provider', providerSelect, { paths: ['/naviga/userProvider'] }),
      field('Provider settings (JSON: URL, headers, client)', providerSettings, {
        paths: Object.values(PROVIDERS).map((p) => `/naviga/${p}`),
        hint: SECRET_HINT,
      }),
      field('Other Naviga settings (JSON: public keys, timeouts, message codes)', navigaOther, {
        paths: ['/naviga/jwt/publicKeys', '/naviga/providerTimeoutMs', '/naviga/codes'],
      }),
    ]),
    h(
      'fieldset',
      { class: 'door' },
      h('legend', {}, 'Settings'),
      field('Person-facing pages (JSON: siteName, logoUrl, colors, language, lists)', pages, { paths: ['/settings/pages'] }),
      field('Other settings (JSON: messaging, gigya policies…)', other, { paths: ['/settings'], hint: 'Message templates are edited in the Templates panel.' }),
    ),
    h('div', { class: 'actions' }, h('button', { class: 'primary', type: 'submit' }, site ? 'Validate and save site' : 'Validate and create site')),
    summary,
  );
  return form;
}
