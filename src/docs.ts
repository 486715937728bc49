// What scripts/gen-docs.mjs reads to write the README's tables (a bundle entry of its own, dist/docs.js),
// so the docs are generated from the same code that runs.
export { SETTINGS, SettingsSchema } from './config.js';
export { ERROR_CODES } from './errors.js';
export { connectorFor } from './connectors.js';
export { planTools } from './tools/registry.js';
export { listedSchema } from './tools/argument-schemas.js';
export { workflowPrompts } from './prompts/workflow-prompts.js';
export { resourceTemplates } from './resources/resource-handlers.js';
