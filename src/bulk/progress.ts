/** Progress of a long run on stderr: a live bar on a terminal, a plain line every few seconds otherwise. */
export interface ProgressSnapshot {
  label: string;
  done: number;
  /** Known or estimated total rows; null when unknown. */
  total: number | null;
  errors: number;
  startedAt: number;
}

const number = (n: number) => Math.round(n).toLocaleString('en-US');

function duration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '--:--';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${rest}` : `${m}:${rest}`;
}

export function formatProgress(p: ProgressSnapshot, now: number, withBar: boolean): string {
  const elapsed = Math.max((now - p.startedAt) / 1000, 0.001);
  const rate = p.done / elapsed;
  const total = p.total !== null ? Math.max(p.total, p.done) : null;
  const fraction = total ? Math.min(p.done / total, 1) : 0;
  const eta = total && rate > 0 ? (total - p.done) / rate : Number.NaN;
  const width = 24;
  const filled = Math.round(fraction * width);
  const bar = withBar ? `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${String(Math.floor(fraction * 100)).padStart(3)}% ` : '';
  const of = total !== null ? `/${number(total)}` : '';
  return `${p.label} ${bar}${number(p.done)}${of} rows  ${number(rate)} rows/s  ${number(p.errors)} errors  ETA ${duration(eta)}`;
}

export function createProgressReporter(stream: NodeJS.WriteStream, options: { intervalMs?: number; tty?: boolean } = {}) {
  const tty = options.tty ?? stream.isTTY === true;
  const interval = options.intervalMs ?? (tty ? 200 : 5000);
  let last = 0;
  let shown = false;
  return {
    update(snapshot: ProgressSnapshot, force = false) {
      const now = Date.now();
      if (!force && now - last < interval) return;
      last = now;
      shown = true;
      if (tty) stream.write(`\r\u001b[2K${formatProgress(snapshot, now, true)}`);
      else stream.write(`${formatProgress(snapshot, now, false)}\n`);
    },
    done(snapshot: ProgressSnapshot) {
      this.update(snapshot, true);
      if (tty && shown) stream.write('\n');
    },
  };
}
