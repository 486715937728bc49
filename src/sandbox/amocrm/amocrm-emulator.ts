// The AmoCRM (API v4) emulation behind `membrane-sandbox`: seed, REST handler, action catalog,
// vocabulary. See api.ts for the routes and actions/ for the catalog.
import type { RecordStore } from '../store.js';
import type { Emulator } from '../emulator-types.js';
import { buildAmocrmAction } from './actions/build.js';
import { PREBUILT_ACTIONS } from './actions/prebuilt-actions.js';
import { handleRequest } from './api.js';
import { BASE_URL, CONNECTOR, MODEL } from './constants.js';
import { seedAmocrm } from './seed.js';
import { ENTITIES } from './vocab.js';

function counts(store: RecordStore): Record<string, number> {
  return {
    leads: store.count(CONNECTOR, MODEL.leads),
    contacts: store.count(CONNECTOR, MODEL.contacts),
    companies: store.count(CONNECTOR, MODEL.companies),
    tasks: store.count(CONNECTOR, MODEL.tasks),
    notes: store.count(CONNECTOR, MODEL.notes),
    pipelines: store.count(CONNECTOR, MODEL.pipelines),
    users: store.count(CONNECTOR, MODEL.users),
  };
}

export const amocrm: Emulator = {
  key: 'amocrm',
  name: 'AmoCRM',
  baseUrl: BASE_URL,
  seed: seedAmocrm,
  handle: handleRequest,
  actions: PREBUILT_ACTIONS,
  entities: ENTITIES,
  buildAction: buildAmocrmAction,
  counts,
};
