import { api, postToFrame } from '../api.js';
import { announce, badge, h, refocus } from '../dom.js';
import { field, problemsOf, showProblems } from './forms.js';

const LANGUAGES = ['en', 'nb', 'sv', 'da', 'fi', 'de', 'fr', 'es', 'nl'];

/** What a template is for, which decides its fields: page (heading, text, button), email (subject, text, HTML) or SMS (text). */
function kindOf(name, defaults) {
  if (name.startsWith('page_')) return 'page';
  return defaults[name]?.en?.subject !== undefined ? 'email' : 'sms';
}

const FIELDS = { page: ['subject', 'text', 'action'], email: ['subject', 'text', 'html'], sms: ['text'] };
const LABELS = {
  page: { subject: 'Heading', text: 'Message', action: 'Button label' },
  email: { subject: 'Subject', text: 'Text body', html: 'HTML body' },
  sms: { text: 'Message' },
};

let frames = 0;

/** The rendered template: an email (subject, text, HTML in a sandboxed frame), an SMS, or the page a person sees. */
function previewOf(kind, rendered) {
  if (kind === 'page') {
    return h(
      'div',
      { class: 'page-preview' },
      h('p', { class: 'preview-heading' }, rendered.subject ?? ''),
      h('p', {}, rendered.text),
      rendered.action ? h('span', { class: 'preview-button' }, rendered.action) : null,
    );
  }
  return h(
    'div',
    { class: 'mail-preview' },
    kind === 'email' ? h('p', {}, h('strong', {}, 'Subject: '), rendered.subject ?? '') : null,
    h('pre', {}, rendered.text),
    // The HTML body as a mail client shows it, styles and images included: a sandboxed frame (no
    // script, no same origin, never innerHTML) into which the draft is posted; the page it gets back has its own CSP.
    rendered.html ? h('iframe', { class: 'html-preview', sandbox: '', title: 'HTML body preview', name: `html-preview-${++frames}` }) : null,
  );
}

/**
 * Templates: pick a site, a template and a language; edit the site's override (or start from
 * Roster's default), see it rendered with sample data as you type, save it or reset to default.
 */
