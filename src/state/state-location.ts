// Where the state store lives (`--state`, MEMBRANE_CRM_STATE, config `state`): `memory` (this process), or a
// Redis URL `redis://[user:password@]host:port/db` (`rediss://` for TLS) that replicas share. The URL may
// carry a password, so it is shown only through shownStateLocation(), which masks it.

export type StateLocation = { kind: 'memory' } | { kind: 'redis'; url: string };

/** Why `raw` is not a state location, or undefined when it is one. */
export function stateLocationProblem(raw: string): string | undefined {
  if (raw === 'memory') return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return '`memory` or a Redis URL redis://[user:password@]host:port/db';
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') return 'a redis:// or rediss:// URL (or `memory`)';
  if (!url.hostname) return 'a Redis URL with a host, e.g. redis://127.0.0.1:6379/0';
  const db = url.pathname.replace(/^\//, '');
  if (db !== '' && !/^\d{1,5}$/.test(db)) return `a Redis database number after the host (redis://host:port/0), not "/${db.slice(0, 20)}"`;
  if (url.search || url.hash) return 'a Redis URL without ?query or #fragment';
  return undefined;
}

export function parseStateLocation(raw: string): StateLocation {
  return raw === 'memory' ? { kind: 'memory' } : { kind: 'redis', url: raw };
}

/** The location as logs and messages may show it: a password becomes `***` (the user name stays). */
export function shownStateLocation(raw: string): string {
  if (raw === 'memory') return raw;
  try {
    const url = new URL(raw);
    if (url.password) url.password = '***';
    return url.toString();
  } catch {
    // Not a URL: nothing to mask but whatever sits between "//" and "@".
    return raw.replace(/\/\/[^@/]*@/, '//***@');
  }
}
