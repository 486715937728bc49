// The prebuilt AmoCRM action catalog: the keys an agent finds with `action list`.
import type { ActionDef } from '../../emulator-types.js';
import { COMPANY, CONTACT, LEAD, TASK, type RecordEntity } from './entities.js';
import {
  addNote,
  completeTask,
  createRecord,
  getRecordAction,
  listNotes,
  listPipelines,
  listRecords,
  listUsers,
  searchRecords,
  updateRecord,
} from './factories.js';

/** list / get / search / create / update for one record entity. */
function recordActions(entity: RecordEntity, alias?: string): ActionDef[] {
  const { label, labelPlural, plural } = entity;
  const aka = alias ? ` (${alias})` : '';
  return [
    listRecords(entity, {
      key: `list-${plural}`,
      name: `List ${labelPlural}`,
      description: `List ${labelPlural}${aka} in AmoCRM, oldest first, a page at a time. Optional: filter (${Object.keys(entity.filterProperties).join(', ')}), limit, cursor.`,
    }),
    getRecordAction(entity, {
      key: `get-${label}`,
      name: `Get ${label}`,
      description: `Get one ${label}${aka} from AmoCRM by id, with its custom fields and linked records. Required: id.`,
    }),
    searchRecords(entity, {
      key: `search-${plural}`,
      name: `Search ${labelPlural}`,
      description: `Search ${labelPlural}${aka} in AmoCRM by free text (name, phone, e-mail, field values). Required: query. Optional: limit, cursor.`,
    }),
    createRecord(entity, { key: `create-${label}`, name: `Create ${label}`, description: entity.createSummary }),
    updateRecord(entity, { key: `update-${label}`, name: `Update ${label}`, description: `${entity.updateSummary} Required: id.` }),
  ];
}

export const PREBUILT_ACTIONS: ActionDef[] = [
  ...recordActions(LEAD, 'deals'),
  ...recordActions(CONTACT, 'people'),
  ...recordActions(COMPANY),
  ...recordActions(TASK),
  completeTask(TASK, {
    key: 'complete-task',
    name: 'Complete task',
    description: 'Mark an AmoCRM task as done, optionally recording the result. Required: id. Optional: result_text.',
  }),
  addNote({
    key: 'add-note',
    name: 'Add note',
    description:
      'Add a note to a lead, contact or company in AmoCRM. Required: entity_type (leads|contacts|companies), entity_id, text. Optional: note_type (common, call_in, call_out, service_message), phone, duration.',
  }),
  listNotes({
    key: 'list-notes',
    name: 'List notes',
    description:
      'List the notes of a lead, contact or company in AmoCRM. Required: entity_type. Optional: entity_id, note_type, limit, cursor.',
  }),
  listPipelines({
    key: 'list-pipelines',
    name: 'List pipelines',
    description: 'List AmoCRM lead pipelines with their stages (status ids; 142 = won, 143 = lost). No input.',
  }),
  listUsers({
    key: 'list-users',
    name: 'List users',
    description:
      'List AmoCRM users (managers) with ids, names, e-mails and rights; use the ids as responsible_user_id. Optional: limit, cursor.',
  }),
];
