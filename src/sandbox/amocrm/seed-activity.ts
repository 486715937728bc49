// Seed of the activity around the records: tasks (open, overdue and completed with a result)
// and notes (common, calls, service messages) on leads, contacts and companies.
import { ACCOUNT_ID, MODEL } from './constants.js';
import type { CompanyDoc, ContactDoc, EntityType, LeadDoc, NoteDoc, TaskDoc, UserDoc } from './model.js';
import { CALL_RESULTS, FORM_MESSAGE, languageIndex, NOTE_TEXTS, TASK_RESULTS, TASK_TEXTS } from './seed-data.js';
import { DAY, phoneOf, type Seeder } from './seed-kit.js';

const TASK_COUNT = 24;
const NOTE_COUNT = 28;

type Target = { entity_type: EntityType; entity_id: number; created_at: number; phone?: string };

function pickTarget(s: Seeder, leads: LeadDoc[], contacts: ContactDoc[], companies: CompanyDoc[]): Target {
  const roll = s.dice.int(1, 10);
  if (roll <= 6) {
    const lead = s.dice.pick(leads);
    return { entity_type: 'leads', entity_id: lead.id, created_at: lead.created_at };
  }
  const holder = roll <= 8 ? s.dice.pick(contacts) : s.dice.pick(companies);
  const phoneField = (holder.custom_fields_values ?? []).find((f) => f.field_code === 'PHONE');
  return {
    entity_type: roll <= 8 ? 'contacts' : 'companies',
    entity_id: holder.id,
    created_at: holder.created_at,
    phone: phoneField ? String(phoneField.values[0].value) : undefined,
  };
}

/** Due dates on the hour between 09:00 and 18:00, as people set them. */
function dueAt(s: Seeder, dayOffset: number): number {
  const dayStart = Math.floor(s.now / DAY) * DAY;
  return dayStart + dayOffset * DAY + s.dice.int(9, 18) * 3600;
}

export function seedTasks(s: Seeder, users: UserDoc[], leads: LeadDoc[], contacts: ContactDoc[], companies: CompanyDoc[]): void {
  for (let i = 0; i < TASK_COUNT; i++) {
    const target = pickTarget(s, leads, contacts, companies);
    const owner = s.dice.pick(users);
    const completed = i % 3 === 0;
    const completeTill = completed ? dueAt(s, -s.dice.int(1, 30)) : dueAt(s, s.dice.int(-4, 21));
    const createdAt = Math.min(completeTill - DAY, s.now - s.dice.int(1, 10) * DAY);
    const task: TaskDoc = {
      id: s.repo.nextId('tasks'),
      created_by: owner.id,
      updated_by: owner.id,
      created_at: createdAt,
      updated_at: completed ? completeTill - s.dice.int(0, 7200) : createdAt,
      responsible_user_id: owner.id,
      group_id: 0,
      entity_id: target.entity_id,
      entity_type: target.entity_type,
      is_completed: completed,
      task_type_id: s.dice.chance(0.7) ? 1 : 2,
      text: s.dice.pick(TASK_TEXTS)[languageIndex(owner.lang)],
      duration: 0,
      complete_till: completeTill,
      result: completed ? { text: s.dice.pick(TASK_RESULTS)[languageIndex(owner.lang)] } : [],
      account_id: ACCOUNT_ID,
    };
    s.repo.insert(MODEL.tasks, task);
  }
}

function noteParams(s: Seeder, noteType: string, target: Target, id: number, author: UserDoc): Record<string, unknown> {
  const lang = languageIndex(author.lang);
  if (noteType === 'common') return { text: s.dice.pick(NOTE_TEXTS)[lang] };
  if (noteType === 'service_message') return { service: ['Website form', 'Форма на сайте'][lang], text: FORM_MESSAGE[lang] };
  return {
    uniq: `sandbox-call-${id}`,
    duration: s.dice.int(30, 900),
    source: 'Sandbox telephony',
    link: `https://sandbox.amocrm.ru/calls/${id}.mp3`,
    phone: target.phone ?? phoneOf(s, 'RU'),
    call_result: s.dice.pick(CALL_RESULTS)[lang],
    call_status: 4,
  };
}

export function seedNotes(s: Seeder, users: UserDoc[], leads: LeadDoc[], contacts: ContactDoc[], companies: CompanyDoc[]): void {
  const types = ['common', 'common', 'common', 'call_in', 'call_out', 'common', 'service_message'] as const;
  for (let i = 0; i < NOTE_COUNT; i++) {
    const target = pickTarget(s, leads, contacts, companies);
    const author = s.dice.pick(users);
    const noteType = types[i % types.length];
    const id = s.repo.nextId('notes');
    const createdAt = target.created_at + s.dice.int(0, Math.max(0, s.now - target.created_at - 60));
    const note: NoteDoc = {
      id,
      entity_id: target.entity_id,
      entity_type: target.entity_type,
      created_by: author.id,
      updated_by: author.id,
      created_at: createdAt,
      updated_at: createdAt,
      responsible_user_id: author.id,
      group_id: 0,
      note_type: noteType,
      params: noteParams(s, noteType, target, id, author),
      account_id: ACCOUNT_ID,
    };
    s.repo.insert(MODEL.notes, note);
  }
}
