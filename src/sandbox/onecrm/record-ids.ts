// Record ids: 36-character UUID-like strings, as 1CRM uses ("7eba2a01-6cb6-f38c-d4c2-5a8fc2def9d2").
import { randomUUID } from 'node:crypto';

/** A UUID-like id drawn from the seed's PRNG, so seeds are deterministic. */
export function seededId(random: () => number): string {
  let hex = '';
  for (let i = 0; i < 32; i++) hex += Math.floor(random() * 16).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** Ids of records created at runtime: unique across concurrent sandbox processes. */
export function runtimeId(): string {
  return randomUUID();
}

/** Ids a client may choose itself (PATCH with create:true): at most 36 safe characters. */
export function isAcceptableId(id: string): boolean {
  return /^[A-Za-z0-9_-]{1,36}$/.test(id);
}
