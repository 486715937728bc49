// How people name AmoCRM's entities (for intent search and `action create`), in English and Russian
// (amocrm.ru accounts mostly work in Russian), and which operations `buildAction` can make for each.
// AmoCRM "leads" are deals; a logged call is a note (note_type call_in/call_out); a meeting is a task type.
import type { EntityVocab } from '../emulator-types.js';

export const ENTITIES: EntityVocab[] = [
  {
    id: 'lead',
    name: 'Lead',
    words: ['lead', 'deal', 'opportunity', 'sale', 'сделка', 'сделок', 'лид', 'продажа', 'продаж'],
    operations: ['list', 'get', 'search', 'create', 'update', 'add-note'],
  },
  {
    id: 'contact',
    name: 'Contact',
    words: ['contact', 'person', 'people', 'client', 'customer', 'контакт', 'клиент', 'человек', 'покупатель', 'заказчик'],
    operations: ['list', 'get', 'search', 'create', 'update', 'add-note'],
  },
  {
    id: 'company',
    name: 'Company',
    words: ['company', 'account', 'organization', 'organisation', 'business', 'компания', 'организация', 'фирма', 'контрагент'],
    operations: ['list', 'get', 'search', 'create', 'update', 'add-note'],
  },
  {
    id: 'task',
    name: 'Task',
    words: ['task', 'todo', 'reminder', 'follow-up', 'meeting', 'задача', 'задач', 'напоминание', 'встреча'],
    operations: ['list', 'get', 'search', 'create', 'update', 'complete'],
  },
  {
    id: 'note',
    name: 'Note',
    words: ['note', 'comment', 'memo', 'call', 'примечание', 'заметка', 'заметок', 'комментарий', 'звонок'],
    operations: ['list', 'get', 'create', 'update', 'add-note'],
  },
  {
    id: 'pipeline',
    name: 'Pipeline',
    words: ['pipeline', 'stage', 'status', 'funnel', 'воронка', 'воронок', 'этап', 'статус', 'стадия'],
    operations: ['list', 'get'],
  },
  {
    id: 'user',
    name: 'User',
    words: ['user', 'manager', 'employee', 'owner', 'пользователь', 'менеджер', 'сотрудник', 'ответственный'],
    operations: ['list', 'get'],
  },
];
