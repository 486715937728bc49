// The doctor's two outputs: a compact human report (marks, "To fix:", client configuration) and one JSON
// object for scripts.
import { SERVER_NAME, type ClientConfigs, type LaunchSpec } from './client-config.js';
import type { CheckResults } from './run-checks.js';
import type { Check, CheckStatus } from './check-types.js';

export interface DoctorReport extends CheckResults {
  version: string;
  exitCode: number;
  launch: LaunchSpec;
  clientConfigs: ClientConfigs;
  /** Hints about the client configuration (a CLI found only on this shell's PATH…). */
  notes: string[];
}

const MARK: Record<CheckStatus, string> = { ok: '✓', warn: '!', fail: '✗', skip: '-' };

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

export function verdict(checks: readonly Check[]): string {
  const fails = checks.filter((c) => c.status === 'fail').length;
  const warns = checks.filter((c) => c.status === 'warn').length;
  if (fails)
    return `✗ Not usable: ${plural(fails, 'problem')} to fix${warns ? ` and ${plural(warns, 'warning')}` : ''} (below), then run doctor again.`;
  if (warns) return `! Usable, with ${plural(warns, 'warning')} (below).`;
  return '✓ Ready to use: no problems found.';
}

export function renderHuman(r: DoctorReport): string {
  const width = Math.max(...r.checks.map((c) => c.title.length)) + 2;
  // Details sit two columns in from the summary (which starts after "  ✓ ", the title and a space).
  const indent = ' '.repeat(4 + width + 1 + 2);
  const out: string[] = [`membrane-crm-mcp doctor ${r.version}`, ''];
  for (const c of r.checks) {
    out.push(`  ${MARK[c.status]} ${c.title.padEnd(width)} ${c.summary}`);
    for (const d of c.details ?? []) out.push(`${indent}${d}`);
  }
  out.push('', verdict(r.checks));
  const todo = r.checks.filter((c) => (c.status === 'fail' || c.status === 'warn') && c.fix);
  if (todo.length) {
    out.push('', 'To fix:');
    // Failures first: they block use.
    for (const c of [...todo.filter((t) => t.status === 'fail'), ...todo.filter((t) => t.status === 'warn')])
      out.push(`  ${MARK[c.status]} ${c.title}: ${c.fix}`);
  }
  const env = Object.entries(r.launch.env).map(([k, v]) => `${k}=${v}`);
  const passed = r.launch.passEnv.length ? `, passing on ${r.launch.passEnv.join(', ')} from the client's environment` : '';
  const codexAdds = [`tool_timeout_sec = ${r.clientConfigs.codex.toolTimeoutSec}`];
  if (r.launch.passEnv.length) codexAdds.push(`env_vars = [${r.launch.passEnv.map((n) => JSON.stringify(n)).join(', ')}]`);
  out.push(
    '',
    `Client configuration: starts \`${[r.launch.command, ...r.launch.args].join(' ')}\`${env.length ? ` with ${env.join(' ')}` : ' with no extra settings'}${passed}`,
    ...r.notes.map((n) => `Note: ${n}`),
    '',
    'Claude Code: .mcp.json in a project',
    r.clientConfigs.claudeCode.mcpJson,
    `Or for ${r.launch.passEnv.length ? 'this project (it writes .mcp.json, where Claude Code expands ${NAME})' : 'every project'}: ${r.clientConfigs.claudeCode.addCommand}`,
    '',
    'Codex: ~/.codex/config.toml',
    r.clientConfigs.codex.toml,
    `Or run: ${r.clientConfigs.codex.addCommand}`,
    `  (it cannot set ${r.launch.passEnv.length ? 'timeouts or env_vars' : 'timeouts'}: add ${codexAdds.join(' and ')} to the [mcp_servers.${SERVER_NAME}] table it writes)`,
    '',
    'Cursor: ~/.cursor/mcp.json (all projects) or .cursor/mcp.json (this project)',
    r.clientConfigs.cursor.mcpJson,
  );
  return `${out.join('\n')}\n`;
}

export function renderJson(r: DoctorReport): string {
  const doc = {
    ok: r.exitCode === 0,
    exitCode: r.exitCode,
    version: r.version,
    checks: r.checks.map((c) => ({
      id: c.id,
      title: c.title,
      status: c.status,
      summary: c.summary,
      ...(c.fix ? { fix: c.fix } : {}),
      ...(c.details ? { details: c.details } : {}),
    })),
    backend: r.backend ?? null,
    cli: r.cli ?? null,
    api: r.api ?? null,
    connections: r.connections,
    latencyMs: r.latencyMs ?? null,
    latencySource: r.latencySource ?? null,
    launch: r.launch,
    clientConfigs: r.clientConfigs,
    notes: r.notes,
  };
  return `${JSON.stringify(doc, null, 2)}\n`;
}
