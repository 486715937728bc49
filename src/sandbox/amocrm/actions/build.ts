// `buildAction`: an action for any (operation, entity) pair the AmoCRM API can serve, made by the
// same factories as the prebuilt catalog; otherwise a precise reason why not.
import type { ActionDef, BuildResult, Operation } from '../../emulator-types.js';
import type { EntityType } from '../model.js';
import { RECORD_ENTITIES, TASK, type RecordEntityId } from './entities.js';
import {
  addNote,
  completeTask,
  createRecord,
  getNote,
  getPipeline,
  getRecordAction,
  getUser,
  listNotes,
  listPipelines,
  listRecords,
  listUsers,
  searchRecords,
  updateNote,
  updateRecord,
  type ActionMeta,
} from './factories.js';

const PLURALS: Record<string, string> = {
  lead: 'leads',
  contact: 'contacts',
  company: 'companies',
  task: 'tasks',
  note: 'notes',
  pipeline: 'pipelines',
  user: 'users',
};

const NOTE_HOSTS: Partial<Record<string, EntityType>> = { lead: 'leads', contact: 'contacts', company: 'companies' };

function isRecordEntity(entity: string): entity is RecordEntityId {
  return entity in RECORD_ENTITIES;
}

/** Why an (operation, entity) pair cannot be built; undefined when it can. */
function refusal(operation: Operation, entity: string): string | undefined {
  if (!(entity in PLURALS)) {
    return `AmoCRM has no entity "${entity}" in this sandbox; known entities: ${Object.keys(PLURALS).join(', ')}`;
  }
  const plural = PLURALS[entity];
  if (operation === 'delete') {
    if (entity === 'lead') return 'AmoCRM API v4 has no DELETE for leads; archive or move the lead to status 143 (lost) instead';
    if (entity === 'pipeline' || entity === 'user') {
      return `Deleting ${plural} is account administration, which the AmoCRM sandbox does not emulate; do it in the AmoCRM UI`;
    }
    if (entity === 'task') return 'AmoCRM API v4 has no DELETE for tasks; complete the task instead (complete-task)';
    return `AmoCRM API v4 has no DELETE for ${plural}; records can only be deleted in the AmoCRM UI`;
  }
  if (operation === 'complete' && entity !== 'task') {
    return entity === 'lead'
      ? 'Only tasks can be completed in AmoCRM; to close a lead, update its status_id to 142 (won) or 143 (lost)'
      : `Only tasks can be completed in AmoCRM, not ${plural}`;
  }
  if (operation === 'add-note' && !(entity in NOTE_HOSTS) && entity !== 'note') {
    return `AmoCRM notes belong to leads, contacts or companies, not ${plural}`;
  }
  if (operation === 'search' && !isRecordEntity(entity)) {
    return `AmoCRM API v4 has no full-text search for ${plural}; list them instead`;
  }
  if ((operation === 'create' || operation === 'update') && (entity === 'pipeline' || entity === 'user')) {
    return `Creating or changing ${plural} is account administration, which the AmoCRM sandbox does not emulate`;
  }
  return undefined;
}

function make(operation: Operation, entity: string, meta: ActionMeta): ActionDef | undefined {
  if (isRecordEntity(entity)) {
    const spec = RECORD_ENTITIES[entity];
    switch (operation) {
      case 'list':
        return listRecords(spec, meta);
      case 'get':
        return getRecordAction(spec, meta);
      case 'search':
        return searchRecords(spec, meta);
      case 'create':
        return createRecord(spec, meta);
      case 'update':
        return updateRecord(spec, meta);
      case 'complete':
        return entity === 'task' ? completeTask(TASK, meta) : undefined;
      case 'add-note': {
        const host = NOTE_HOSTS[entity];
        return host ? addNote(meta, host) : undefined;
      }
      default:
        return undefined;
    }
  }
  if (entity === 'note') {
    if (operation === 'list') return listNotes(meta);
    if (operation === 'get') return getNote(meta);
    if (operation === 'create' || operation === 'add-note') return addNote(meta);
    if (operation === 'update') return updateNote(meta);
  }
  if (entity === 'pipeline') {
    if (operation === 'list') return listPipelines(meta);
    if (operation === 'get') return getPipeline(meta);
  }
  if (entity === 'user') {
    if (operation === 'list') return listUsers(meta);
    if (operation === 'get') return getUser(meta);
  }
  return undefined;
}

export function buildAmocrmAction(operation: Operation, entity: string, name: string, description: string): BuildResult {
  const reason = refusal(operation, entity);
  if (reason) return { ok: false, reason };
  const label = `${operation} ${entity}`;
  const meta: ActionMeta = {
    key: `custom-${operation}-${entity}`,
    name: name.trim() || label.charAt(0).toUpperCase() + label.slice(1),
    description: description.trim() || `Custom AmoCRM action: ${label}.`,
  };
  const action = make(operation, entity, meta);
  return action ? { ok: true, action } : { ok: false, reason: `AmoCRM sandbox cannot build "${operation}" for ${PLURALS[entity]}` };
}
