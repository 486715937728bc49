// Scripted agent run: multi-step CRM tasks on both CRMs, each played as the calls a competent agent makes
// through the server (search → pick the card → run → read back), each checked against the sandbox store
// afterwards (the write really happened, the answer is the store's truth). Reports per task the tool calls
// made and the characters the agent read (every content block of every result, as the client hands it on).
//
// The agent is scripted, not a model: it picks cards by action key, remembers cards it has seen (no second
// search for an action it already knows), retries a search with a plainer intent when the card it needs is
// not among the results, pages a cut result with its resultId, and repeats a call with the confirm token
// when asked to. Task parameters (which stage, which user and week, which month) come from the store, so
// the same script runs on any build of the server and its sandbox: `agentTasks({ root })` with the root of
// a built checkout (its dist/index.js and dist/sandbox/cli.js).
import { Client } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const PREFIX = { amocrm: 'amocrm', '1crm': 'onecrm' };

/** Runs a command of the checkout's membrane-sandbox on the task database (not counted: this is the test's view of the store). */
function sandboxCommand(sandboxJs, db) {
  return (args) =>
    new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [sandboxJs, ...args], {
        env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', MEMBRANE_SANDBOX_DB: db },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      let err = '';
      child.stdout.on('data', (d) => (out += d));
      child.stderr.on('data', (d) => (err += d));
      child.on('error', reject);
      child.on('close', (code) =>
        code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`sandbox ${args.slice(0, 3).join(' ')}: exit ${code}: ${err || out}`)),
      );
    });
}

/** GET on the CRM API of a connection, straight from the sandbox store. */
function storeReader(run, ids) {
  return async (crm, path, query = {}) => {
    const q = Object.entries(query).map(([k, v]) => `--query=${k}=${v}`);
    const r = await run(['request', ids[crm], path, '--method=GET', ...q, '--json']);
    if (r.status >= 300) throw new Error(`store GET ${path}: HTTP ${r.status}`);
    return r.body;
  };
}

const charsOf = (result) =>
  (result.content ?? []).reduce((n, block) => n + (block.type === 'text' ? block.text.length : JSON.stringify(block).length), 0);

class Agent {
  constructor(client) {
    this.client = client;
    this.calls = 0;
    this.chars = 0;
    this.searches = 0;
    this.blind = 0;
    this.errors = [];
    /** Cards seen, by connector and key: the agent does not search again for an action it knows. */
    this.known = new Map();
  }

  async call(tool, args) {
    this.calls++;
    const r = await this.client.callTool({ name: tool, arguments: args }, { timeout: 120_000 });
    this.chars += charsOf(r);
    if (r.isError) {
      const code = r.structuredContent?.error?.code ?? String(r.content?.[0]?.text ?? '').split(':')[0];
      this.errors.push(code);
      return { error: code, result: r };
    }
    return { value: r.structuredContent, result: r };
  }

  /** The id of the action with `key`: known from an earlier card, else searched with each intent in turn. */
  async find(crm, intents, key) {
    const known = this.known.get(`${crm}|${key}`);
    if (known) return known;
    for (const intent of intents) {
      this.searches++;
      const { value } = await this.call(`${PREFIX[crm]}_search_actions`, { intent });
      for (const card of value?.actions ?? []) if (card.key) this.known.set(`${crm}|${card.key}`, card.id);
      const hit = this.known.get(`${crm}|${key}`);
      if (hit) return hit;
    }
    // None of the searches showed it: the agent goes on with the key (an agent would guess or ask).
    this.blind++;
    return key;
  }

