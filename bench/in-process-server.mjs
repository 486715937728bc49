#!/usr/bin/env node
// The in-process alternative to the sandbox-api backend, for the bench only (the product keeps the sandbox out of the
// server's process: its import boundary forbids it). One Node process starts the sandbox's REST API
// (dist/sandbox/sandbox-api.js) and then the MCP server (dist/index.js), pointed at it as "Membrane's" API over
// loopback: the same work per call as sandbox-api, minus the second process. Its results say membrane-api.
//   MEMBRANE_SANDBOX_DB=… node bench/in-process-server.mjs [server options]
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { startSandboxApi } = await import(join(ROOT, 'dist', 'sandbox', 'sandbox-api.js'));
const api = await startSandboxApi({ db: process.env.MEMBRANE_SANDBOX_DB, buildMs: Number(process.env.MEMBRANE_SANDBOX_BUILD_MS ?? 1500) });
process.env.MEMBRANE_CRM_SANDBOX = '0';
process.env.MEMBRANE_API_URI = api.url;
process.env.MEMBRANE_ACCESS_TOKEN = api.credentials.accessToken;
// The server reads its options from argv as its own bin would.
process.argv = [process.argv[0], join(ROOT, 'dist', 'index.js'), ...process.argv.slice(2)];
await import(join(ROOT, 'dist', 'index.js'));
