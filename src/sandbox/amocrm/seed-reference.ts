// Seed of the account's reference data: users, the account, pipelines with their stages,
// custom field definitions and tags.
import { ACCOUNT_ID, MODEL, STATUS_LOST, STATUS_TYPE_UNSORTED, STATUS_WON } from './constants.js';
import type {
  CustomFieldDef,
  CustomFieldValue,
  CustomFieldValueItem,
  EntityRights,
  EntityType,
  PipelineDoc,
  StatusDoc,
  TagRef,
  UserDoc,
} from './model.js';
import { CLOSED_STAGE_NAMES, LEAD_SOURCES, PIPELINES, TAGS, USERS } from './seed-data.js';
import { DAY, type Seeder } from './seed-kit.js';

function fullRights(level: 'A' | 'M'): EntityRights {
  return { view: level, edit: level, add: 'A', delete: level === 'A' ? 'A' : 'D', export: level === 'A' ? 'A' : 'D' };
}

export function seedUsers(s: Seeder): UserDoc[] {
  return USERS.map((u) => {
    const level = u.admin ? 'A' : 'M';
    const user: UserDoc = {
      id: s.repo.nextId('users'),
      name: u.name,
      email: u.email,
      lang: u.lang,
      rights: {
        leads: fullRights(level),
        contacts: fullRights(level),
        companies: fullRights(level),
        tasks: { edit: 'A', delete: u.admin ? 'A' : 'D' },
        mail_access: true,
        catalog_access: u.admin,
        files_access: true,
        status_rights: [],
        is_admin: u.admin,
        is_free: false,
        is_active: true,
        group_id: null,
        role_id: u.admin ? null : 1,
      },
      role: u.admin ? null : { id: 1, name: 'Sales manager' },
      group: { id: 0, name: 'Sales department' },
    };
    s.repo.insert(MODEL.users, user);
    return user;
  });
}

export function seedAccount(s: Seeder, owner: UserDoc): void {
  const createdAt = s.now - 400 * DAY;
  s.repo.insert(MODEL.account, {
    id: ACCOUNT_ID,
    name: 'Sandbox Trading Co.',
    subdomain: 'sandbox',
    created_at: createdAt,
    created_by: owner.id,
    updated_at: createdAt + 30 * DAY,
    updated_by: owner.id,
    current_user_id: owner.id,
    country: 'RU',
    currency: 'RUB',
    currency_symbol: '₽',
    customers_mode: 'disabled',
    is_unsorted_on: true,
    is_loss_reason_enabled: true,
    is_helpbot_enabled: false,
    is_technical_account: false,
    contact_name_display_order: 1,
    amojo_id: 'c0ffee00-5a4d-4b0c-8e11-29871234abcd',
    version: 11,
    users_groups: [{ id: 0, name: 'Sales department', uuid: null }],
  });
}

// ---------- pipelines ----------

export function seedPipelines(s: Seeder): PipelineDoc[] {
  return PIPELINES.map((p, index) => {
    const id = s.repo.nextId('pipelines');
    const statuses: StatusDoc[] = p.stages.map((stage, i) => ({
      id: s.repo.nextId('statuses'),
      name: stage.name,
      sort: (i + 1) * 10,
      // The incoming stage cannot be edited in AmoCRM; normal stages can.
      is_editable: stage.type !== STATUS_TYPE_UNSORTED,
      pipeline_id: id,
      color: stage.color,
      type: stage.type,
      account_id: ACCOUNT_ID,
    }));
    statuses.push(
      {
        id: STATUS_WON,
        name: CLOSED_STAGE_NAMES.won,
        sort: 10000,
        is_editable: false,
        pipeline_id: id,
        color: '#CCFF66',
        type: 0,
        account_id: ACCOUNT_ID,
      },
      {
        id: STATUS_LOST,
        name: CLOSED_STAGE_NAMES.lost,
        sort: 11000,
        is_editable: false,
        pipeline_id: id,
        color: '#D5D8DB',
        type: 0,
        account_id: ACCOUNT_ID,
      },
    );
    const pipeline: PipelineDoc = {
      id,
      name: p.name,
      sort: index + 1,
      is_main: index === 0,
      is_unsorted_on: true,
      is_archive: false,
      account_id: ACCOUNT_ID,
      statuses,
    };
    s.repo.insert(MODEL.pipelines, pipeline);
    return pipeline;
  });
}

