// Notes of leads, contacts and companies: `/api/v4/{entity_type}/notes[/{id}]` and
// `/api/v4/{entity_type}/{entity_id}/notes[/{id}]`. `params` is checked per `note_type`.
import type { HttpRequest, HttpResponse } from '../emulator-types.js';
import type { ApiContext } from './common.js';
import { readUserId } from './common.js';
import { MODEL } from './constants.js';
import type { FilterSpec } from './filters.js';
import { href, selfLink } from './hal.js';
import { hal, methodNotAllowed, notFound } from './responses.js';
import { listResponse } from './listing.js';
import type { EntityType, NoteDoc } from './model.js';
import type { Reader } from './validation.js';
import { createBatch, patchBatch, patchOne, type PatchTarget } from './writes.js';

/** Every note_type the API knows (AmoCRM SDK NoteFactory). */
export const NOTE_TYPES = [
  'common',
  'call_in',
  'call_out',
  'service_message',
  'extended_service_message',
  'message_cashier',
  'geolocation',
  'sms_in',
  'sms_out',
  'attachment',
  'amomail_message',
  'chat',
  'site_visit',
  'targeting_in',
  'targeting_out',
  'transaction',
  'invoice_paid',
  'zoom_meeting',
  'dropbox_attachment',
  'link_followed',
  'bill_paid',
  'ai_result',
] as const;

const ENTITY_NAMES: Record<EntityType, string> = { leads: 'Lead', contacts: 'Contact', companies: 'Company' };

const filters: FilterSpec<NoteDoc> = {
  id: { kind: 'int', get: (n) => n.id },
  entity_id: { kind: 'int', get: (n) => n.entity_id },
  note_type: { kind: 'string', get: (n) => n.note_type },
  updated_at: { kind: 'int', get: (n) => n.updated_at },
};

/** The note as the API shows it: `entity_type` is implied by the path, not a field. */
function render(note: NoteDoc): Record<string, unknown> {
  const { entity_type, ...fields } = note;
  return { ...fields, _links: selfLink(`/${entity_type}/notes/${note.id}`) };
}

function noteText(note: NoteDoc): string[] {
  return ['text', 'service', 'phone', 'call_result', 'address']
    .map((key) => note.params[key])
    .filter((v): v is string => typeof v === 'string');
}

/** Validates `params` for the note type; returns the params to store. */
function readParams(body: Reader, noteType: string): Record<string, unknown> | undefined {
  const params = body.object('params');
  if (!params) {
    body.issues.blank(body.path('params'));
    return undefined;
  }
  switch (noteType) {
    case 'common':
      params.requiredString('text');
      break;
    case 'call_in':
    case 'call_out':
      if (params.string('phone') === undefined && !params.has('phone')) params.issues.blank(params.path('phone'));
      params.requiredString('source');
      params.requiredInt('duration', { min: 0 });
      params.string('uniq');
      params.string('link');
      params.string('call_result');
      params.int('call_status');
      break;
    case 'service_message':
    case 'extended_service_message':
      params.requiredString('service');
      params.requiredString('text');
      break;
    case 'sms_in':
    case 'sms_out':
      params.requiredString('text');
      params.requiredString('phone');
      break;
    default:
      break;
  }
  return { ...params.obj };
}

function readNoteType(body: Reader, required: boolean): string | undefined {
  const noteType = required ? body.requiredString('note_type') : body.string('note_type');
  if (noteType !== undefined && !(NOTE_TYPES as readonly string[]).includes(noteType)) {
    body.issues.choice(body.path('note_type'));
    return undefined;
  }
  return noteType;
}

function prepareCreate(body: Reader, ctx: ApiContext, entityType: EntityType, pathEntityId?: number): () => NoteDoc {
  const { repo } = ctx;
  let entityId = pathEntityId;
  if (entityId === undefined) {
    entityId = body.requiredInt('entity_id');
    if (entityId !== undefined && !repo.has(entityType, entityId)) body.issues.choice(body.path('entity_id'));
  }
  const noteType = readNoteType(body, true);
  const params = noteType === undefined ? undefined : readParams(body, noteType);
  const responsible = readUserId(body, 'responsible_user_id', repo);
  const createdBy = readUserId(body, 'created_by', repo);
  return () => {
    const id = repo.nextId('notes');
    const author = createdBy ?? ctx.userId;
    const stored = { ...(params ?? {}) };
    // Calls carry a unique call id; generate one when the client did not.
    if ((noteType === 'call_in' || noteType === 'call_out') && typeof stored.uniq !== 'string') stored.uniq = `sandbox-call-${id}`;
    return {
      id,
      entity_id: entityId ?? 0,
      entity_type: entityType,
      created_by: author,
      updated_by: author,
      created_at: ctx.now,
      updated_at: ctx.now,
      responsible_user_id: responsible ?? author,
      group_id: 0,
      note_type: noteType ?? 'common',
      params: stored,
      account_id: repo.account().id,
    };
  };
}

