import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { extname } from 'node:path';
import { createInterface } from 'node:readline';
import { type Readable, Transform } from 'node:stream';
import { parse } from 'csv-parse';
import type { ImportFormat } from '../core/ports.js';
import { CsvHeaderError, checkCsvHeader, csvRecordToRow } from './csv-row.js';

/** One line (NDJSON) or record (CSV) of an import file: the object, or why it does not read. */
export type RawRow = { line: number; value: unknown } | { line: number; error: string };

export { CsvHeaderError };

const MAX_LINE = 1 << 20;
const FINGERPRINT_BYTES = 1 << 20;

/** Size plus a SHA-256 of the first MiB: enough to know a re-run reads the same file, cheap on a huge one. */
export async function fingerprintFile(path: string): Promise<{ size: number; fingerprint: string }> {
  const { size } = await stat(path);
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(Math.min(size, FINGERPRINT_BYTES));
    await handle.read(buffer, 0, buffer.length, 0);
    return { size, fingerprint: `${size}:${createHash('sha256').update(buffer).digest('hex')}` };
  } finally {
    await handle.close();
  }
}

/** By extension, else by the first character that is not a BOM or white space. */
export async function detectFormat(path: string): Promise<ImportFormat> {
  const ext = extname(path).toLowerCase();
  if (ext === '.csv') return 'csv';
  if (ext === '.ndjson' || ext === '.jsonl' || ext === '.json') return 'ndjson';
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(4096);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    const head = buffer
      .subarray(0, bytesRead)
      .toString('utf8')
      .replace(/^\uFEFF/, '')
      .trimStart();
    return head.startsWith('{') ? 'ndjson' : 'csv';
  } finally {
    await handle.close();
  }
}

async function* ndjsonRows(input: Readable): AsyncGenerator<RawRow> {
  input.setEncoding('utf8');
  const lines = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
  let line = 0;
  for await (let text of lines) {
    line++;
    if (line === 1) text = text.replace(/^\uFEFF/, '');
    if (text.trim() === '') continue;
    if (text.length > MAX_LINE) {
      yield { line, error: `line longer than ${MAX_LINE} characters` };
      continue;
    }
    try {
      yield { line, value: JSON.parse(text) };
    } catch (error) {
      yield { line, error: `not JSON: ${error instanceof Error ? error.message : String(error)}` };
    }
  }
}

async function* csvRows(input: Readable): AsyncGenerator<RawRow> {
  const skipped: RawRow[] = [];
  // csv-parse counts the CR and the LF of a CRLF inside a quoted cell as two lines; `drift` is how
  // many lines it has counted too many so far, taken off every line number it reports.
  let drift = 0;
  const parser = input.pipe(
    parse({
      bom: true,
      info: true,
      raw: true,
      relax_column_count: true,
      skip_empty_lines: true,
      skip_records_with_error: true,
      max_record_size: MAX_LINE,
      on_skip: (error) => {
        const line = Number((error as { lines?: number } | undefined)?.lines ?? 0) - drift;
        skipped.push({ line, error: `CSV: ${error?.message ?? 'unreadable record'}` });
        return undefined;
      },
    }),
  );
  let columns: string[] | undefined;
  for await (const { record, info, raw } of parser as AsyncIterable<{ record: string[]; info: { lines: number }; raw: string }>) {
    drift += raw.match(/\r\n/g)?.length ?? 0;
    // info.lines is where the record ends; a quoted field may span lines, so count back to its start
    // (a line break is CRLF, LF or a lone CR; empty lines before the record and its own delimiter do not count).
    const body = raw.replace(/^(\r\n|\r|\n)+/, '').replace(/(\r\n|\r|\n)$/, '');
    const line = info.lines - drift - (body.match(/\r\n|\r|\n/g)?.length ?? 0);
    if (!columns) {
      columns = record.map((c) => c.trim());
      checkCsvHeader(columns);
      continue;
    }
    // Skipped records are reported by the parser ahead of the records before them: keep line order.
    skipped.sort((a, b) => a.line - b.line);
    while (skipped.length > 0 && (skipped[0] as RawRow).line < line) yield skipped.shift() as RawRow;
    try {
      yield { line, value: csvRecordToRow(columns, record) };
    } catch (error) {
      yield { line, error: error instanceof Error ? error.message : String(error) };
    }
  }
  skipped.sort((a, b) => a.line - b.line);
  while (skipped.length > 0) yield skipped.shift() as RawRow;
}

/** Streams the rows of an import file or upload; memory stays flat whatever its size. */
export function readImportRows(input: Readable, format: ImportFormat): AsyncGenerator<RawRow> {
  return format === 'csv' ? csvRows(input) : ndjsonRows(input);
}

/** A file stream that counts the bytes it has handed out (for progress and ETA). */
export function countingFileStream(path: string): { stream: Readable; bytesRead: () => number } {
  let bytes = 0;
  // A pass-through that counts: it flows only when the reader pulls, unlike a 'data' listener.
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      bytes += chunk.length;
      done(null, chunk);
    },
  });
  const file = createReadStream(path, { highWaterMark: 256 * 1024 });
  file.on('error', (error) => counter.destroy(error));
  counter.on('close', () => file.destroy());
  return { stream: file.pipe(counter), bytesRead: () => bytes };
}