// ---------- custom field definitions ----------

interface FieldSpec {
  name: string;
  type: string;
  code: string | null;
  enums?: readonly string[];
  predefined?: boolean;
}

function defineField(s: Seeder, entityType: EntityType, spec: FieldSpec, sort: number): CustomFieldDef {
  const def: CustomFieldDef = {
    id: s.repo.nextId('customFields'),
    name: spec.name,
    type: spec.type,
    account_id: ACCOUNT_ID,
    code: spec.code,
    sort,
    is_api_only: false,
    enums: spec.enums ? spec.enums.map((value, i) => ({ id: s.repo.nextId('enums'), value, sort: (i + 1) * 2 })) : null,
    group_id: null,
    required_statuses: [],
    is_deletable: !spec.predefined,
    is_predefined: spec.predefined ?? false,
    entity_type: entityType,
    remind: null,
    currency: null,
    hidden_statuses: [],
    chained_lists: null,
    search_in: null,
    tracking_callback: null,
  };
  s.repo.insert(MODEL.customFields, def);
  return def;
}

const PHONE_FIELD: FieldSpec = {
  name: 'Phone',
  type: 'multitext',
  code: 'PHONE',
  enums: ['WORK', 'WORKDD', 'MOB', 'FAX', 'HOME', 'OTHER'],
  predefined: true,
};
const EMAIL_FIELD: FieldSpec = { name: 'Email', type: 'multitext', code: 'EMAIL', enums: ['WORK', 'PRIV', 'OTHER'], predefined: true };

export type FieldsByCode = Record<string, CustomFieldDef>;

export function seedFieldDefinitions(s: Seeder): Record<EntityType, FieldsByCode> {
  const define = (entityType: EntityType, specs: FieldSpec[]): FieldsByCode =>
    Object.fromEntries(specs.map((spec, i) => [spec.code ?? spec.name, defineField(s, entityType, spec, (i + 1) * 2)]));
  return {
    contacts: define('contacts', [PHONE_FIELD, EMAIL_FIELD, { name: 'Position', type: 'text', code: 'POSITION', predefined: true }]),
    companies: define('companies', [
      PHONE_FIELD,
      EMAIL_FIELD,
      { name: 'Web', type: 'url', code: 'WEB', predefined: true },
      { name: 'Address', type: 'textarea', code: 'ADDRESS', predefined: true },
    ]),
    leads: define('leads', [
      { name: 'Source', type: 'select', code: null, enums: LEAD_SOURCES },
      { name: 'Budget approved', type: 'checkbox', code: null },
    ]),
  };
}

export function fieldValue(def: CustomFieldDef, values: CustomFieldValueItem[]): CustomFieldValue {
  return { field_id: def.id, field_name: def.name, field_code: def.code, field_type: def.type, values };
}

export function multitextItem(def: CustomFieldDef, value: string, enumCode: string): CustomFieldValueItem {
  const option = (def.enums ?? []).find((e) => e.value === enumCode);
  if (!option) throw new Error(`seed: no enum ${enumCode} on ${def.name}`);
  return { value, enum_id: option.id, enum_code: option.value };
}

// ---------- tags ----------

export function seedTags(s: Seeder): Record<EntityType, TagRef[]> {
  const make = (entityType: EntityType, names: readonly string[]): TagRef[] =>
    names.map((name) => {
      const tag = { id: s.repo.nextId('tags'), name, color: null, entity_type: entityType };
      s.repo.insert(MODEL.tags, tag);
      return { id: tag.id, name: tag.name, color: tag.color };
    });
  return { leads: make('leads', TAGS.leads), contacts: make('contacts', TAGS.contacts), companies: make('companies', TAGS.companies) };
}