export function templatesPanel(ctx, data, sites, mayWrite) {
  const overrides = new Map(data.sites.map((s) => [s.site, structuredClone(s.templates ?? {})]));
  const names = Object.keys(data.defaults);
  const state = { site: sites[0]?.name, name: 'doi_confirmation', language: 'en' };
  const slot = h('div', {});
  if (!state.site) return h('p', { class: 'empty' }, 'Add a site first: templates are set per site.');

  const select = (label, id, options, value, onchange) =>
    field(
      label,
      h(
        'select',
        {
          id,
          onchange: (event) => {
            onchange(event.target.value);
            document.getElementById(id)?.focus(); // the panel was drawn again: keep the keyboard where it was
          },
        },
        options.map((o) => h('option', { value: o.value ?? o, selected: (o.value ?? o) === value }, o.label ?? o)),
      ),
    );

  function render() {
    const override = overrides.get(state.site)?.[state.name]?.[state.language];
    const fallback = data.defaults[state.name]?.[state.language] ?? data.defaults[state.name]?.en ?? {};
    const current = override ?? fallback;
    const kind = kindOf(state.name, data.defaults);
    const controls = FIELDS[kind].map((key) => {
      const big = key === 'html' || (key === 'text' && kind === 'email');
      const control = big
        ? h('textarea', { name: key, rows: key === 'html' ? 5 : 6, spellcheck: 'false', readonly: !mayWrite }, current[key] ?? '')
        : h('input', { name: key, value: current[key] ?? '', readonly: !mayWrite });
      return [key, control];
    });
    // Not a live region: a screen reader would read the whole mail at each pause in typing.
    const preview = h('div', { class: 'preview', id: 'template-preview' });
    const summary = h('div', { 'aria-live': 'polite' });
    const draft = () => {
      const value = {};
      for (const [key, control] of controls) if (control.value !== '' || key === 'text') value[key] = control.value;
      return value;
    };
    let timer;
    let asked = 0;
    const refreshPreview = async () => {
      const mine = ++asked;
      const shown = draft();
      const asking = { site: state.site, template: state.name, language: state.language };
      try {
        const rendered = await api('POST', `/tenants/${encodeURIComponent(ctx.tenant)}/templates/preview`, { ...asking, ...(shown.text && { draft: shown }) });
        if (mine !== asked) return;
        preview.replaceChildren(previewOf(kind, rendered));
        const frame = preview.querySelector('iframe');
        if (frame) postToFrame(`/tenants/${encodeURIComponent(ctx.tenant)}/templates/preview.html`, { ...asking, ...(shown.text && shown) }, frame.name);
      } catch (error) {
        if (mine === asked) preview.replaceChildren(h('p', { class: 'error', role: 'alert' }, error.message));
      }
    };
    const form = h(
      'form',
      {
        class: 'template-editor',
        'aria-label': 'Edit template',
        oninput: () => {
          clearTimeout(timer);
          timer = setTimeout(refreshPreview, 250);
        },
        onsubmit: async (event) => {
          event.preventDefault();
          const path = `/tenants/${encodeURIComponent(ctx.tenant)}/sites/${encodeURIComponent(state.site)}/templates/${state.name}/${state.language}`;
          try {
            const saved = await api('PUT', path, draft());
            const mine = overrides.get(state.site) ?? {};
            mine[state.name] = { ...(mine[state.name] ?? {}), [state.language]: saved.override };
            overrides.set(state.site, mine);
            announce(`Template ${state.name} (${state.language}) saved for ${state.site}`);
            render();
          } catch (error) {
            showProblems(form, summary, problemsOf(error));
          }
        },
      },
      h(
        'p',
        {},
        override ? badge('Site override', 'info') : badge('Roster default'),
        ' ',
        h('span', { class: 'hint' }, 'Variables: {{confirmUrl}}, {{subscription}}, {{email}}, {{club}}, {{site}}, {{list}}, {{code}}, {{loginUrl}}…'),
      ),
      controls.map(([key, control]) => field(LABELS[kind][key], control, { paths: [`/settings/messaging/templates/${state.name}/${state.language}/${key}`] })),
      mayWrite
        ? h(
            'div',
            { class: 'actions' },
            h('button', { class: 'primary', type: 'submit' }, 'Save template'),
            override
              ? h(
                  'button',
                  {
                    type: 'button',
                    onclick: async () => {
                      const path = `/tenants/${encodeURIComponent(ctx.tenant)}/sites/${encodeURIComponent(state.site)}/templates/${state.name}/${state.language}`;
                      try {
                        await api('DELETE', path);
                        delete overrides.get(state.site)?.[state.name]?.[state.language];
                        announce(`Template ${state.name} (${state.language}) reset to the default`);
                        render();
                      } catch (error) {
                        showProblems(form, summary, problemsOf(error));
                      }
                    },
                  },
                  'Reset to default',
                )
              : null,
          )
        : null,
      summary,
    );
    const hadFocus = slot.contains(document.activeElement);
    slot.replaceChildren(
      h(
        'div',
        { class: 'row' },
        select(
          'Site',
          'template-site',
          sites.map((s) => s.name),
          state.site,
          (v) => {
            state.site = v;
            render();
          },
        ),
        select(
          'Template',
          'template-name',
          names.map((n) => ({ value: n, label: n.replaceAll('_', ' ') })),
          state.name,
          (v) => {
            state.name = v;
            render();
          },
        ),
        select('Language', 'template-language', [...new Set([...LANGUAGES, ...Object.keys(data.defaults[state.name] ?? {})])], state.language, (v) => {
          state.language = v;
          render();
        }),
      ),
      h('div', { class: 'template-grid' }, form, h('div', {}, h('h3', {}, 'Preview with sample data'), preview)),
    );
    refocus(hadFocus, slot.closest('section')?.querySelector('h2'));
    refreshPreview();
  }
  render();
  return slot;
}
