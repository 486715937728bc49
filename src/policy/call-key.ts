// A stable fingerprint of a call: canonical JSON (sorted keys) hashed with SHA-256. Confirmation tokens
// are bound to it and the repeat guard compares it, so "the same call" means exactly the same call.
import { createHash } from 'node:crypto';

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, canonical((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}

export function callKey(parts: Record<string, unknown>): string {
  return createHash('sha256')
    .update(JSON.stringify(canonical(parts)))
    .digest('base64url');
}
