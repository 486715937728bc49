// A connection that needs the user (revoked or expired credentials), end to end over stdio on both sandbox
// backends (the connection's state and its page come from the sandbox, through either front). A client that
// can open pages (URL elicitation) is sent to the connect page; the call continues once the user is back
// (2026: an input_required round the client completes; 2025: the SDK's shim sends elicitation/create with
// mode "url" on the connection, the same path as the confirmation dialog). A client that cannot open pages
// gets CONNECTION_NEEDS_USER_ACTION with the uiUrl, as before. A resource read takes the same path.
import type { Client, ElicitRequest } from '@modelcontextprotocol/client';
import { afterAll, describe, expect, it } from 'vitest';
import { BACKENDS } from '../helpers/backends.js';
import { type Era, err, ok, serverPool, type StartOptions } from '../helpers/mcp.js';
import { runSandbox, seededConnectionIds } from '../helpers/sandbox.js';

const pool = serverPool();
afterAll(() => pool.closeAll());

type Asked = ElicitRequest['params'];

/** A browser stand-in: records what it was asked to open, lets `visit` do what the user does there, answers `answer`. */
function browser(asked: Asked[], answer: 'accept' | 'decline' | 'cancel', visit?: (url: string) => Promise<void>) {
  return (client: Client) =>
    client.setRequestHandler('elicitation/create', async (req) => {
      asked.push(req.params);
      if (req.params.mode === 'url' && visit) await visit(req.params.url);
      return { action: answer };
    });
}

async function disconnectedOneCrm(prefix: string): Promise<{ db: string; id: string }> {
  const db = pool.dir(prefix).path;
  const { onecrm } = await seededConnectionIds(db);
  expect((await runSandbox(['sandbox', 'disconnect', onecrm, '--json'], { db })).exitCode).toBe(0);
  return { db, id: onecrm };
}

/** What the user does on the connect page: reconnect the connection (the sandbox's connect command does the same). */
async function reconnect(db: string, id: string): Promise<void> {
  expect((await runSandbox(['connect', `--connectionId=${id}`, '--json'], { db })).exitCode).toBe(0);
}

/** A server on a disconnected 1CRM connection, to a client whose user reconnects it on the page it is sent to. */
async function reconnectingClient(opts: Pick<StartOptions, 'backend' | 'era' | 'capabilities'>, prefix: string) {
  const { db, id } = await disconnectedOneCrm(prefix);
  const asked: Asked[] = [];
  const s = await pool.start({ ...opts, db, setup: browser(asked, 'accept', () => reconnect(db, id)) });
  return { s, asked, id };
}

