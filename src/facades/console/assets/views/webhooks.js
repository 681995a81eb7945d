import { api } from '../api.js';
import { announce, badge, h, table } from '../dom.js';
import { checkbox, field, problemsOf, rowButton, showProblems, words } from './forms.js';

const FORMATS = ['roster', 'gigya', 'boostcom-v2'];
const base = (ctx) => `/tenants/${encodeURIComponent(ctx.tenant)}/webhooks`;

/** The webhook as the apply document gives it (no secret: left out, the stored one is kept). */
const entryOf = (w) => ({
  url: w.url,
  events: w.eventTypes,
  format: w.format,
  ...(w.signingUserKey && { signingUserKey: w.signingUserKey }),
  enabled: w.enabled,
});

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
          const { outcome } = await api('POST', `${base(ctx)}/${encodeURIComponent(name)}/test`);
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

/** Create or edit a webhook; the secret is write-only (empty keeps the stored one). */
export function webhookEditor(ctx, webhook, onSaved) {
  const name = h('input', { name: 'name', value: webhook?.name ?? '', required: true, readonly: webhook ? true : null, pattern: '[A-Za-z0-9._\\-]{1,100}' });
  const url = h('input', { name: 'url', type: 'url', value: webhook?.url ?? '', required: true });
  const events = h('input', { name: 'events', value: webhook?.eventTypes.join(', ') ?? '*', required: true });
  const format = h(
    'select',
    { name: 'format' },
    FORMATS.map((f) => h('option', { value: f, selected: f === (webhook?.format ?? 'roster') }, f)),
  );
  const secret = h('input', {
    name: 'secret',
    type: 'password',
    autocomplete: 'new-password',
    placeholder: webhook?.hasSecret ? 'set: leave empty to keep it' : 'not set',
  });
  const signingUserKey = h('input', { name: 'signingUserKey', value: webhook?.signingUserKey ?? '' });
  const enabled = checkbox('Enabled', { name: 'enabled', checked: webhook ? webhook.enabled : true });
  const summary = h('div', { 'aria-live': 'polite' });
  const form = h(
    'form',
    {
      class: 'webhook-editor',
      'aria-label': webhook ? `Edit webhook ${webhook.name}` : 'New webhook',
      onsubmit: async (event) => {
        event.preventDefault();
        const entry = {
          url: url.value.trim(),
          events: words(events.value),
          format: format.value,
          ...(secret.value && { secret: secret.value }),
          ...(signingUserKey.value.trim() && { signingUserKey: signingUserKey.value.trim() }),
          enabled: enabled.querySelector('input').checked,
        };
        try {
          const saved = await api('PUT', `${base(ctx)}/${encodeURIComponent(name.value.trim())}`, entry, { createOnly: !webhook });
          showProblems(form, summary, []);
          await onSaved?.(saved);
          announce(`Webhook ${saved.webhook.name} saved`);
        } catch (error) {
          showProblems(form, summary, problemsOf(error));
        }
      },
    },
    h(
      'div',
      { class: 'row' },
      field('Webhook name', name, { paths: ['/name'] }),
      field('URL', url, { paths: ['/url'] }),
      field('Format', format, { paths: ['/format'] }),
    ),
    h(
      'div',
      { class: 'row' },
      field('Events', events, { paths: ['/events'], hint: 'Comma-separated event types, or * for all.' }),
      field('Signing secret', secret, {
        paths: ['/secret'],
        hint: webhook?.hasSecret ? 'Set. Type a new one to replace it.' : 'Needed unless a signing key is named.',
      }),
      field('Signing key (userKey)', signingUserKey, { paths: ['/signingUserKey'], hint: 'Optional: sign with this application key instead.' }),
    ),
    enabled,
    h('div', { class: 'actions' }, h('button', { class: 'primary', type: 'submit' }, webhook ? 'Save webhook' : 'Add webhook')),
    summary,
  );
  return form;
}

/** The webhooks table with its actions, and the place where one is edited. */
export function webhooksPanel(ctx, webhooks, mayWrite) {
  const editorSlot = h('div', {});
  const reload = () => ctx.refresh();
  const open = (webhook) => {
    editorSlot.replaceChildren(h('h3', {}, webhook ? `Edit ${webhook.name}` : 'New webhook'), webhookEditor(ctx, webhook, reload));
    editorSlot.querySelector('input:not([readonly])')?.focus();
  };
  const action = (label, name, run, tone) => rowButton(label, name, run, (error) => announce(error.message), tone);
  const rows = webhooks.map((w) =>
    h(
      'tr',
      {},
      h('td', {}, h('strong', {}, w.name)),
      h('td', {}, h('code', {}, w.url)),
      h('td', {}, w.eventTypes.join(', ')),
      h('td', {}, w.format),
      h('td', {}, w.hasSecret ? badge('set', 'info') : w.signingUserKey ? h('code', {}, w.signingUserKey) : '—'),
      h('td', {}, w.enabled ? badge('enabled', 'ok') : badge('disabled')),
      h(
        'td',
        {},
        mayWrite
          ? h('div', { class: 'row-actions' }, [
              action('Edit', w.name, async () => open(w)),
              action(w.enabled ? 'Disable' : 'Enable', w.name, async () => {
                await api('PUT', `${base(ctx)}/${encodeURIComponent(w.name)}`, { ...entryOf(w), enabled: !w.enabled });
                await reload();
                announce(`Webhook ${w.name} ${w.enabled ? 'disabled' : 'enabled'}`);
              }),
              action(
                'Delete',
                w.name,
                async () => {
                  if (!window.confirm(`Delete the webhook ${w.name}? Its deliveries stop.`)) return;
                  await api('DELETE', `${base(ctx)}/${encodeURIComponent(w.name)}`);
                  await reload();
                  announce(`Webhook ${w.name} deleted`);
                },
                'danger',
              ),
              testButton(ctx, w.name),
            ])
          : null,
      ),
    ),
  );
  return [
    table(['Name', 'URL', 'Events', 'Format', 'Secret', 'State', { label: 'Actions' }], rows, 'No webhooks.'),
    mayWrite ? h('div', { class: 'actions' }, h('button', { type: 'button', onclick: () => open(null) }, 'New webhook')) : null,
    editorSlot,
  ];
}
