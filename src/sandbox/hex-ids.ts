// Deterministic ids: the same inputs give the same id in every fresh database, so seeds compare
// byte for byte and tests can name seeded objects.
import { createHash, randomBytes } from 'node:crypto';

/** 24 lower-case hex characters derived from `parts` (Membrane ids are opaque 24-hex strings). */
export function hexId(...parts: (string | number)[]): string {
  return createHash('sha1').update(parts.join(':')).digest('hex').slice(0, 24);
}

/** A UUID-shaped string derived from `parts`. */
export function uuidFrom(...parts: (string | number)[]): string {
  const h = createHash('sha1').update(parts.join(':')).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** A fresh random 24-hex id, for runtime objects such as action runs. */
export function randomHexId(): string {
  return randomBytes(12).toString('hex');
}
