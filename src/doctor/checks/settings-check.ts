// The checks that need no CLI: the Node version, and the settings the server would run with.
import type { Settings } from '../../config.js';
import { shownStateLocation } from '../../state/state-location.js';
import type { Check } from '../check-types.js';

export const REQUIRED_NODE_MAJOR = 20;
/** Per-connector tool mode with more connectors than this gives a client 5 × n tools. */
const MANY_CONNECTORS = 6;

export function nodeCheck(version: string = process.versions.node): Check {
  const major = Number(version.split('.')[0]);
  if (Number.isFinite(major) && major >= REQUIRED_NODE_MAJOR) {
    return { id: 'node', title: 'Node', status: 'ok', summary: `v${version} (>= ${REQUIRED_NODE_MAJOR} required)` };
  }
  return {
    id: 'node',
    title: 'Node',
    status: 'fail',
    summary: `v${version} is too old: membrane-crm-mcp needs Node ${REQUIRED_NODE_MAJOR} or newer`,
    fix: `Install Node ${REQUIRED_NODE_MAJOR}+ (https://nodejs.org, or \`nvm install ${REQUIRED_NODE_MAJOR}\`) and make it the \`node\` your MCP client starts.`,
  };
}

const onOff = (b: boolean) => (b ? 'on' : 'off');

export function configCheck(settings: Settings): Check {
  const details: string[] = [];
  if (settings.config) details.push(`config file: ${settings.config}`);
  for (const [k, id] of Object.entries(settings.defaultConnections)) details.push(`default connection for ${k}: ${id}`);
  if (settings.allowActions.length) details.push(`allowed actions: ${settings.allowActions.join(', ')}`);
  if (settings.denyActions.length) details.push(`denied actions: ${settings.denyActions.join(', ')}`);
  if (settings.denyMethods.length) details.push(`denied proxy methods: ${settings.denyMethods.join(', ')}`);
  if (settings.cliCwd) details.push(`CLI working directory: ${settings.cliCwd}`);
  // Never the token itself: only whether one is set.
  if (settings.http !== undefined)
    details.push(
      `transport: Streamable HTTP on ${settings.host}:${settings.http || '<any free port>'} (${settings.httpAuth === 'membrane' ? "each caller's Membrane token" : settings.httpToken ? 'bearer token set' : 'no token'})`,
    );
  if (settings.state !== 'memory') details.push(`state store: ${shownStateLocation(settings.state)}`);
  const summary =
    `connectors ${settings.connectors.join(', ')}; tool mode ${settings.toolMode}; read-only ${onOff(settings.readOnly)}; ` +
    `confirm ${settings.confirm}; CLI timeout ${settings.cliTimeout} s`;
  const check: Check = { id: 'config', title: 'Settings', status: 'ok', summary, ...(details.length ? { details } : {}) };
  if (settings.toolMode === 'per-connector' && settings.connectors.length > MANY_CONNECTORS) {
    return {
      ...check,
      status: 'warn',
      summary: `${summary} (${settings.connectors.length * 5} tools)`,
      fix: `${settings.connectors.length} connectors in per-connector mode give ${settings.connectors.length * 5} tools, more than many clients handle well: add --tool-mode=shared (MEMBRANE_CRM_TOOL_MODE=shared) for five crm_* tools.`,
    };
  }
  return check;
}
