// How people name AmoCRM's entities (for intent search and `action create`), and which
// operations `buildAction` can make for each. AmoCRM "leads" are deals.
import type { EntityVocab } from '../emulator-types.js';

export const ENTITIES: EntityVocab[] = [
  {
    id: 'lead',
    name: 'Lead',
    words: ['lead', 'deal', 'opportunity', 'sale'],
    operations: ['list', 'get', 'search', 'create', 'update', 'add-note'],
  },
  {
    id: 'contact',
    name: 'Contact',
    words: ['contact', 'person', 'people', 'client', 'customer'],
    operations: ['list', 'get', 'search', 'create', 'update', 'add-note'],
  },
  {
    id: 'company',
    name: 'Company',
    words: ['company', 'account', 'organization', 'organisation', 'business'],
    operations: ['list', 'get', 'search', 'create', 'update', 'add-note'],
  },
  {
    id: 'task',
    name: 'Task',
    words: ['task', 'todo', 'reminder', 'follow-up'],
    operations: ['list', 'get', 'search', 'create', 'update', 'complete'],
  },
  { id: 'note', name: 'Note', words: ['note', 'comment'], operations: ['list', 'get', 'create', 'update', 'add-note'] },
  { id: 'pipeline', name: 'Pipeline', words: ['pipeline', 'stage', 'status', 'funnel'], operations: ['list', 'get'] },
  { id: 'user', name: 'User', words: ['user', 'manager', 'employee', 'owner'], operations: ['list', 'get'] },
];
