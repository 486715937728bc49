// stdout of the server is protocol only, on both sandbox backends: every line it writes during a session full of
// successes and errors is a JSON-RPC 2.0 message — including when the sandbox prints noise or garbage (the CLI on
// its stdout and stderr, the API's child on its stderr, a gateway's HTML page instead of the API).
import { afterAll, describe, expect, it } from 'vitest';
import { BACKENDS } from '../helpers/backends.js';
import { RawSession } from '../helpers/raw.js';
import { tempDb } from '../helpers/sandbox.js';

const dbs: { cleanup: () => void }[] = [];
afterAll(() => dbs.forEach((d) => d.cleanup()));

describe.each(BACKENDS)('stdout carries only JSON-RPC on $name', (backend) => {
  async function session(env: Record<string, string> = {}): Promise<RawSession> {
    const db = tempDb('stdout-');
    dbs.push(db);
    const s = RawSession.start({ db: db.path, backend, env: { MEMBRANE_CRM_LOG_LEVEL: 'debug', ...env } });
    await s.initialize();
    return s;
  }

  it('through successes, tool errors, protocol errors and logging', async () => {
    const s = await session();
    await s.request('logging/setLevel', { level: 'debug' });
    const list = await s.request('tools/list');
    expect((list.result?.tools as unknown[]).length).toBe(10);
    const answers = await Promise.all([
      s.callTool('onecrm_list_connections', {}),
      s.callTool('onecrm_search_actions', { intent: 'create an account' }),
      s.callTool('onecrm_run_action', { actionId: 'create-account', input: { name: 'Stdout Ltd' } }),
      s.callTool('onecrm_run_action', { actionId: 'create-account', input: { bogus: true } }),
      s.callTool('onecrm_run_action', { actionId: 'no-such-action' }),
      s.callTool('onecrm_proxy_request', { path: 'https://evil.example/x' }),
      s.callTool('onecrm_proxy_request', { path: '/data/Nope' }),
      s.callTool('onecrm_search_actions', { limit: 'many' }),
      s.callTool('no_such_tool', {}),
      s.request('no/such/method'),
      s.request('ping'),
    ]);
    expect(answers).toHaveLength(11);
    const codes = answers.slice(3, 8).map((a) => (a.result?.structuredContent as { error?: { code: string } })?.error?.code);
    expect(codes).toEqual(['INVALID_INPUT', 'NOT_FOUND', 'INVALID_INPUT', 'UPSTREAM_ERROR', 'INVALID_INPUT']);
    expect(answers[9].error?.code).toBe(-32601);
    const exit = await s.close();
    expect(exit.code).toBe(0);
    expect(s.badLines).toEqual([]);
    expect(s.lines.length).toBeGreaterThanOrEqual(13);
    // Debug logging was requested, so some notifications/message went out — still JSON-RPC.
    expect(s.notifications.some((n) => n.method === 'notifications/message')).toBe(true);
  });

  it('when the sandbox writes noise to stderr and garbage where JSON belongs', async () => {
    for (const fault of ['stderr-noise', 'garbage']) {
      const s = await session({ MEMBRANE_SANDBOX_FAULT: fault });
      const r = await s.callTool('onecrm_list_connections', {});
      expect(r.result).toBeDefined();
      await s.close();
      expect(s.badLines, fault).toEqual([]);
      // Nothing the sandbox printed reached our stdout.
      expect(s.lines.join('\n')).not.toMatch(/sbx_secret_/);
    }
  });
});
