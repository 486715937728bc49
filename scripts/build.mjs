// Build: bundles the three entry points with esbuild into dist/ (type checking is tsc's job, run before).
// Why bundle: Node loads an ESM graph file by file, and the SDK, zod and our modules are a few hundred
// files. A bundle starts the server ~25% faster (spawn → tools/list) and every sandbox invocation faster.
//   dist/index.js          membrane-crm-mcp (bin)
//   dist/sandbox/cli.js    membrane-sandbox (bin)
//   dist/sandbox/sandbox-api.js   startSandboxApi(), the sandbox's REST API server for tests and benches
//   dist/docs.js           what scripts/gen-docs.mjs reads
// Code shared between entries, and modules loaded on demand (execa, ajv, each CRM emulation), go to
// dist/chunks/ and load only when used. better-sqlite3 stays external: it is a native addon.
import { build } from 'esbuild';
import { chmodSync, rmSync } from 'node:fs';

rmSync('dist', { recursive: true, force: true });
await build({
  entryPoints: {
    index: 'src/index.ts',
    'sandbox/cli': 'src/sandbox/cli.ts',
    'sandbox/sandbox-api': 'src/sandbox/api/sandbox-api.ts',
    docs: 'src/docs.ts',
  },
  outdir: 'dist',
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external: ['better-sqlite3'],
  // Some bundled CommonJS dependencies call require(); give the ESM bundle one.
  banner: { js: "import { createRequire as __bundleRequire } from 'node:module'; const require = __bundleRequire(import.meta.url);" },
  sourcemap: 'linked',
  logLevel: 'warning',
});
for (const bin of ['dist/index.js', 'dist/sandbox/cli.js']) chmodSync(bin, 0o755);
