// The state store the settings name: this process's memory (the default), or a shared Redis, whose client
// is loaded only then (stdio and single-process servers never load it).
import type { Logger } from '../log.js';
import { MemoryStateStore } from './memory-state-store.js';
import { parseStateLocation } from './state-location.js';
import type { StateStore } from './state-store.js';

/** Opens the store at `location` (`memory` or a Redis URL); throws StateStoreUnreachable when Redis cannot be reached. */
export async function openStateStore(location: string, log: Logger): Promise<StateStore> {
  const parsed = parseStateLocation(location);
  if (parsed.kind === 'memory') return new MemoryStateStore();
  const { connectRedisStateStore } = await import('./redis-state-store.js');
  return connectRedisStateStore({ url: parsed.url, log });
}