function preparePatch(note: NoteDoc, body: Reader, ctx: ApiContext): () => NoteDoc {
  const noteType = readNoteType(body, false) ?? note.note_type;
  const params = body.has('params') || noteType !== note.note_type ? readParams(body, noteType) : undefined;
  const responsible = readUserId(body, 'responsible_user_id', ctx.repo);
  return () => ({
    ...note,
    note_type: noteType,
    params: params ?? note.params,
    responsible_user_id: responsible ?? note.responsible_user_id,
    updated_by: ctx.userId,
    updated_at: ctx.now,
  });
}

function patchTarget(ctx: ApiContext, entityType: EntityType, entityId?: number): PatchTarget<NoteDoc> {
  return {
    find: (id) => {
      const note = ctx.repo.get(MODEL.notes, id);
      return note && note.entity_type === entityType && (entityId === undefined || note.entity_id === entityId) ? note : undefined;
    },
    prepare: (note, body) => preparePatch(note, body, ctx),
    save: (note) => ctx.repo.update(MODEL.notes, note),
    item: (note) => ({ id: note.id, updated_at: note.updated_at, _links: selfLink(`/${entityType}/notes/${note.id}`) }),
  };
}

function listNotes(req: HttpRequest, ctx: ApiContext, entityType: EntityType, path: string, entityId?: number): HttpResponse {
  const docs = ctx.repo
    .all(MODEL.notes)
    .filter((n) => n.entity_type === entityType && (entityId === undefined || n.entity_id === entityId));
  return listResponse(req, { path, key: 'notes', docs, filters, orderFields: ['updated_at', 'id'], searchTexts: noteText, render });
}

function createNotes(req: HttpRequest, ctx: ApiContext, entityType: EntityType, path: string, entityId?: number): HttpResponse {
  return ctx.repo.store.transaction(() =>
    createBatch({
      body: req.body,
      path,
      key: 'notes',
      prepare: (body) => prepareCreate(body, ctx, entityType, entityId),
      insert: (note) => ctx.repo.insert(MODEL.notes, note),
      item: (note) => ({ id: note.id, entity_id: note.entity_id, _links: selfLink(`/${entityType}/notes/${note.id}`) }),
      selfHref: href(path),
    }),
  );
}

/** `/api/v4/{et}/notes` and `/api/v4/{et}/notes/{id}`. */
export function handleNotesOfType(req: HttpRequest, ctx: ApiContext, entityType: EntityType, noteId?: number): HttpResponse {
  const path = `/${entityType}/notes`;
  if (noteId !== undefined) {
    if (req.method !== 'GET') return methodNotAllowed();
    const note = patchTarget(ctx, entityType).find(noteId);
    return note ? hal(render(note)) : notFound('Note not found');
  }
  if (req.method === 'GET') return listNotes(req, ctx, entityType, path);
  if (req.method === 'POST') return createNotes(req, ctx, entityType, path);
  if (req.method === 'PATCH')
    return ctx.repo.store.transaction(() => patchBatch(req.body, 'notes', href(path), patchTarget(ctx, entityType)));
  return methodNotAllowed();
}

/** `/api/v4/{et}/{entity_id}/notes` and `/api/v4/{et}/{entity_id}/notes/{id}`. A missing parent entity is a 404. */
export function handleNotesOfEntity(
  req: HttpRequest,
  ctx: ApiContext,
  entityType: EntityType,
  entityId: number,
  noteId?: number,
): HttpResponse {
  if (!ctx.repo.has(entityType, entityId)) return notFound(`${ENTITY_NAMES[entityType]} not found`);
  const path = `/${entityType}/${entityId}/notes`;
  const target = patchTarget(ctx, entityType, entityId);
  if (noteId !== undefined) {
    if (req.method === 'GET') {
      const note = target.find(noteId);
      return note ? hal(render(note)) : notFound('Note not found');
    }
    if (req.method === 'PATCH') return ctx.repo.store.transaction(() => patchOne(req.body, noteId, 'Note not found', target));
    return methodNotAllowed();
  }
  if (req.method === 'GET') return listNotes(req, ctx, entityType, path, entityId);
  if (req.method === 'POST') return createNotes(req, ctx, entityType, path, entityId);
  return methodNotAllowed();
}
