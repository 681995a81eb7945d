import type { JsonObject, JsonValue } from '../core/types.js';

/**
 * CSV columns are dotted paths into the import shape (`profile.firstName`,
 * `subscriptions.news.email.isSubscribed`). Cells are text, with these readings:
 * - an empty cell leaves the field out (it does not clear it);
 * - the boolean fields (isSubscribed, isConsentGranted, doiConditionallyConfirmed) read true/false;
 * - `tags` reads a JSON array or a list separated by `|`;
 * - a cell starting with `json:` is JSON (numbers, null to delete, arrays, objects in profile/data).
 */
const TOP_LEVEL = new Set(['email', 'profile', 'data', 'subscriptions', 'preferences']);
const BOOLEAN_FIELDS = new Set(['isSubscribed', 'isConsentGranted', 'doiConditionallyConfirmed']);

export class CsvHeaderError extends Error {}

export function checkCsvHeader(columns: string[]): void {
  if (!columns.includes('email')) throw new CsvHeaderError('the CSV header has no email column');
  const seen = new Set<string>();
  for (const column of columns) {
    const path = column.split('.');
    if (!TOP_LEVEL.has(path[0] as string) || path.some((p) => p === '')) throw new CsvHeaderError(`unknown CSV column "${column}"`);
    if (path[0] === 'email' && path.length > 1) throw new CsvHeaderError(`unknown CSV column "${column}"`);
    if (path[0] !== 'email' && path.length < 2) throw new CsvHeaderError(`CSV column "${column}" needs a field name after the dot`);
    if (seen.has(column)) throw new CsvHeaderError(`duplicate CSV column "${column}"`);
    seen.add(column);
  }
}

function cellValue(field: string, cell: string): JsonValue {
  if (cell.startsWith('json:')) return JSON.parse(cell.slice(5)) as JsonValue;
  if (BOOLEAN_FIELDS.has(field)) {
    const lower = cell.trim().toLowerCase();
    if (lower === 'true') return true;
    if (lower === 'false') return false;
    throw new Error(`${field} must be true or false`);
  }
  if (field === 'tags') {
    if (cell.trim().startsWith('[')) return JSON.parse(cell) as JsonValue;
    return cell
      .split('|')
      .map((t) => t.trim())
      .filter(Boolean);
  }
  return cell;
}

/** One CSV record as a row object; throws with a reason for a cell that does not read. */
export function csvRecordToRow(columns: string[], cells: string[]): JsonObject {
  if (cells.length !== columns.length) throw new Error(`expected ${columns.length} columns, found ${cells.length}`);
  const row: JsonObject = {};
  columns.forEach((column, i) => {
    const cell = cells[i] as string;
    if (cell === '') return;
    const path = column.split('.');
    const field = path[path.length - 1] as string;
    let value: JsonValue;
    try {
      value = cellValue(field, cell);
    } catch (error) {
      throw new Error(`column ${column}: ${error instanceof Error ? error.message : String(error)}`);
    }
    let node = row;
    for (const key of path.slice(0, -1)) {
      const next = node[key];
      if (typeof next !== 'object' || next === null || Array.isArray(next)) node[key] = {};
      node = node[key] as JsonObject;
    }
    node[field] = value;
  });
  return row;
}
