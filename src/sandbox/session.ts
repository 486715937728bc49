// Login state of the sandbox "user", kept in the `meta` table so every process sees it.
import { prepared, type Db } from './store.js';
import { hexId } from './hex-ids.js';

export interface SessionUser {
  id: string;
  name: string;
  email: string;
}

export interface Session {
  workspaceKey: string;
  tenantKey: string;
  user: SessionUser;
}

export interface PendingLogin {
  code: string;
  url: string;
}

/** Membrane's real API; the sandbox only remembers what `login --apiUri` set, like the CLI does. */
export const DEFAULT_API_URI = 'https://api.getmembrane.com';

export const SANDBOX_SESSION: Session = {
  workspaceKey: 'sandbox-workspace',
  tenantKey: 'sandbox-tenant',
  user: { id: hexId('user', 'sandbox'), name: 'Sandbox User', email: 'sandbox@membrane.local' },
};

export const TENANT_ID = hexId('tenant', SANDBOX_SESSION.tenantKey);

const KEY_SESSION = 'session';
const KEY_PENDING = 'pending_login';
const KEY_API_URI = 'api_uri';

export function getMeta(db: Db, key: string): string | undefined {
  const row = prepared(db, 'SELECT value FROM meta WHERE key = ?').get(key) as { value: string } | undefined;
  return row?.value;
}

export function setMeta(db: Db, key: string, value: string): void {
  prepared(db, 'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value').run(key, value);
}

export function deleteMeta(db: Db, key: string): void {
  prepared(db, 'DELETE FROM meta WHERE key = ?').run(key);
}

/** A JSON value under one meta key: read (undefined when absent) and write (undefined deletes it; call inside a write transaction). */
function jsonMeta<T>(key: string): { read(db: Db): T | undefined; write(db: Db, value: T | undefined): void } {
  return {
    read(db) {
      const raw = getMeta(db, key);
      return raw ? (JSON.parse(raw) as T) : undefined;
    },
    write(db, value) {
      if (value) setMeta(db, key, JSON.stringify(value));
      else deleteMeta(db, key);
    },
  };
}

const session = jsonMeta<Session>(KEY_SESSION);
const pendingLogin = jsonMeta<PendingLogin>(KEY_PENDING);

export const readSession = session.read;
export const writeSession = session.write;
export const readPendingLogin = pendingLogin.read;
export const writePendingLogin = pendingLogin.write;

export function readApiUri(db: Db): string {
  return getMeta(db, KEY_API_URI) ?? DEFAULT_API_URI;
}

export function writeApiUri(db: Db, uri: string): void {
  setMeta(db, KEY_API_URI, uri);
}
