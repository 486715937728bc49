// Constants shared by every part of the AmoCRM emulation: where it lives, how its records are
// stored, and the few ids that are fixed by the real API.

export const CONNECTOR = 'amocrm';
export const BASE_URL = 'https://sandbox.amocrm.ru';
export const API_PREFIX = '/api/v4';

/** RecordStore model names (the `model` column); one per AmoCRM resource. */
export const MODEL = {
  account: 'account',
  users: 'users',
  pipelines: 'pipelines',
  customFields: 'custom_fields',
  tags: 'tags',
  leads: 'leads',
  contacts: 'contacts',
  companies: 'companies',
  tasks: 'tasks',
  notes: 'notes',
} as const;

/**
 * Id sequences (RecordStore counters). Named per entity so ids created at runtime continue after
 * the seed in every process; the starts are in the range real AmoCRM accounts show.
 */
export const SEQUENCE = {
  users: { name: 'amocrm:users', start: 8011001 },
  pipelines: { name: 'amocrm:pipelines', start: 7310001 },
  statuses: { name: 'amocrm:statuses', start: 61450001 },
  customFields: { name: 'amocrm:custom_fields', start: 1120001 },
  enums: { name: 'amocrm:enums', start: 2430001 },
  tags: { name: 'amocrm:tags', start: 40001 },
  leads: { name: 'amocrm:leads', start: 21034001 },
  contacts: { name: 'amocrm:contacts', start: 30567001 },
  companies: { name: 'amocrm:companies', start: 30561001 },
  tasks: { name: 'amocrm:tasks', start: 45120001 },
  notes: { name: 'amocrm:notes', start: 98760001 },
} as const;

export const ACCOUNT_ID = 29871234;

/** System statuses present in every pipeline (same ids everywhere; AmoCRM SDK LeadModel constants). */
export const STATUS_WON = 142;
export const STATUS_LOST = 143;

/** Status `type`: 0 = a normal stage, 1 = the unsorted/incoming stage. */
export const STATUS_TYPE_NORMAL = 0;
export const STATUS_TYPE_UNSORTED = 1;

/** Built-in task types (AmoCRM SDK TaskModel: 1 follow-up/call, 2 meeting). */
export const TASK_TYPES = [
  { id: 1, name: 'Follow-up', code: 'FOLLOW_UP' },
  { id: 2, name: 'Meeting', code: 'MEETING' },
] as const;

/** Most entities a single POST/PATCH may carry (AmoCRM batch limit). */
export const MAX_BATCH = 250;

/** Paging: AmoCRM caps `limit` at 250; 50 is the SDK default and our default when `limit` is omitted. */
export const MAX_LIMIT = 250;
export const DEFAULT_LIMIT = 50;

/** Unix seconds from a millisecond clock (AmoCRM timestamps are whole seconds). */
export function unixSeconds(ms: number): number {
  return Math.floor(ms / 1000);
}