  /**
   * Runs an action; a cut result is paged to the end when `all` (records merged), a confirmation is given
   * with the token. `fallback` is the input to try when the action refuses the first one (INVALID_INPUT).
   */
  async run(crm, actionId, input, { all = false, fallback } = {}) {
    const tool = `${PREFIX[crm]}_run_action`;
    let used = input;
    let r = await this.call(tool, { actionId, input });
    if (r.error === 'INVALID_INPUT' && fallback) {
      used = fallback;
      r = await this.call(tool, { actionId, input: used });
    }
    if (r.error === 'CONFIRMATION_REQUIRED') {
      const token = r.result.structuredContent.error.details.confirm;
      r = await this.call(tool, { actionId, input: used, confirm: token });
    }
    if (r.error) throw new Error(`${tool} ${actionId}: ${r.error}: ${r.result.content?.[0]?.text?.slice(0, 300)}`);
    let value = r.value;
    while (all && value.truncated?.resultId && value.truncated.nextOffset !== undefined) {
      const page = await this.call(tool, { resultId: value.truncated.resultId, offset: value.truncated.nextOffset });
      if (page.error) throw new Error(`${tool} paging: ${page.error}`);
      const records = [...(value.output?.records ?? []), ...(page.value.output?.records ?? [])];
      value = { ...page.value, output: { ...page.value.output, records } };
    }
    return value.output;
  }
}

const ymd = (d) => d.toISOString().slice(0, 10);

