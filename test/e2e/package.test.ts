// Packaging: `npm pack` ships only what runs and what users read, every chunk the bins load is in it,
// and the tarball installed into an empty folder works: both bins answer --help/--version through npx,
// and the installed server serves MCP on stdio against the installed sandbox.
// better-sqlite3 installs a prebuilt binary that prebuild-install downloads from GitHub; offline it compiles
// instead (about 80 s). The test hands prebuild-install this checkout's own binary as a "local prebuild" (the
// same file the download would bring, same version and ABI), so the install runs as it does for a user online;
// if the versions ever differ, the install falls back to compiling, slower but the same check.
import { Client } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { execa } from 'execa';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { describe, expect, it } from 'vitest';
import { listeningUrl } from '../helpers/http.js';
import { serverEnv } from '../helpers/mcp.js';
import { ROOT } from '../helpers/sandbox.js';

const PACKAGE_JSON = readFileSync(join(ROOT, 'package.json'), 'utf8');
const PKG = JSON.parse(PACKAGE_JSON) as { name: string; version: string; bin: Record<string, string> };
const BINS = ['dist/index.js', 'dist/sandbox/cli.js'];
const TOP_LEVEL = ['package.json', 'README.md', 'LICENSE', 'mcp.json', ...BINS];
const CHUNK = /^dist\/chunks\/[^/]+\.js$/;

/**
 * The environment for npm and npx: ours, minus what `npm test` exports about THIS repo. With
 * npm_config_local_prefix set, `npm install` in the temp folder would install into the repo, and
 * npx would look for bins there; a `--dry-run` or `--ignore-scripts` of the outer npm must not leak
 * into the install either (better-sqlite3 has to build).
 */
function npmEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v === undefined) continue;
    if (/^npm_/i.test(k) && !/^npm_config_/i.test(k)) continue; // npm_package_*, npm_lifecycle_*, npm_command…
    if (/^npm_config_(local_prefix|prefix|global|dry_run|ignore_scripts|json)$/i.test(k)) continue;
    env[k] = v;
  }
  return env;
}

const npm = (args: string[], cwd: string, timeout = 60_000, extraEnv: Record<string, string> = {}) =>
  execa('npm', args, { cwd, env: { ...npmEnv(), ...extraEnv }, extendEnv: false, reject: false, stdin: 'ignore', timeout });

/** This checkout's better-sqlite3 binary, packed under the name prebuild-install looks for; returns the env that points it there. */
async function localPrebuild(dir: string): Promise<Record<string, string>> {
  const moduleDir = join(ROOT, 'node_modules', 'better-sqlite3');
  const { version } = JSON.parse(readFileSync(join(moduleDir, 'package.json'), 'utf8')) as { version: string };
  const prebuilds = join(dir, 'prebuilds');
  mkdirSync(prebuilds);
  const name = `better-sqlite3-v${version}-node-v${process.versions.modules}-${process.platform}-${process.arch}.tar.gz`;
  await execa('tar', ['-czf', join(prebuilds, name), '-C', moduleDir, 'build/Release/better_sqlite3.node']);
  return { npm_config_better_sqlite3_local_prebuilds: prebuilds };
}

interface PackResult {
  filename: string;
  size: number;
  unpackedSize: number;
  entryCount: number;
  files: { path: string; size: number; mode: number }[];
}

/** `npm pack --json`, never running the `prepare` build (it would rebuild dist/ under the other tests' feet). */
async function pack(extra: string[], cwd = ROOT): Promise<PackResult> {
  const r = await npm(['pack', '--json', '--ignore-scripts', ...extra], cwd);
  expect(r.exitCode, r.stderr).toBe(0);
  return (JSON.parse(r.stdout) as PackResult[])[0];
}

/**
 * Relative module specifiers in a bundled file, as esbuild writes them: double-quoted `.js` paths in
 * `from "./x.js"`, `import "../x.js"` and `import("./x.js")`. (Bundled dependencies carry JSDoc like
 * `@type {import('./get')}`: single quotes, no `.js`, not an import.)
 */
function relativeImports(code: string): string[] {
  return [...code.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s*)"(\.{1,2}\/[\w./-]+\.js)"/g)].map((m) => m[1]);
}

