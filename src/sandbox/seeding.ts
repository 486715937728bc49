// First-use seeding. Every command calls `ensureSeeded` before it touches the store: the check is a
// single read on the hot path, and the seeding itself runs in one BEGIN IMMEDIATE transaction that
// checks again, so sixteen processes starting on a fresh file seed exactly once.
// The seed is deterministic: fixed clock, fixed PRNG per connector, ids derived from names.
import { recreateSchema, RecordStore, SCHEMA_VERSION, writeTx, type Db } from './store.js';
import { catalogEntry, EMULATED_KEYS, emulatorIn, loadEmulators, type EmulatorRegistry } from './emulators.js';
import { connectionIdFor, insertConnection } from './connection-model.js';
import { getMeta, SANDBOX_SESSION, setMeta, writeSession } from './session.js';

/** The seed's clock: 2026-01-05T09:00:00Z. */
export const SEED_CLOCK_MS = Date.UTC(2026, 0, 5, 9, 0, 0);
export const SEED_CLOCK_ISO = new Date(SEED_CLOCK_MS).toISOString();

const KEY_SCHEMA_VERSION = 'schema_version';
const KEY_SEEDED_AT = 'seeded_at';

/** mulberry32: a tiny, well-distributed 32-bit PRNG; same seed, same sequence on every platform. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** FNV-1a: a stable 32-bit number from a name, so each connector gets its own PRNG stream. */
export function seedFromName(name: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) {
    h ^= name.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export function connectionCounterName(connectorKey: string): string {
  return `sandbox:connections:${connectorKey}`;
}

export function isSeeded(db: Db): boolean {
  return getMeta(db, KEY_SCHEMA_VERSION) === String(SCHEMA_VERSION) && getMeta(db, KEY_SEEDED_AT) !== undefined;
}

export function seededAt(db: Db): string | undefined {
  return getMeta(db, KEY_SEEDED_AT);
}

/** Writes the whole seed. Call inside a write transaction on an empty schema. */
function seedAll(db: Db, emulators: EmulatorRegistry): void {
  const store = new RecordStore(db);
  setMeta(db, KEY_SCHEMA_VERSION, String(SCHEMA_VERSION));
  setMeta(db, KEY_SEEDED_AT, SEED_CLOCK_ISO);
  writeSession(db, SANDBOX_SESSION);
  for (const key of EMULATED_KEYS) {
    const entry = catalogEntry(key);
    const id = connectionIdFor(key, store.nextInt(connectionCounterName(key)));
    insertConnection(db, { id, connectorKey: key, name: `${entry.name} (sandbox)`, state: 'READY', at: SEED_CLOCK_ISO });
    emulatorIn(emulators, key).seed({
      store,
      connectionId: id,
      now: () => SEED_CLOCK_MS,
      random: mulberry32(seedFromName(key)),
    });
  }
}

/**
 * Seeds the store unless it already holds a seed of this SCHEMA_VERSION. An older (or half-made)
 * store is dropped and seeded again. Returns true when this call seeded.
 */
export async function ensureSeeded(db: Db): Promise<boolean> {
  if (isSeeded(db)) return false;
  const emulators = await loadEmulators();
  return writeTx(db, () => {
    if (isSeeded(db)) return false; // another process won the race while we waited for the lock
    recreateSchema(db);
    seedAll(db, emulators);
    return true;
  });
}

/** `sandbox reset`: drop everything and seed again, atomically. */
export async function resetAndSeed(db: Db): Promise<void> {
  const emulators = await loadEmulators();
  writeTx(db, () => {
    recreateSchema(db);
    seedAll(db, emulators);
  });
}
