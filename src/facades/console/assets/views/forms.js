import { h } from '../dom.js';

/** What a secret reads as in the admin API's documents; sent back so, the server keeps the stored secret. */
export const SECRET_SET = '(set)';

let seq = 0;

/**
 * A labelled control with its hint and a place for its problems. `paths` are the document paths
 * (JSON pointers, as the admin API names them) whose problems show here.
 */
export function field(label, control, { hint, paths = [] } = {}) {
  if (!control.id) control.id = `f${++seq}`;
  const id = control.id;
  const hintEl = hint ? h('span', { id: `${id}-hint`, class: 'hint' }, hint) : null;
  const error = h('span', { id: `${id}-error`, class: 'field-error', hidden: true });
  control.setAttribute('aria-describedby', [hintEl ? `${id}-hint` : null, `${id}-error`].filter(Boolean).join(' '));
  return h('div', { class: 'field', 'data-paths': paths.join(' ') }, h('label', { for: id }, label), control, hintEl, error);
}

/** A checkbox with its label on the right. */
export function checkbox(label, attrs) {
  const input = h('input', { type: 'checkbox', ...attrs });
  if (!input.id) input.id = `f${++seq}`;
  return h('div', { class: 'check' }, input, h('label', { for: input.id }, label));
}

/** A JSON textarea's value: undefined when empty, the parsed value, or a problem for that field. */
export function jsonValue(textarea, path, problems) {
  const text = textarea.value.trim();
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch (error) {
    problems.push({ path, message: `not JSON (${error.message})` });
    return undefined;
  }
}

export const pretty = (value) => (value === undefined ? '' : JSON.stringify(value, null, 2));

/** The comma-separated words of an input. */
export const words = (value) =>
  String(value)
    .split(',')
    .map((w) => w.trim())
    .filter(Boolean);

/**
 * Shows each problem beside the field whose path is the longest prefix of the problem's path
 * (its message then names the rest of the path), and all of them in `summary`. Focuses the first
 * field in error. Returns nothing; clears earlier problems first.
 */
export function showProblems(form, summary, problems) {
  for (const el of form.querySelectorAll('.field-error')) {
    el.hidden = true;
    el.replaceChildren();
  }
  for (const el of form.querySelectorAll('[aria-invalid]')) el.removeAttribute('aria-invalid');
  if (problems.length === 0) {
    summary.replaceChildren();
    return;
  }
  const holders = [...form.querySelectorAll('[data-paths]')].flatMap((el) =>
    el.dataset.paths
      .split(' ')
      .filter(Boolean)
      .map((path) => ({ el, path })),
  );
  let first;
  for (const problem of problems) {
    const holder = holders.filter(({ path }) => problem.path === path || problem.path.startsWith(`${path}/`)).sort((a, b) => b.path.length - a.path.length)[0];
    if (!holder) continue;
    const rest = problem.path.slice(holder.path.length).replace(/^\//, '');
    const error = holder.el.querySelector(':scope > .field-error');
    error.hidden = false;
    error.append(h('span', {}, rest ? `${rest}: ${problem.message}` : problem.message));
    const control = holder.el.querySelector(':scope > input, :scope > select, :scope > textarea');
    control?.setAttribute('aria-invalid', 'true');
    first ??= control;
  }
  summary.replaceChildren(
    h(
      'div',
      { class: 'error', role: 'alert' },
      h('strong', {}, problems.length === 1 ? 'Not saved: 1 problem' : `Not saved: ${problems.length} problems`),
      h(
        'ul',
        {},
        problems.map((p) => h('li', {}, `${p.path}: ${p.message}`)),
      ),
    ),
  );
  first?.focus();
}

/**
 * The problems of a refused save, as {path, message}: the API's `fields` (a document path, or
 * the name of a request field), else its message.
 */
export function problemsOf(error) {
  const fields = Array.isArray(error.data?.fields) ? error.data.fields : [];
  if (fields.length === 0) return [{ path: '/', message: error.message }];
  return fields.map((f) => ({ path: f.path ?? (f.field ? `/${f.field}` : '/'), message: f.path ? f.message : `${error.message}` }));
}

/**
 * A small row button: its visible label plus, for screen readers, what it acts on ("Disable"
 * reads "Disable crm"). A failure goes to `onError` (the page's message area or the toast).
 */
export function rowButton(label, about, run, onError, tone) {
  return h(
    'button',
    {
      type: 'button',
      class: `small ${tone ?? ''}`,
      onclick: async () => {
        try {
          await run();
        } catch (error) {
          onError(error);
        }
      },
    },
    label,
    h('span', { class: 'sr-only' }, ` ${about}`),
  );
}
