// Per-element validation of POST/PATCH bodies. Errors are collected (not thrown) so one 400 can
// list every problem of every element, with AmoCRM's Symfony-style codes and messages.
import type { FieldError } from './responses.js';

export type Json = Record<string, unknown>;

export function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export class Issues {
  readonly errors: FieldError[] = [];

  add(code: string, path: string, detail: string): void {
    this.errors.push({ code, path, detail });
  }

  type(path: string, type: 'int' | 'string' | 'bool' | 'array' | 'object'): void {
    this.add('InvalidType', path, `This value should be of type ${type}.`);
  }

  blank(path: string): void {
    this.add('NotBlank', path, 'This value should not be blank.');
  }

  choice(path: string, detail = 'The value you selected is not a valid choice.'): void {
    this.add('NotSupportedChoice', path, detail);
  }

  get ok(): boolean {
    return this.errors.length === 0;
  }
}

function join(prefix: string, key: string): string {
  return prefix ? `${prefix}.${key}` : key;
}

/**
 * A reader over one JSON object that records type errors under a path prefix.
 * Each getter returns undefined when the key is absent (or invalid, after recording the issue).
 */
export class Reader {
  constructor(
    readonly obj: Json,
    readonly issues: Issues,
    readonly prefix = '',
  ) {}

  path(key: string): string {
    return join(this.prefix, key);
  }

  has(key: string): boolean {
    return this.obj[key] !== undefined;
  }

  int(key: string, opts: { min?: number } = {}): number | undefined {
    const v = this.obj[key];
    if (v === undefined) return undefined;
    if (typeof v !== 'number' || !Number.isInteger(v)) {
      this.issues.type(this.path(key), 'int');
      return undefined;
    }
    if (opts.min !== undefined && v < opts.min) {
      this.issues.add('GreaterThanOrEqual', this.path(key), `This value should be greater than or equal to ${opts.min}.`);
      return undefined;
    }
    return v;
  }

  /** An int that may also be explicitly null (null is returned as null). */
  nullableInt(key: string, opts: { min?: number } = {}): number | null | undefined {
    return this.obj[key] === null ? null : this.int(key, opts);
  }

  string(key: string, opts: { nonEmpty?: boolean; max?: number } = {}): string | undefined {
    const v = this.obj[key];
    if (v === undefined) return undefined;
    if (typeof v !== 'string') {
      this.issues.type(this.path(key), 'string');
      return undefined;
    }
    if (opts.nonEmpty && v.trim() === '') {
      this.issues.blank(this.path(key));
      return undefined;
    }
    if (opts.max !== undefined && v.length > opts.max) {
      this.issues.add('TooLong', this.path(key), `This value is too long. It should have ${opts.max} characters or less.`);
      return undefined;
    }
    return v;
  }

  nullableString(key: string, opts: { max?: number } = {}): string | null | undefined {
    return this.obj[key] === null ? null : this.string(key, opts);
  }

  bool(key: string): boolean | undefined {
    const v = this.obj[key];
    if (v === undefined) return undefined;
    if (typeof v !== 'boolean') {
      this.issues.type(this.path(key), 'bool');
      return undefined;
    }
    return v;
  }

  array(key: string): unknown[] | undefined {
    const v = this.obj[key];
    if (v === undefined || v === null) return undefined;
    if (!Array.isArray(v)) {
      this.issues.type(this.path(key), 'array');
      return undefined;
    }
    return v;
  }

  object(key: string): Reader | undefined {
    const v = this.obj[key];
    if (v === undefined || v === null) return undefined;
    if (!isObject(v)) {
      this.issues.type(this.path(key), 'object');
      return undefined;
    }
    return new Reader(v, this.issues, this.path(key));
  }

  /** Readers over the objects of an array field; non-objects are recorded as type errors. */
  objects(key: string): Reader[] | undefined {
    const list = this.array(key);
    if (!list) return undefined;
    const readers: Reader[] = [];
    list.forEach((item, i) => {
      if (isObject(item)) readers.push(new Reader(item, this.issues, this.path(`${key}.${i}`)));
      else this.issues.type(this.path(`${key}.${i}`), 'object');
    });
    return readers;
  }

  /** Required int: records NotBlank when absent. */
  requiredInt(key: string, opts: { min?: number } = {}): number | undefined {
    if (this.obj[key] === undefined || this.obj[key] === null) {
      this.issues.blank(this.path(key));
      return undefined;
    }
    return this.int(key, opts);
  }

  requiredString(key: string, opts: { max?: number } = {}): string | undefined {
    if (this.obj[key] === undefined || this.obj[key] === null) {
      this.issues.blank(this.path(key));
      return undefined;
    }
    return this.string(key, { ...opts, nonEmpty: true });
  }
}
