#!/usr/bin/env node
// Regenerates the README's tool, configuration and error-code tables from the code (dist/), between
// `<!-- NAME:start -->` and `<!-- NAME:end -->` markers, so the docs cannot drift from what agents see.
// `--check` exits 1 when the README is out of date (test/unit/readme.test.ts runs it).
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const README = join(ROOT, 'README.md');
const { SETTINGS, SettingsSchema, ERROR_CODES, connectorFor, planTools, listedSchema, workflowPrompts, resourceTemplates } = await import(
  join(ROOT, 'dist', 'docs.js')
);

const escape = (s) => String(s).replace(/\|/g, '\\|').replace(/\n/g, ' ');

function typeOf(schema) {
  if (!schema) return 'any';
  if (schema.enum) return schema.enum.map((v) => `\`${v}\``).join(' | ');
  if (schema.anyOf) return schema.anyOf.map(typeOf).join(' or ');
  if (schema.type === 'array') return `${typeOf(schema.items)}[]`;
  return schema.type ?? 'any';
}

function toolsTable() {
  // Descriptions written for a placeholder connector, then spelled generically.
  const example = {
    ...connectorFor('example'),
    displayName: 'CRM',
    prefix: 'p',
    entities: ["the connector's entities (AmoCRM: Lead, Note, Contact, Company, Task; 1CRM: its 24 data models)"],
    apiHint: "Then a line on the connector's API paths and quirks.",
  };
  const tools = planTools({ settings: SettingsSchema.parse({}), connectors: [example] });
  const rows = ['| Tool | What it does | Inputs (`?` = optional) | RO | Destr. | Idem. | Open |', '|---|---|---|---|---|---|---|'];
  for (const t of tools) {
    const schema = listedSchema(t.input, 'input');
    const required = new Set(schema.required ?? []);
    const inputs = Object.entries(schema.properties ?? {})
      .map(([k, v]) => `\`${k}${required.has(k) ? '' : '?'}\`: ${typeOf(v)}`)
      .join(', ');
    const a = t.spec.annotations(SettingsSchema.parse({}));
    const flag = (b) => (b ? 'yes' : 'no');
    const name = t.name.replace(/^p_/, '<p>_');
    const description = t.description.replace(/\bp_/g, '<p>_').replace(/ in CRM /g, ' in the CRM ');
    rows.push(
      `| \`${name}\` | ${escape(description)} | ${escape(inputs)} | ${flag(a.readOnlyHint)} | ${flag(a.destructiveHint)} | ${flag(a.idempotentHint)} | ${flag(a.openWorldHint)} |`,
    );
  }
  rows.push(
    '',
    "`<p>` is the connector's tool prefix: `amocrm`, `onecrm` (for `1crm`), or the key of any other connector (`hubspot`). With `--tool-mode shared` the five tools are `crm_*` with a `connector` argument. With `--read-only`, `create_action` is not offered (building an action writes to the Membrane workspace) and `run_action` and `proxy_request` are annotated read-only.",
  );
  return rows.join('\n');
}

function configTable() {
  const rows = ['| Flag | Environment variable | Config key | Default | What it does |', '|---|---|---|---|---|'];
  for (const s of SETTINGS) {
    const flag =
      s.kind === 'boolean' ? `--${s.flag}` : `--${s.flag} <${s.kind === 'map' ? 'connector=id' : s.kind === 'list' ? 'a,b' : 'value'}>`;
    rows.push(`| \`${flag}\` | ${s.env ? `\`${s.env}\`` : ''} | \`${s.key}\` | ${escape(s.shownDefault)} | ${escape(s.description)} |`);
  }
  return rows.join('\n');
}

function errorsTable() {
  const rows = ['| Code | Meaning |', '|---|---|'];
  for (const [code, meaning] of Object.entries(ERROR_CODES)) rows.push(`| \`${code}\` | ${escape(meaning)} |`);
  return rows.join('\n');
}

function promptsTable() {
  const rows = ['| Prompt | What it does | Arguments (`?` = optional; suggested: completion/complete offers values) |', '|---|---|---|'];
  for (const p of workflowPrompts(true)) {
    const args = p.arguments
      .map((a) => `\`${a.name}${a.required ? '' : '?'}\`: ${a.description}${a.complete ? ' (suggested)' : ''}`)
      .join('; ');
    rows.push(`| \`${p.name}\` (${escape(p.title)}) | ${escape(p.description)} | ${escape(args)} |`);
  }
  rows.push('', '`connector` is required when the server serves several connectors, and may be left out when it serves one.');
  return rows.join('\n');
}

function resourcesTable() {
  const rows = ['| URI template | What it holds |', '|---|---|'];
  const templates = resourceTemplates({ connectors: [connectorFor('amocrm'), connectorFor('1crm')] });
  for (const t of templates) rows.push(`| \`${t.uriTemplate}\` | ${escape(t.title)}: ${escape(t.description)} |`);
  return rows.join('\n');
}

const sections = {
  tools: toolsTable(),
  config: configTable(),
  errors: errorsTable(),
  prompts: promptsTable(),
  resources: resourcesTable(),
};

const current = readFileSync(README, 'utf8');
let next = current;
for (const [name, body] of Object.entries(sections)) {
  const re = new RegExp(`(<!-- ${name}:start -->)[\\s\\S]*?(<!-- ${name}:end -->)`);
  if (!re.test(next)) throw new Error(`README.md has no <!-- ${name}:start --> … <!-- ${name}:end --> markers`);
  next = next.replace(re, `$1\n${body}\n$2`);
}

if (process.argv.includes('--check')) {
  if (next !== current) {
    process.stderr.write('README.md is out of date: run `npm run docs`.\n');
    process.exit(1);
  }
} else if (next !== current) {
  writeFileSync(README, next);
  process.stderr.write('README.md updated.\n');
}
