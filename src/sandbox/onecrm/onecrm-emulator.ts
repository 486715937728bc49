// The 1CRM emulation: REST API over the sandbox store, deterministic seed, prebuilt actions and vocabulary.
//   models.ts   the model table (fields, filters, links) everything else derives from
//   api.ts      REST routes (`/data`, `/meta/fields`, `/me`, `/version`)
//   actions.ts  action factories (each runs through api.ts); vocab.ts builds actions on demand
//   seed.ts     deterministic seed data
import type { RecordStore } from '../store.js';
import type { Emulator } from '../emulator-types.js';
import { prebuiltActions } from './action-factories.js';
import { handle } from './api.js';
import type { ApiRecord } from './fields.js';
import { MODELS } from './models.js';
import { CONNECTOR, isDeleted } from './repo.js';
import { seedOneCrm } from './seed.js';
import { buildAction, ENTITIES } from './vocab.js';

/** Non-deleted records per model name. */
function counts(store: RecordStore): Record<string, number> {
  return Object.fromEntries(MODELS.map((m) => [m.name, store.list<ApiRecord>(CONNECTOR, m.name).filter((r) => !isDeleted(r.data)).length]));
}

export const onecrm: Emulator = {
  key: '1crm',
  name: '1CRM',
  baseUrl: 'https://sandbox.1crmcloud.com/api.php',
  seed: seedOneCrm,
  handle,
  get actions() {
    return prebuiltActions();
  },
  entities: ENTITIES,
  buildAction,
  counts,
};