/** The tasks: parameters from the store, the agent's script, and the check against the store afterwards. */
const TASKS = [
  {
    id: 'move-oldest-lead',
    crm: 'amocrm',
    title: 'Move the oldest lead of a stage of the main pipeline to the next stage',
    async prepare(store) {
      const pipelines = (await store('amocrm', '/api/v4/leads/pipelines'))._embedded.pipelines;
      const main = pipelines.find((p) => p.is_main) ?? pipelines[0];
      const stages = main._embedded.statuses.filter((s) => s.id !== 142 && s.id !== 143);
      const leads = (await store('amocrm', '/api/v4/leads', { limit: 250 }))._embedded.leads.filter((l) => l.pipeline_id === main.id);
      for (let i = 1; i < stages.length - 1; i++) {
        const inStage = leads.filter((l) => l.status_id === stages[i].id).sort((a, b) => a.created_at - b.created_at || a.id - b.id);
        if (inStage.length) return { from: stages[i].name, to: stages[i + 1].name, toId: stages[i + 1].id, expected: inStage[0].id };
      }
      throw new Error('no stage with leads');
    },
    async script(agent, p) {
      const pipelines = await agent.run('amocrm', await agent.find('amocrm', ['list pipelines and their stages'], 'list-pipelines'), {});
      const stages = pipelines.records.flatMap((x) => x._embedded?.statuses ?? x.statuses ?? []);
      const from = stages.find((s) => s.name === p.from);
      const to = stages.find((s) => s.name === p.to);
      const list = await agent.find('amocrm', ['list leads in a pipeline stage'], 'list-leads');
      // The oldest by creation date: the list is in id order, so the agent reads the stage's leads and compares.
      const inStage = await agent.run(
        'amocrm',
        list,
        { filter: { pipeline_id: from.pipeline_id, status_id: from.id }, limit: 50 },
        { all: true },
      );
      const oldest = inStage.records.sort((a, b) => a.created_at - b.created_at || a.id - b.id)[0];
      const update = await agent.find('amocrm', ['move a lead to another stage', 'update a lead'], 'update-lead');
      await agent.run('amocrm', update, { id: oldest.id, status_id: to.id });
      const get = await agent.find('amocrm', ['get a lead by id'], 'get-lead');
      await agent.run('amocrm', get, { id: oldest.id });
      return { lead: oldest.id };
    },
    async verify(store, p, answer) {
      const lead = await store('amocrm', `/api/v4/leads/${answer.lead}`);
      return answer.lead === p.expected && lead.status_id === p.toId;
    },
  },
  {
    id: 'log-call-on-contact',
    crm: 'amocrm',
    title: 'Log an outgoing call on a contact named by the user',
    async prepare(store, stamp) {
      const contacts = (await store('amocrm', '/api/v4/contacts', { limit: 50 }))._embedded.contacts;
      const contact =
        contacts.find((c) => c.name.split(' ').length === 2 && contacts.filter((x) => x.name === c.name).length === 1) ?? contacts[0];
      return { name: contact.name, id: contact.id, text: `Call ${stamp}: agreed to send the offer on Monday` };
    },
    async script(agent, p) {
      const search = await agent.find('amocrm', ['find a contact by name'], 'search-contacts');
      const found = (await agent.run('amocrm', search, { query: p.name })).records.find((c) => c.name === p.name);
      const note = await agent.find('amocrm', ['log a call on a contact'], 'add-note');
      await agent.run('amocrm', note, { entity_type: 'contacts', entity_id: found.id, note_type: 'call_out', text: p.text });
      const notes = await agent.find('amocrm', ['list the notes of a contact'], 'list-notes');
      await agent.run('amocrm', notes, { entity_type: 'contacts', entity_id: found.id });
      return { contact: found.id };
    },
    async verify(store, p, answer) {
      const notes = (await store('amocrm', `/api/v4/contacts/${p.id}/notes`))?._embedded?.notes ?? [];
      // AmoCRM keeps a call note's text as its call result.
      return (
        answer.contact === p.id && notes.some((n) => n.note_type === 'call_out' && (n.params?.call_result ?? n.params?.text) === p.text)
      );
    },
  },
  {
    id: 'account-with-two-contacts',
    crm: '1crm',
    title: 'Create an account with two contacts',
    async prepare(_store, stamp) {
      return {
        account: `Bench Holdings ${stamp}`,
        people: [
          ['Mara', `Lindqvist${stamp}`],
          ['Tomas', `Berg${stamp}`],
        ],
      };
    },
    async script(agent, p) {
      const createAccount = await agent.find('1crm', ['create an account'], 'create-account');
      const account = await agent.run('1crm', createAccount, { name: p.account });
      const createContact = await agent.find('1crm', ['create a contact'], 'create-contact');
      const contacts = [];
      for (const [first, last] of p.people) {
        contacts.push((await agent.run('1crm', createContact, { first_name: first, last_name: last, primary_account_id: account.id })).id);
      }
      const list = await agent.find('1crm', ['list the contacts of an account'], 'list-contacts');
      await agent.run('1crm', list, { filter: { primary_account: account.id } });
      return { account: account.id, contacts };
    },
    async verify(store, p, answer) {
      const account = await store('1crm', `/data/Account/${answer.account}`);
      const contacts = await Promise.all(answer.contacts.map((id) => store('1crm', `/data/Contact/${id}`)));
      return (
        (account.record ?? account).name === p.account &&
        contacts.length === 2 &&
        contacts.every((c) => (c.record ?? c).primary_account_id === answer.account)
      );
    },
  },
  {
    id: 'close-week-tasks-of-user',
    crm: 'amocrm',
    title: "Close a user's open tasks due in one week",
    async prepare(store) {
      const tasks = (await store('amocrm', '/api/v4/tasks', { limit: 250 }))._embedded.tasks.filter((t) => !t.is_completed);
      const users = (await store('amocrm', '/api/v4/users', { limit: 250 }))._embedded.users;
      const weekOf = (t) => {
        const d = new Date(t.complete_till * 1000);
        d.setUTCHours(0, 0, 0, 0);
        d.setUTCDate(d.getUTCDate() - ((d.getUTCDay() + 6) % 7));
        return d;
      };
      const groups = new Map();
      for (const t of tasks) {
        const key = `${t.responsible_user_id}|${ymd(weekOf(t))}`;
        groups.set(key, [...(groups.get(key) ?? []), t.id]);
      }
      const [key, ids] = [...groups.entries()].sort((a, b) => b[1].length - a[1].length || a[0].localeCompare(b[0]))[0];
      const [userId, monday] = key.split('|');
      const from = Date.parse(`${monday}T00:00:00Z`) / 1000;
      return { user: users.find((u) => u.id === Number(userId)).name, from, to: from + 7 * 86400 - 1, expected: ids.sort() };
    },
    async script(agent, p) {
      const users = await agent.run('amocrm', await agent.find('amocrm', ['list users'], 'list-users'), {});
      const user = users.records.find((u) => u.name === p.user);
      const list = await agent.find('amocrm', ["list a user's tasks due this week"], 'list-tasks');
      const filter = { responsible_user_id: user.id, is_completed: false, complete_till_from: p.from, complete_till_to: p.to };
      const open = (await agent.run('amocrm', list, { filter, limit: 50 }, { all: true })).records;
      const complete = await agent.find('amocrm', ['complete a task'], 'complete-task');
      for (const t of open) await agent.run('amocrm', complete, { id: t.id, result_text: 'Closed in the weekly review' });
      await agent.run('amocrm', list, { filter: { ...filter, is_completed: true }, limit: 50 });
      return { closed: open.map((t) => t.id).sort() };
    },
    async verify(store, p, answer) {
      const tasks = await Promise.all(p.expected.map((id) => store('amocrm', `/api/v4/tasks/${id}`)));
      return JSON.stringify(answer.closed) === JSON.stringify(p.expected) && tasks.every((t) => t.is_completed === true);
    },
  },
  {
    id: 'big-deals-closing-in-month',
    crm: '1crm',
    title: 'Which open opportunities over 10,000 close in a given month (a read: the answer is checked)',
    async prepare(store) {
      const records = (await store('1crm', '/data/Opportunity', { limit: 200 })).records;
      const open = records.filter((o) => !/^Closed/.test(o.sales_stage) && Number(o.amount) > 10_000);
      const months = new Map();
      for (const o of open) months.set(o.date_closed.slice(0, 7), [...(months.get(o.date_closed.slice(0, 7)) ?? []), o.id]);
      const [month, ids] = [...months.entries()].sort((a, b) => b[1].length - a[1].length || a[0].localeCompare(b[0]))[0];
      return { month, expected: ids.sort() };
    },
    async script(agent, p) {
      const list = await agent.find('1crm', ['list opportunities'], 'list-opportunities');
      const fields = ['name', 'amount', 'date_closed', 'sales_stage'];
      const out = await agent.run('1crm', list, { fields, order: 'date_closed', limit: 200 }, { all: true, fallback: { limit: 200 } });
      const hits = out.records.filter(
        (o) => o.date_closed?.startsWith(p.month) && Number(o.amount) > 10_000 && !/^Closed/.test(o.sales_stage),
      );
      return { ids: hits.map((o) => o.id).sort() };
    },
    async verify(_store, p, answer) {
      return JSON.stringify(answer.ids) === JSON.stringify(p.expected);
    },
  },
  {
    id: 'ru-deal-with-note',
    crm: 'amocrm',
    title: 'Russian request: create a deal with a budget and add a note to it',
    async prepare(_store, stamp) {
      return { name: `Поставка оборудования ${stamp}`, price: 250_000, text: 'Клиент просит счёт до пятницы' };
    },
    async script(agent, p) {
      const create = await agent.find('amocrm', ['создать сделку', 'create a lead'], 'create-lead');
      const lead = await agent.run('amocrm', create, { name: p.name, price: p.price });
      const note = await agent.find('amocrm', ['добавить примечание к сделке', 'add a note to a lead'], 'add-note');
      await agent.run('amocrm', note, { entity_type: 'leads', entity_id: lead.id, text: p.text });
      const notes = await agent.find('amocrm', ['примечания сделки', 'list the notes of a lead'], 'list-notes');
      await agent.run('amocrm', notes, { entity_type: 'leads', entity_id: lead.id });
      return { lead: lead.id };
    },
    async verify(store, p, answer) {
      const lead = await store('amocrm', `/api/v4/leads/${answer.lead}`);
      const notes = (await store('amocrm', `/api/v4/leads/${answer.lead}/notes`))?._embedded?.notes ?? [];
      return lead.name === p.name && lead.price === p.price && notes.some((n) => n.params?.text === p.text);
    },
  },
  {
    id: 'update-contact-phone',
    crm: '1crm',
    title: 'Find a contact by name and change its mobile phone',
    async prepare(store, stamp) {
      const contacts = (await store('1crm', '/data/Contact', { limit: 20 })).records;
      const c = contacts[2];
      return { id: c.id, first: c.first_name, last: c.last_name, phone: `+49 151 ${String(stamp).slice(-7)}` };
    },
    async script(agent, p) {
      const search = await agent.find('1crm', ['find a contact by name'], 'search-contacts');
      const found = (await agent.run('1crm', search, { query: `${p.first} ${p.last}` }, { fallback: { query: p.last } })).records.find(
        (c) => c.id === p.id || (c.name ?? '').endsWith(p.last),
      );
      const update = await agent.find('1crm', ['update a contact'], 'update-contact');
      await agent.run('1crm', update, { id: found.id, phone_mobile: p.phone });
      const get = await agent.find('1crm', ['get a contact by id'], 'get-contact');
      await agent.run('1crm', get, { id: found.id });
      return { contact: found.id };
    },
    async verify(store, p, answer) {
      const c = await store('1crm', `/data/Contact/${p.id}`);
      return answer.contact === p.id && (c.record ?? c).phone_mobile === p.phone;
    },
  },
];