/** Every file the bins load, transitively (static and dynamic imports), as package-relative paths. */
function loadedFiles(): { files: Set<string>; missing: string[] } {
  const files = new Set<string>();
  const missing: string[] = [];
  const queue = [...BINS];
  while (queue.length) {
    const file = queue.shift()!;
    if (files.has(file)) continue;
    const abs = join(ROOT, file);
    if (!existsSync(abs)) {
      missing.push(file);
      continue;
    }
    files.add(file);
    for (const spec of relativeImports(readFileSync(abs, 'utf8'))) {
      queue.push(
        relative(ROOT, resolve(dirname(abs), spec))
          .split(sep)
          .join('/'),
      );
    }
  }
  return { files, missing };
}

describe('npm pack', () => {
  it('ships only package.json, README, LICENSE, mcp.json, the two bins and their chunks', async () => {
    const r = await pack(['--dry-run']);
    const paths = r.files.map((f) => f.path).sort();
    expect(paths.filter((p) => !TOP_LEVEL.includes(p) && !CHUNK.test(p))).toEqual([]);
    for (const p of TOP_LEVEL) expect(paths, p).toContain(p);
    expect(paths.filter((p) => p.endsWith('.map') || /^(src|test|bench|scripts)\//.test(p) || p === 'dist/docs.js')).toEqual([]);
    console.log(
      `npm pack: ${r.entryCount} files, ${(r.size / 1024).toFixed(0)} kB packed, ${(r.unpackedSize / 1024).toFixed(0)} kB unpacked`,
    );
  });

  it('every chunk the bins import (statically or on demand) is packed', async () => {
    const [r, loaded] = await Promise.all([pack(['--dry-run']), Promise.resolve(loadedFiles())]);
    expect(loaded.missing).toEqual([]);
    expect([...loaded.files].filter((f) => f.startsWith('dist/chunks/')).length).toBeGreaterThan(5);
    const packed = new Set(r.files.map((f) => f.path));
    expect([...loaded.files].filter((f) => !packed.has(f))).toEqual([]);
  });

  it('the description names both ways to reach Membrane (CLI or REST API) and the offline sandbox', () => {
    const { description } = JSON.parse(PACKAGE_JSON) as { description: string };
    expect(description).toMatch(/through the Membrane CLI or REST API/);
    expect(description).toMatch(/offline sandbox of Membrane \(CLI and REST API/);
    expect(PKG.bin['membrane-sandbox']).toBe('dist/sandbox/cli.js');
  });

  it('the bins are the package.json bins and start with a node shebang', () => {
    expect(Object.values(PKG.bin).sort()).toEqual([...BINS].sort());
    for (const bin of BINS) expect(readFileSync(join(ROOT, bin), 'utf8').split('\n')[0], bin).toBe('#!/usr/bin/env node');
  });
});

describe('the packed tarball, installed into an empty folder', () => {
  it('runs both bins through npx and serves MCP from the installed files', { timeout: 420_000 }, async () => {
    const work = mkdtempSync(join(tmpdir(), 'pack-install-'));
    const app = join(work, 'app');
    let client: Client | undefined;
    try {
      const tarball = join(work, (await pack(['--pack-destination', work])).filename);
      mkdirSync(app);
      writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'pack-smoke', version: '1.0.0', private: true }, null, 2));

      const started = Date.now();
      const prebuildEnv = await localPrebuild(work);
      const install = await npm(['install', '--prefer-offline', '--no-audit', '--no-fund', tarball], app, 300_000, prebuildEnv);
      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      console.log(`npm install of the tarball: ${seconds} s`);
      expect(install.exitCode, `${install.stderr}\n${install.stdout}`).toBe(0);
      // The install went into the temp folder, not into this repo.
      expect(readFileSync(join(ROOT, 'package.json'), 'utf8')).toBe(PACKAGE_JSON);
      expect(existsSync(join(ROOT, 'node_modules', PKG.name))).toBe(false);
      const installed = join(app, 'node_modules', PKG.name);
      expect(existsSync(join(installed, 'dist', 'index.js'))).toBe(true);

      // As a user runs them; --no-install: the installed bins, never a download.
      const npx = (args: string[]) =>
        execa('npx', ['--no-install', ...args], {
          cwd: app,
          env: npmEnv(),
          extendEnv: false,
          reject: false,
          stdin: 'ignore',
          timeout: 30_000,
        });
      const [serverHelp, serverVersion, sandboxHelp, sandboxVersion] = await Promise.all([
        npx(['membrane-crm-mcp', '--help']),
        npx(['membrane-crm-mcp', '--version']),
        npx(['membrane-sandbox', '--help']),
        npx(['membrane-sandbox', '--version']),
      ]);
      for (const r of [serverHelp, serverVersion, sandboxHelp, sandboxVersion]) expect(r.exitCode, r.stderr).toBe(0);
      expect(serverHelp.stdout).toMatch(/^Usage: membrane-crm-mcp/);
      expect(serverHelp.stdout).toContain('--version');
      expect(serverVersion.stdout).toBe(PKG.version);
      expect(sandboxHelp.stdout).toMatch(/^Usage: membrane-sandbox/);
      expect(sandboxHelp.stdout).toContain('MEMBRANE_SANDBOX_DB');
      expect(sandboxVersion.stdout).toBe(PKG.version);

      // The installed server, its installed sandbox and the better-sqlite3 the install built.
      const transport = new StdioClientTransport({
        command: process.execPath,
        args: [join(installed, 'dist', 'index.js')],
        cwd: app,
        env: serverEnv(join(work, 'sandbox.db')),
        stderr: 'pipe',
      });
      let stderr = '';
      transport.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
      client = new Client({ name: 'package-test', version: '1.0.0' });
      await client.connect(transport);
      const { tools } = await client.listTools();
      expect(tools, stderr).toHaveLength(10);
      const listed = await client.callTool({ name: 'amocrm_list_connections', arguments: {} });
      expect(listed.isError, JSON.stringify(listed.content)).not.toBe(true);
      const content = listed.structuredContent as { backend: string; connections: { id: string }[] };
      // Nothing else installed: the sandbox through its REST API (the bundled SDK, the installed `serve`).
      expect(content.backend).toBe('sandbox-api');
      expect(content.connections.length).toBeGreaterThan(0);
      expect(content.connections[0].id).toEqual(expect.any(String));
      // Only better-sqlite3 is a runtime dependency: the rest is bundled. Exercise the bundled ajv (input
      // check), the SDK (every call above), execa (the doctor on the sandbox CLI), the HTTP transport and the doctor
      // from the installed files.
      const invalid = await client.callTool({
        name: 'amocrm_run_action',
        arguments: { actionId: 'create-lead', input: { price: 'lots' } },
      });
      expect((invalid.structuredContent as { error: { code: string } }).error.code).toBe('INVALID_INPUT');
      const leads = await client.callTool({ name: 'amocrm_run_action', arguments: { actionId: 'list-leads', input: { limit: 2 } } });
      expect(leads.isError, JSON.stringify(leads.content)).not.toBe(true);

      for (const backend of [[], ['--backend=cli']]) {
        const doctor = await npx(['membrane-crm-mcp', 'doctor', '--sandbox', ...backend, '--json']);
        expect(doctor.exitCode, doctor.stderr).toBe(0);
        expect(JSON.parse(doctor.stdout) as { ok: boolean; backend: string }).toMatchObject({
          ok: true,
          backend: backend.length ? 'sandbox-cli' : 'sandbox-api',
        });
      }

      const http = execa(process.execPath, [join(installed, 'dist', 'index.js'), '--http=0'], {
        cwd: app,
        env: serverEnv(join(work, 'sandbox.db')),
        extendEnv: false,
        stdin: 'ignore',
        reject: false,
      });
      try {
        const { url } = await listeningUrl(http.stderr, http);
        const init = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
          body: JSON.stringify({
            jsonrpc: '2.0',
            id: 1,
            method: 'initialize',
            params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'pkg', version: '1' } },
          }),
        });
        expect(init.status).toBe(200);
        expect(await init.text()).toContain('"serverInfo"');
      } finally {
        http.kill('SIGTERM');
        await http;
      }
    } finally {
      await client?.close();
      rmSync(work, { recursive: true, force: true });
    }
  });
});
