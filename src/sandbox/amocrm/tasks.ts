// Tasks: fields, filters and write rules of `/api/v4/tasks`. `text` and `complete_till` are
// required on create; completing a task is a PATCH with `is_completed: true` and `result.text`.
import type { HttpRequest } from '../emulator-types.js';
import { type CollectionSpec, auditedWrites } from './collection.js';
import type { ApiContext } from './common.js';
import { TASK_TYPES } from './constants.js';
import type { FilterSpec } from './filters.js';
import { selfLink } from './hal.js';
import { requestProblem } from './responses.js';
import type { TaskDoc, TaskEntityType, TaskResult } from './model.js';
import { parseQuery, subtree } from './query.js';
import type { Reader } from './validation.js';

const TASK_ENTITY_TYPES: readonly TaskEntityType[] = ['leads', 'contacts', 'companies', 'customers'];

const filters: FilterSpec<TaskDoc> = {
  id: { kind: 'int', get: (t) => t.id },
  created_by: { kind: 'int', get: (t) => t.created_by },
  responsible_user_id: { kind: 'int', get: (t) => t.responsible_user_id },
  is_completed: { kind: 'bool', get: (t) => t.is_completed },
  task_type_id: { kind: 'int', get: (t) => t.task_type_id },
  // Legacy name of task_type_id, still accepted by the API.
  task_type: { kind: 'int', get: (t) => t.task_type_id },
  entity_type: { kind: 'string', get: (t) => t.entity_type },
  entity_id: { kind: 'int', get: (t) => t.entity_id },
  created_at: { kind: 'int', get: (t) => t.created_at },
  updated_at: { kind: 'int', get: (t) => t.updated_at },
  complete_till: { kind: 'int', get: (t) => t.complete_till },
};

/** `filter[entity_id]` is only meaningful together with `filter[entity_type]` (AmoCRM docs). */
function checkListQuery(req: HttpRequest) {
  const filter = subtree(parseQuery(req.query).filter);
  if (filter && filter.entity_id !== undefined && filter.entity_type === undefined) {
    return requestProblem('NotBlank', 'filter.entity_type', 'filter[entity_type] is required together with filter[entity_id].');
  }
  return undefined;
}

function render(task: TaskDoc): Record<string, unknown> {
  return { ...task, _links: selfLink(`/tasks/${task.id}`) };
}

function readEntityLink(
  body: Reader,
  ctx: ApiContext,
  current?: TaskDoc,
): { entity_type: TaskEntityType | null; entity_id: number | null } | undefined {
  const typeRaw = body.string('entity_type');
  const idRaw = body.nullableInt('entity_id');
  if (typeRaw === undefined && idRaw === undefined) return undefined;
  let entityType: TaskEntityType | null = current?.entity_type ?? null;
  if (typeRaw !== undefined) {
    if (!(TASK_ENTITY_TYPES as readonly string[]).includes(typeRaw)) {
      body.issues.choice(body.path('entity_type'));
      return undefined;
    }
    entityType = typeRaw as TaskEntityType;
  }
  const entityId = idRaw !== undefined ? idRaw : (current?.entity_id ?? null);
  if (entityId === null) return { entity_type: null, entity_id: null };
  if (entityType === null) {
    body.issues.blank(body.path('entity_type'));
    return undefined;
  }
  // Customers are not emulated, so no customer id exists.
  if (entityType === 'customers' || !ctx.repo.has(entityType, entityId)) {
    body.issues.choice(body.path('entity_id'));
    return undefined;
  }
  return { entity_type: entityType, entity_id: entityId };
}

function readTaskWrite(body: Reader, ctx: ApiContext, current?: TaskDoc): (task: TaskDoc) => TaskDoc {
  const text = current ? body.string('text', { nonEmpty: true }) : body.requiredString('text');
  const completeTill = current ? body.int('complete_till', { min: 0 }) : body.requiredInt('complete_till', { min: 0 });
  const taskTypeId = body.int('task_type_id');
  if (taskTypeId !== undefined && !TASK_TYPES.some((t) => t.id === taskTypeId)) body.issues.choice(body.path('task_type_id'));
  const duration = body.int('duration', { min: 0 });
  const isCompleted = body.bool('is_completed');
  const resultReader = body.object('result');
  const resultText = resultReader?.string('text');
  const link = readEntityLink(body, ctx, current);
  return (task) => {
    let result: TaskResult = task.result;
    if (resultText !== undefined) result = { text: resultText };
    return {
      ...task,
      text: text ?? task.text,
      complete_till: completeTill ?? task.complete_till,
      task_type_id: taskTypeId ?? task.task_type_id,
      duration: duration ?? task.duration,
      is_completed: isCompleted ?? task.is_completed,
      result,
      ...(link ?? {}),
    };
  };
}

export const tasks: CollectionSpec<'tasks'> = {
  key: 'tasks',
  notFound: 'Task not found',
  orderFields: ['created_at', 'complete_till', 'id'],
  filters,
  // The real API has no `query` for tasks; the sandbox searches text and result so search-tasks can go through REST.
  searchTexts: (t) => [t.text, Array.isArray(t.result) ? undefined : t.result.text],
  render,
  checkListQuery,
  ...auditedWrites('tasks', readTaskWrite, (r) => ({
    id: r.id,
    ...r.audit,
    group_id: 0,
    entity_id: null,
    entity_type: null,
    is_completed: false,
    task_type_id: 1,
    text: '',
    duration: 0,
    complete_till: 0,
    result: [],
    account_id: r.accountId,
  })),
};
