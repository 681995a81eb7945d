// Builds DOM nodes from data without innerHTML: text is always text, so nothing a person typed can run.
const SVG = 'http://www.w3.org/2000/svg';

export function h(tag, attrs, ...children) {
  const svg = tag.startsWith('svg:');
  const el = svg ? document.createElementNS(SVG, tag.slice(4)) : document.createElement(tag);
  for (const [key, value] of Object.entries(attrs ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value);
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : String(child));
  }
  return el;
}

export function when(value) {
  if (!value) return '—';
  const date = new Date(value);
  return Number.isNaN(date.getTime())
    ? String(value)
    : date
        .toISOString()
        .replace('T', ' ')
        .replace(/\.\d+Z$/, ' UTC');
}

export function badge(text, tone) {
  return h('span', { class: `badge ${tone ?? ''}` }, text);
}

export function table(headers, rows, empty = 'Nothing here yet.') {
  if (rows.length === 0) return h('p', { class: 'empty' }, empty);
  return h(
    'table',
    {},
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        headers.map((x) => h('th', { scope: 'col', class: x.num ? 'num' : null }, x.label ?? x)),
      ),
    ),
    h('tbody', {}, rows),
  );
}

export function panel(title, ...children) {
  const id = `p-${title.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`;
  return h('section', { class: 'panel', 'aria-labelledby': id }, h('h2', { id }, title), children);
}

let statusTimer;
/**
 * Says in the status line what an action did. Views announce after the redraw the action
 * started, so what the status reports is the page on screen: a control used right after it
 * is the new one, never one a pending redraw is about to replace.
 */
export function announce(message) {
  const status = document.getElementById('status');
  status.textContent = message;
  clearTimeout(statusTimer);
  statusTimer = setTimeout(() => {
    status.textContent = '';
  }, 5000);
}

/**
 * After a redraw took the focused control away (focus fell to <body>), puts the keyboard on
 * `heading` (made focusable) rather than leaving it at the top of the page. `hadFocus` says
 * whether focus was inside the redrawn part before.
 */
export function refocus(hadFocus, heading) {
  if (!hadFocus || !heading || (document.activeElement && document.activeElement !== document.body)) return;
  if (!heading.hasAttribute('tabindex')) heading.setAttribute('tabindex', '-1');
  heading.focus({ preventScroll: true });
}
