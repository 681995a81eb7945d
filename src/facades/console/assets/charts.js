import { h } from './dom.js';

// Small inline-SVG charts: stacked bars per day and horizontal bars. Colours come from the
// stylesheet's palette (c0…c5); each chart carries a text summary for screen readers.
const COLOURS = ['#1f4fd1', '#0f8a6a', '#c25100', '#8a3ab9', '#b3261e', '#4b5563'];

function legend(keys) {
  return h(
    'div',
    { class: 'legend' },
    keys.map((key, i) => h('span', {}, h('span', { class: `swatch c${i % COLOURS.length}`, 'aria-hidden': 'true' }), key)),
  );
}

/** rows: [{ day, key, count }] → one stacked bar per day, over the last `days` days. */
export function stackedDays(rows, days, title) {
  const keys = [...new Set(rows.map((r) => r.key))].sort();
  const today = new Date();
  const dayList = [];
  for (let i = days - 1; i >= 0; i--)
    dayList.push(new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate() - i)).toISOString().slice(0, 10));
  const byDay = new Map(dayList.map((d) => [d, new Map()]));
  for (const r of rows) byDay.get(r.day)?.set(r.key, (byDay.get(r.day).get(r.key) ?? 0) + r.count);
  const totals = dayList.map((d) => [...byDay.get(d).values()].reduce((a, b) => a + b, 0));
  const max = Math.max(1, ...totals);
  if (keys.length === 0) return h('p', { class: 'empty' }, 'No data in this period.');
  const width = 560;
  const height = 200;
  const left = 34;
  const bottom = 22;
  const barWidth = (width - left) / dayList.length;
  const svg = h(
    'svg:svg',
    { viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': `${title}: ${totals.reduce((a, b) => a + b, 0)} in ${days} days` },
    h('svg:line', { x1: left, y1: height - bottom, x2: width, y2: height - bottom, stroke: '#9aa3af' }),
    h('svg:text', { x: left - 6, y: 12, 'text-anchor': 'end', 'font-size': 12, fill: '#555e6b' }, String(max)),
    h('svg:text', { x: left - 6, y: height - bottom, 'text-anchor': 'end', 'font-size': 12, fill: '#555e6b' }, '0'),
  );
  dayList.forEach((d, i) => {
    let y = height - bottom;
    keys.forEach((key, k) => {
      const value = byDay.get(d).get(key) ?? 0;
      if (!value) return;
      const barHeight = ((height - bottom - 8) * value) / max;
      y -= barHeight;
      svg.append(
        h(
          'svg:rect',
          { x: left + i * barWidth + 1, y, width: Math.max(1, barWidth - 2), height: barHeight, fill: COLOURS[k % COLOURS.length], rx: 1 },
          h('svg:title', {}, `${d} ${key}: ${value}`),
        ),
      );
    });
    if (i % Math.ceil(dayList.length / 6) === 0)
      svg.append(h('svg:text', { x: left + i * barWidth, y: height - 6, 'font-size': 12, fill: '#555e6b' }, d.slice(5)));
  });
  return h('figure', { class: 'chart' }, svg, legend(keys));
}

/** items: [{ label, value }] → horizontal bars. */
export function bars(items, title, format = (v) => String(v)) {
  const max = Math.max(1, ...items.map((i) => i.value));
  const rowHeight = 30;
  if (items.length === 0) return h('p', { class: 'empty' }, 'No data in this period.');
  const width = 560;
  const labelWidth = 190;
  const svg = h('svg:svg', {
    viewBox: `0 0 ${width} ${Math.max(1, items.length) * rowHeight + 4}`,
    role: 'img',
    'aria-label': `${title}: ${items.map((i) => `${i.label} ${format(i.value)}`).join(', ')}`,
  });
  items.forEach((item, i) => {
    const y = i * rowHeight + 4;
    const w = ((width - labelWidth - 70) * item.value) / max;
    svg.append(
      h('svg:text', { x: labelWidth - 8, y: y + 15, 'text-anchor': 'end', 'font-size': 13, fill: '#1b1f24' }, item.label),
      h('svg:rect', { x: labelWidth, y: y + 3, width: Math.max(2, w), height: rowHeight - 10, fill: item.colour ?? COLOURS[i % COLOURS.length], rx: 3 }),
      h('svg:text', { x: labelWidth + Math.max(2, w) + 6, y: y + 15, 'font-size': 13, fill: '#555e6b' }, format(item.value)),
    );
  });
  return h('figure', { class: 'chart' }, svg);
}