/**
 * Runs every task against the server of the checkout at `root` (built), each on a fresh sandbox database,
 * with a 2025-era client over stdio. Returns per-task calls, characters read, searches, blind picks, error
 * codes met, and whether the store confirms the task.
 */
export async function agentTasks({ root, label }) {
  const serverJs = join(root, 'dist', 'index.js');
  const sandboxJs = join(root, 'dist', 'sandbox', 'cli.js');
  const rows = [];
  for (const task of TASKS) {
    const dir = mkdtempSync(join(tmpdir(), 'agent-tasks-'));
    const db = join(dir, 'sandbox.db');
    const run = sandboxCommand(sandboxJs, db);
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [serverJs],
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '',
        MEMBRANE_SANDBOX_DB: db,
        MEMBRANE_CRM_SANDBOX: '1',
        MEMBRANE_CRM_LOG_LEVEL: 'warning',
      },
      stderr: 'pipe',
    });
    transport.stderr?.on('data', () => undefined);
    const client = new Client({ name: 'bench-agent', version: '1' });
    try {
      const items = (await run(['connection', 'list', '--json'])).items;
      const ids = { amocrm: items.find((c) => c.connectorKey === 'amocrm').id, '1crm': items.find((c) => c.connectorKey === '1crm').id };
      const store = storeReader(run, ids);
      const stamp = Date.now() % 1e8;
      const params = await task.prepare(store, stamp);
      await client.connect(transport);
      const agent = new Agent(client);
      let verified = false;
      let failure;
      try {
        const answer = await task.script(agent, params);
        verified = await task.verify(store, params, answer);
      } catch (e) {
        failure = e instanceof Error ? e.message.slice(0, 300) : String(e);
      }
      rows.push({
        task: task.id,
        crm: task.crm,
        calls: agent.calls,
        charsRead: agent.chars,
        searches: agent.searches,
        blindPicks: agent.blind,
        errors: agent.errors.join(' ') || '-',
        verified,
        ...(failure ? { failure } : {}),
      });
    } finally {
      await client.close().catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    }
  }
  const sum = (k) => rows.reduce((n, r) => n + r[k], 0);
  return {
    label,
    tasks: rows,
    totals: { tasks: rows.length, verified: rows.filter((r) => r.verified).length, calls: sum('calls'), charsRead: sum('charsRead') },
  };
}

export const AGENT_TASK_TITLES = Object.fromEntries(TASKS.map((t) => [t.id, `${t.crm}: ${t.title}`]));