describe.each(BACKENDS)('connect pages on $name', (backend) => {
  describe.each<Era>(['legacy', 'modern'])('a %s client that can open pages', (era) => {
    it('is sent to the reconnect page; once the user reconnected there, the same call runs', async () => {
      const { s, asked, id } = await reconnectingClient(
        { backend, era, capabilities: { elicitation: { form: {}, url: {} } } },
        'url-elicit-',
      );
      const found = ok(await s.call('onecrm_search_actions', { intent: 'list accounts' }));
      expect(found.connectionId).toBe(id);
      expect((found.actions as { key: string }[])[0].key).toBe('list-accounts');
      expect(asked).toHaveLength(1);
      expect(asked[0]).toMatchObject({ mode: 'url', url: `https://sandbox.membrane.local/connections/${id}/reconnect` });
      expect(asked[0].message).toMatch(/1CRM connection .* sign in again/);
    });

    it('a resource read is sent to the same page, and reads once the user reconnected', async () => {
      const { s, asked, id } = await reconnectingClient({ backend, era, capabilities: { elicitation: { url: {} } } }, 'url-resource-');
      const read = await s.client.readResource({ uri: 'membrane://1crm/actions' });
      const catalog = JSON.parse((read.contents[0] as { text: string }).text) as { connectionId: string; actions: unknown[] };
      expect(catalog.connectionId).toBe(id);
      expect(catalog.actions.length).toBeGreaterThan(0);
      expect(asked).toHaveLength(1);
      expect(asked[0]).toMatchObject({ mode: 'url', url: `https://sandbox.membrane.local/connections/${id}/reconnect` });
    });

    it('a destructive call after the reconnect still asks for confirmation, in a round of its own, and runs once', async () => {
      const db = pool.dir('url-then-confirm-').path;
      const { onecrm: id } = await seededConnectionIds(db);
      const asked: Asked[] = [];
      const s = await pool.start({
        backend,
        era,
        db,
        capabilities: { elicitation: { form: {}, url: {} } },
        setup: (client) =>
          client.setRequestHandler('elicitation/create', async (req) => {
            asked.push(req.params);
            if (req.params.mode === 'url') {
              await reconnect(db, id);
              return { action: 'accept' };
            }
            return { action: 'accept', content: { confirm: true } };
          }),
      });
      const product = (
        ok(await s.call('onecrm_run_action', { actionId: 'create-product', input: { name: 'Reconnect then delete' } })).output as {
          id: string;
        }
      ).id;
      expect((await runSandbox(['sandbox', 'disconnect', id, '--json'], { db })).exitCode).toBe(0);
      const deleted = ok(await s.call('onecrm_run_action', { actionId: 'delete-product', input: { id: product } }));
      expect(deleted.output).toEqual({ id: product, deleted: true });
      expect(asked.map((a) => a.mode ?? 'form')).toEqual(['url', 'form']);
      expect(asked[1].message).toMatch(/^Allow this destructive call\?/);
    });

    it('a connection that stays broken (expired-connection fault): asked once, then the error with the page and the answer', async () => {
      const asked: Asked[] = [];
      const s = await pool.start({
        backend,
        era,
        env: { MEMBRANE_SANDBOX_FAULT: 'expired-connection' },
        capabilities: { elicitation: { url: {} } },
        setup: browser(asked, 'accept'),
      });
      const e = err(await s.call('amocrm_search_actions', { intent: 'create a lead' }));
      expect(e.code).toBe('CONNECTION_NEEDS_USER_ACTION');
      expect(e.message).toMatch(/sent to the connect page and finished there, but the connection is still not READY/);
      expect(e.uiUrl).toMatch(/^https:\/\/sandbox\.membrane\.local\/connections\/\w+\/reconnect$/);
      expect(e.details?.connectPage).toEqual({ url: e.uiUrl, answer: 'accept' });
      expect(asked).toHaveLength(1);
      expect(asked[0]).toMatchObject({ mode: 'url', url: e.uiUrl });
    });

    it('the user declines to open the page: the error says so, nothing else is asked', async () => {
      const { db } = await disconnectedOneCrm('url-decline-');
      const asked: Asked[] = [];
      const s = await pool.start({ backend, era, db, capabilities: { elicitation: { url: {} } }, setup: browser(asked, 'decline') });
      const e = err(await s.call('onecrm_run_action', { actionId: 'create-note', input: { name: 'After reconnect' } }));
      expect(e.code).toBe('CONNECTION_NEEDS_USER_ACTION');
      expect(e.message).toMatch(/declined to open it/);
      expect(asked).toHaveLength(1);
    });
  });

  describe.each<Era>(['legacy', 'modern'])('a %s client that cannot open pages', (era) => {
    it('gets CONNECTION_NEEDS_USER_ACTION with the uiUrl and is asked nothing', async () => {
      const { db, id } = await disconnectedOneCrm('no-url-');
      const asked: Asked[] = [];
      const s = await pool.start({ backend, era, db, capabilities: { elicitation: { form: {} } }, setup: browser(asked, 'accept') });
      const e = err(await s.call('onecrm_search_actions', { intent: 'list accounts' }));
      expect(e.code).toBe('CONNECTION_NEEDS_USER_ACTION');
      expect(e.uiUrl).toBe(`https://sandbox.membrane.local/connections/${id}/reconnect`);
      expect(e.details).not.toHaveProperty('connectPage');
      expect(asked).toEqual([]);
    });
  });
});
