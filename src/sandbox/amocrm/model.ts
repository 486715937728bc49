// Stored shapes of AmoCRM records. They follow the API's read shape (snake_case, unix seconds)
// minus `_links`, which are derived at render time; relations live in `_embedded` as id lists.

export type EntityType = 'leads' | 'contacts' | 'companies';
export type TaskEntityType = EntityType | 'customers';

export interface EnumValue {
  id: number;
  value: string;
  sort: number;
}

export interface CustomFieldDef {
  id: number;
  name: string;
  type: string;
  account_id: number;
  code: string | null;
  sort: number;
  is_api_only: boolean;
  enums: EnumValue[] | null;
  group_id: string | null;
  required_statuses: { status_id: number; pipeline_id: number }[];
  is_deletable: boolean;
  is_predefined: boolean;
  entity_type: EntityType;
  remind: string | null;
  currency: string | null;
  hidden_statuses: { status_id: number; pipeline_id: number }[];
  chained_lists: null;
  search_in: string | null;
  tracking_callback: string | null;
}

export interface CustomFieldValueItem {
  value: string | number | boolean;
  enum_id?: number;
  enum_code?: string;
}

/** A custom field value on an entity, in the read shape. */
export interface CustomFieldValue {
  field_id: number;
  field_name: string;
  field_code: string | null;
  field_type: string;
  values: CustomFieldValueItem[];
}

export interface TagRef {
  id: number;
  name: string;
  color: string | null;
}

export interface TagDoc extends TagRef {
  entity_type: EntityType;
}

export interface IdRef {
  id: number;
}

export interface ContactLink {
  id: number;
  is_main: boolean;
}

interface Timestamps {
  created_by: number;
  updated_by: number;
  created_at: number;
  updated_at: number;
}

export interface LeadDoc extends Timestamps {
  id: number;
  name: string | null;
  price: number | null;
  responsible_user_id: number;
  group_id: number;
  status_id: number;
  pipeline_id: number;
  loss_reason_id: number | null;
  closed_at: number | null;
  is_deleted: boolean;
  custom_fields_values: CustomFieldValue[] | null;
  score: number | null;
  account_id: number;
  labor_cost: number | null;
  _embedded: { tags: TagRef[]; companies: IdRef[]; contacts: ContactLink[] };
}

export interface ContactDoc extends Timestamps {
  id: number;
  name: string;
  first_name: string;
  last_name: string;
  responsible_user_id: number;
  group_id: number;
  is_deleted: boolean;
  is_unsorted: boolean;
  custom_fields_values: CustomFieldValue[] | null;
  account_id: number;
  _embedded: { tags: TagRef[]; companies: IdRef[] };
}

export interface CompanyDoc extends Timestamps {
  id: number;
  name: string;
  responsible_user_id: number;
  group_id: number;
  is_deleted: boolean;
  custom_fields_values: CustomFieldValue[] | null;
  account_id: number;
  _embedded: { tags: TagRef[] };
}

/** AmoCRM answers `result: []` for a task that has no result yet (PHP empty array), `{text}` otherwise. */
export type TaskResult = { text: string } | [];

export interface TaskDoc extends Timestamps {
  id: number;
  responsible_user_id: number;
  group_id: number;
  entity_id: number | null;
  entity_type: TaskEntityType | null;
  is_completed: boolean;
  task_type_id: number;
  text: string;
  duration: number;
  complete_till: number;
  result: TaskResult;
  account_id: number;
}

export interface NoteDoc extends Timestamps {
  id: number;
  entity_id: number;
  /** Kept for routing (`/api/v4/{entity_type}/notes`); not part of the API's note object. */
  entity_type: EntityType;
  responsible_user_id: number;
  group_id: number;
  note_type: string;
  params: Record<string, unknown>;
  account_id: number;
}

export interface StatusDoc {
  id: number;
  name: string;
  sort: number;
  is_editable: boolean;
  pipeline_id: number;
  color: string;
  type: number;
  account_id: number;
}

export interface PipelineDoc {
  id: number;
  name: string;
  sort: number;
  is_main: boolean;
  is_unsorted_on: boolean;
  is_archive: boolean;
  account_id: number;
  statuses: StatusDoc[];
}

export type RightLevel = 'A' | 'G' | 'M' | 'D';

export interface EntityRights {
  view: RightLevel;
  edit: RightLevel;
  add: RightLevel;
  delete: RightLevel;
  export: RightLevel;
}

export interface UserDoc {
  id: number;
  name: string;
  email: string;
  lang: 'ru' | 'en' | 'es';
  rights: {
    leads: EntityRights;
    contacts: EntityRights;
    companies: EntityRights;
    tasks: { edit: RightLevel; delete: RightLevel };
    mail_access: boolean;
    catalog_access: boolean;
    files_access: boolean;
    status_rights: {
      entity_type: 'leads';
      pipeline_id: number;
      status_id: number;
      rights: { view: RightLevel; edit: RightLevel; delete: RightLevel };
    }[];
    is_admin: boolean;
    is_free: boolean;
    is_active: boolean;
    group_id: number | null;
    role_id: number | null;
  };
  /** Shown under `_embedded` with `with=role` / `with=group`. */
  role: { id: number; name: string } | null;
  group: { id: number; name: string };
}

export interface AccountDoc {
  id: number;
  name: string;
  subdomain: string;
  created_at: number;
  created_by: number;
  updated_at: number;
  updated_by: number;
  current_user_id: number;
  country: string;
  currency: string;
  currency_symbol: string;
  customers_mode: string;
  is_unsorted_on: boolean;
  is_loss_reason_enabled: boolean;
  is_helpbot_enabled: boolean;
  is_technical_account: boolean;
  contact_name_display_order: number;
  amojo_id: string;
  version: number;
  users_groups: { id: number; name: string; uuid: string | null }[];
}
