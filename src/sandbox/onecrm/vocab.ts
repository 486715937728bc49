// Vocabulary for intent search and `action create`: one entity per emulated model, plus the parts of the
// 1CRM overview (M-skills) the sandbox does not emulate, so a request for them fails with a precise reason
// instead of matching something else.
import type { BuildResult, EntityVocab, Operation } from '../emulator-types.js';
import { defaultDescription, defaultName, makeAction, operationsFor } from './action-factories.js';
import { modelByEntity, modelByName, MODELS, type ModelDef } from './models.js';

interface NotEmulated {
  id: string;
  name: string;
  words: string[];
  reason: string;
}

const NOT_EMULATED: NotEmulated[] = [
  {
    id: 'dashboard',
    name: 'Dashboard',
    words: ['dashboard', 'dashlet', 'widget'],
    reason: 'Dashboards are part of the 1CRM user interface, not a data model of the REST API, so the sandbox has no Dashboard to act on.',
  },
  {
    id: 'mass-update',
    name: 'Mass Update',
    words: ['mass update', 'bulk update', 'bulk edit'],
    reason:
      'Mass Update is a 1CRM user-interface feature with no REST endpoint; the sandbox does not emulate it. ' +
      'Update records one at a time with the update-<entity> actions.',
  },
  {
    id: 'report',
    name: 'Report',
    words: ['report', 'chart', 'analytics'],
    reason: 'Reports are not emulated by the 1CRM sandbox; list records with filters instead.',
  },
  {
    id: 'target-list',
    name: 'Target List',
    words: ['target list', 'prospect list', 'mailing list'],
    reason: 'Target Lists are not emulated by the 1CRM sandbox (their model name, perhaps ProspectList, is not verified).',
  },
  {
    id: 'sales-order',
    name: 'Sales Order',
    words: ['sales order', 'order'],
    reason: 'SalesOrder is a real 1CRM model, but the sandbox does not emulate it; Quote and Invoice are emulated.',
  },
  {
    id: 'payment',
    name: 'Payment',
    words: ['payment', 'receipt'],
    reason: 'Payment is a real 1CRM model, but the sandbox does not emulate it; Invoice amount_due is editable instead.',
  },
  {
    id: 'expense',
    name: 'Expense',
    words: ['expense', 'expense report'],
    reason: 'Expenses are not emulated by the 1CRM sandbox (the model name is not verified).',
  },
  {
    id: 'event',
    name: 'Event',
    words: ['event', 'webinar', 'seminar'],
    reason: '1CRM Events (registrations and sessions) are not emulated by the sandbox; use Meeting for a calendar appointment.',
  },
];

export const ENTITIES: EntityVocab[] = [
  ...MODELS.map((m) => ({ id: m.entity, name: m.label, words: m.words, operations: operationsFor(m) })),
  ...NOT_EMULATED.map((n) => ({ id: n.id, name: n.name, words: n.words, operations: [] as Operation[] })),
];

const EMULATED_LIST = MODELS.map((m) => `${m.label} (${m.name})`).join(', ');

/** Entity id, model name, or one of the words, case-insensitively. */
function resolveModel(entity: string): ModelDef | undefined {
  const e = entity.trim().toLowerCase();
  return (
    modelByEntity(e) ??
    modelByName(entity.trim()) ??
    MODELS.find((m) => m.name.toLowerCase() === e || m.label.toLowerCase() === e || m.words.includes(e))
  );
}

export function buildAction(operation: Operation, entity: string, name: string, description: string): BuildResult {
  const model = resolveModel(entity);
  if (!model) {
    const e = entity.trim().toLowerCase();
    const known = NOT_EMULATED.find((n) => n.id === e || n.words.includes(e));
    return {
      ok: false,
      reason: known?.reason ?? `The 1CRM sandbox does not emulate "${entity}". Emulated models: ${EMULATED_LIST}.`,
    };
  }
  const operations = operationsFor(model);
  if (!operations.includes(operation)) {
    const hint =
      operation === 'complete'
        ? `only ${MODELS.filter((m) => m.completeWith)
            .map((m) => m.label)
            .join(', ')} can be completed; use update instead`
        : operation === 'add-note'
          ? `notes can be added to ${MODELS.filter((m) => operationsFor(m).includes('add-note'))
              .map((m) => m.label)
              .join(', ')}`
          : `supported: ${operations.join(', ')}`;
    return { ok: false, reason: `Cannot build "${operation}" for 1CRM ${model.label}: ${hint}.` };
  }
  return {
    ok: true,
    action: makeAction(operation, model, {
      key: `custom-${operation}-${model.entity}`,
      name: name.trim() || defaultName(operation, model),
      description: description.trim() || defaultDescription(operation, model),
    }),
  };
}
