// Value formats of the 1CRM API: everything is a string ("deleted":"0", "balance":"3222.22"), null when
// empty, datetimes "YYYY-MM-DD HH:MM:SS" in GMT, dates "YYYY-MM-DD". Writes accept natural JSON types
// (numbers, booleans, ISO 8601 datetimes) and are stored in that string form.
import type { ApiValue, FieldDef } from './fields.js';

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** "YYYY-MM-DD HH:MM:SS" (GMT). */
export function formatDateTime(ms: number): string {
  const d = new Date(ms);
  return (
    `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ` +
    `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`
  );
}

/** "YYYY-MM-DD" (GMT). */
export function formatDate(ms: number): string {
  return formatDateTime(ms).slice(0, 10);
}

const API_DATETIME = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/;
const API_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Milliseconds for an API datetime ("YYYY-MM-DD HH:MM[:SS]", GMT) or an ISO 8601 datetime with an offset. */
export function parseDateTime(s: string): number | undefined {
  const m = API_DATETIME.exec(s.trim());
  if (!m) return undefined;
  const [, y, mo, d, h, mi, sec, zone] = m;
  if (!validCalendarDate(+y, +mo, +d) || +h > 23 || +mi > 59 || (sec !== undefined && +sec > 59)) return undefined;
  let ms = Date.UTC(+y, +mo - 1, +d, +h, +mi, sec === undefined ? 0 : +sec);
  if (zone && zone !== 'Z') {
    const sign = zone[0] === '-' ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    ms -= sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2))) * 60_000;
  }
  return ms;
}

function validCalendarDate(y: number, m: number, d: number): boolean {
  if (m < 1 || m > 12 || d < 1) return false;
  return d <= new Date(Date.UTC(y, m, 0)).getUTCDate();
}

export type Coerced = { ok: true; value: ApiValue } | { ok: false; reason: string };

const ok = (value: ApiValue): Coerced => ({ ok: true, value });
const bad = (reason: string): Coerced => ({ ok: false, reason });

const TRUE_WORDS = new Set(['1', 'true', 'yes', 'on']);
const FALSE_WORDS = new Set(['0', 'false', 'no', 'off']);

/** "1" / "0" for the usual spellings of a boolean, undefined otherwise. */
export function boolString(raw: unknown): '1' | '0' | undefined {
  if (raw === true || raw === 1) return '1';
  if (raw === false || raw === 0) return '0';
  if (typeof raw === 'string') {
    const s = raw.trim().toLowerCase();
    if (TRUE_WORDS.has(s)) return '1';
    if (FALSE_WORDS.has(s)) return '0';
  }
  return undefined;
}

function numberFrom(raw: unknown): number | undefined {
  if (typeof raw === 'number') return Number.isFinite(raw) ? raw : undefined;
  if (typeof raw === 'string' && /^\s*-?\d+(\.\d+)?\s*$/.test(raw)) return Number(raw);
  return undefined;
}

function stringFrom(raw: unknown): string | undefined {
  if (typeof raw === 'string') return raw;
  if (typeof raw === 'number' && Number.isFinite(raw)) return String(raw);
  return undefined;
}

const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

/**
 * Converts a written value to the API's string form, or says why it cannot.
 * null, undefined and "" all mean "empty" (null); the required check is the caller's.
 */
export function coerceValue(f: FieldDef, raw: unknown): Coerced {
  if (raw === null || raw === undefined || raw === '') return ok(null);
  switch (f.type) {
    case 'bool': {
      const b = boolString(raw);
      return b === undefined ? bad('must be a boolean (true/false or "1"/"0")') : ok(b);
    }
    case 'int': {
      const n = numberFrom(raw);
      if (n === undefined || !Number.isInteger(n)) return bad('must be an integer');
      if (f.min !== undefined && n < f.min) return bad(`must be at least ${f.min}`);
      if (f.max !== undefined && n > f.max) return bad(`must be at most ${f.max}`);
      return ok(String(n));
    }
    case 'double':
    case 'currency': {
      const n = numberFrom(raw);
      if (n === undefined) return bad('must be a number');
      if (f.min !== undefined && n < f.min) return bad(`must be at least ${f.min}`);
      // Money keeps cents, as 1CRM shows "3222.22"; whole amounts print without decimals ("0").
      return ok(String(f.type === 'currency' ? Math.round(n * 100) / 100 : n));
    }
    case 'date': {
      const s = stringFrom(raw)?.trim();
      const m = s ? API_DATE.exec(s) : null;
      if (!m || !validCalendarDate(+m[1], +m[2], +m[3])) return bad('must be a date "YYYY-MM-DD"');
      return ok(s as string);
    }
    case 'datetime': {
      const ms = typeof raw === 'string' ? parseDateTime(raw) : undefined;
      if (ms === undefined) return bad('must be a datetime "YYYY-MM-DD HH:MM:SS" (GMT) or ISO 8601');
      return ok(formatDateTime(ms));
    }
    case 'enum': {
      const s = stringFrom(raw);
      const options = f.options ?? [];
      if (s === undefined || !options.some((o) => o.value === s)) {
        return bad(`must be one of: ${options.map((o) => o.value).join(', ')}`);
      }
      return ok(s);
    }
    case 'email': {
      const s = stringFrom(raw)?.trim();
      if (!s || !EMAIL.test(s)) return bad('must be an email address');
      return lengthChecked(f, s);
    }
    case 'ref':
      return bad(`is read-only; set ${f.ref?.idName ?? `${f.name}_id`} instead`);
    default: {
      const s = stringFrom(raw);
      if (s === undefined) return bad('must be a string');
      return lengthChecked(f, f.type === 'id' ? s.trim() : s);
    }
  }
}

function lengthChecked(f: FieldDef, s: string): Coerced {
  if (f.len !== undefined && s.length > f.len) return bad(`must be at most ${f.len} characters`);
  return ok(s);
}

/**
 * Natural JSON value (action input) → API string. Lenient on purpose: the REST layer validates,
 * so a value that cannot be converted is passed on as is and rejected there with the API's own error.
 */
export function toApiInput(f: FieldDef, raw: unknown): unknown {
  if (raw === null || raw === undefined) return null;
  if (f.type === 'bool') return boolString(raw) ?? raw;
  if (typeof raw === 'number' && Number.isFinite(raw)) return String(raw);
  return raw;
}
