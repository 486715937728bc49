// The import boundaries of eslint.config.js bite: a deliberate violation in a scratch file fails the lint,
// and the same imports from the side that may make them pass.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ESLint } from 'eslint';
import importX from 'eslint-plugin-import-x';
import tseslint from 'typescript-eslint';
import { describe, expect, it } from 'vitest';
// @ts-expect-error -- the ESLint config is plain JavaScript without type declarations
import { boundaries, typeScriptResolver } from '../../eslint.config.js';
import { ROOT } from '../helpers/sandbox.js';

type Zone = { target: string | string[]; from: string; except?: string[]; message: string };
const ZONES = boundaries as Zone[];

/** An ESLint that runs only the import-boundary rule, with `zones`. */
function linter(zones: Zone[]): ESLint {
  return new ESLint({
    cwd: ROOT,
    overrideConfigFile: true,
    overrideConfig: [
      {
        files: ['**/*.ts'],
        languageOptions: { parser: tseslint.parser },
        plugins: { 'import-x': importX },
        settings: { 'import-x/resolver-next': [typeScriptResolver()] },
        rules: { 'import-x/no-restricted-paths': ['error', { zones }] },
      },
    ],
  });
}

const eslint = linter(ZONES);

async function violations(filePath: string, code: string, by = eslint): Promise<string[]> {
  const [result] = await by.lintText(`${code}\nexport {};\n`, { filePath });
  return result.messages.map((m) => m.message);
}

/** Deliberate violations: [what, scratch file, import, the zone's message]. */
const VIOLATIONS: [string, string, string, RegExp][] = [
  [
    'the sandbox importing the server',
    'src/sandbox/scratch.ts',
    "import { ToolError } from '../errors.js';",
    /sandbox imports nothing of the server/,
  ],
  ['a tool importing the sandbox', 'src/tools/scratch.ts', "import { openStore } from '../sandbox/store.js';", /reaches the sandbox only/],
  [
    'the server entry importing the sandbox',
    'src/scratch.ts',
    "import { openStore } from './sandbox/store.js';",
    /reaches the sandbox only/,
  ],
  [
    'a tool importing the CLI backend',
    'src/tools/scratch.ts',
    "import { CliMembraneClient } from '../membrane/cli/cli-client.js';",
    /MembraneClient interface/,
  ],
  [
    'a resource reading through the CLI backend',
    'src/resources/scratch.ts',
    "import { CliMembraneClient } from '../membrane/cli/cli-client.js';",
    /MembraneClient interface/,
  ],
  [
    'a prompt completion reading through the API backend',
    'src/prompts/scratch.ts',
    "import { ApiMembraneClient } from '../membrane/api/api-client.js';",
    /MembraneClient interface/,
  ],
  [
    'the tenants of --http-auth membrane reaching into the API backend',
    'src/tenants/scratch.ts',
    "import { readApiCredentials } from '../membrane/api/api-credentials.js';",
    /MembraneClient interface/,
  ],
  [
    'a transport reaching into the CLI backend',
    'src/transports/scratch.ts',
    "import { CliMembraneClient } from '../membrane/cli/cli-client.js';",
    /MembraneClient interface/,
  ],
  [
    'policy importing CLI argv',
    'src/policy/scratch.ts',
    "import { requestArgs } from '../membrane/cli/cli-argv.js';",
    /Only src\/membrane\/cli builds CLI argv/,
  ],
  [
    'the server factory importing CLI argv',
    'src/scratch.ts',
    "import { requestArgs } from './membrane/cli/cli-argv.js';",
    /Only src\/membrane\/cli builds CLI argv/,
  ],
  [
    'the API backend importing the CLI backend',
    'src/membrane/api/scratch.ts',
    "import { cliHints } from '../cli/cli-hints.js';",
    /API backend shares only the neutral modules/,
  ],
  [
    'the CLI backend importing the API backend',
    'src/membrane/cli/scratch.ts',
    "import { apiHints } from '../api/api-hints.js';",
    /CLI backend shares only the neutral modules/,
  ],
  [
    'the server entry importing the SDK (it must stay a chunk loaded on demand)',
    'src/scratch.ts',
    "import { MembraneClient } from '@membranehq/sdk';",
    /Only src\/membrane\/api loads @membranehq\/sdk/,
  ],
  [
    'the neutral seam importing the SDK',
    'src/membrane/scratch.ts',
    "import { ErrorType } from '@membranehq/sdk';",
    /Only src\/membrane\/api loads @membranehq\/sdk/,
  ],
  [
    'policy reaching into the CLI backend',
    'src/policy/scratch.ts',
    "import { CliMembraneClient } from '../membrane/cli/cli-client.js';",
    /MembraneClient interface/,
  ],
  [
    'results reaching into the API backend',
    'src/results/scratch.ts',
    "import { ApiMembraneClient } from '../membrane/api/api-client.js';",
    /MembraneClient interface/,
  ],
  [
    'a lookup reaching the call-safety decorator',
    'src/lookups/scratch.ts',
    "import { withCallSafety } from '../membrane/call-safety.js';",
    /MembraneClient interface/,
  ],
  [
    'the state store reaching into the CLI backend',
    'src/state/scratch.ts',
    "import { CliMembraneClient } from '../membrane/cli/cli-client.js';",
    /MembraneClient interface/,
  ],
  [
    'a tool importing the SDK',
    'src/tools/scratch.ts',
    "import { MembraneClient } from '@membranehq/sdk';",
    /Only src\/membrane\/api loads @membranehq\/sdk/,
  ],
  [
    'the CLI backend importing the SDK',
    'src/membrane/cli/scratch.ts',
    "import { ErrorType } from '@membranehq/sdk';",
    /Only src\/membrane\/api loads @membranehq\/sdk/,
  ],
  [
    'the API backend importing CLI argv',
    'src/membrane/api/scratch.ts',
    "import { requestArgs } from '../cli/cli-argv.js';",
    /Only src\/membrane\/cli builds CLI argv/,
  ],
  [
    'the neutral seam importing CLI argv',
    'src/membrane/scratch.ts',
    "import { requestArgs } from './cli/cli-argv.js';",
    /Only src\/membrane\/cli builds CLI argv/,
  ],
];

describe('import boundaries', () => {
  it.each(VIOLATIONS)('%s fails the lint', async (_, file, code, message) => {
    const found = await violations(file, code);
    expect(found.some((m) => message.test(m))).toBe(true);
  });

  it.each([
    [
      'a tool importing the MembraneClient interface',
      'src/tools/scratch.ts',
      "import type { MembraneClient } from '../membrane/membrane-client.js';",
    ],
    ['the CLI backend importing its argv', 'src/membrane/cli/scratch.ts', "import { requestArgs } from './cli-argv.js';"],
    ['the sandbox importing itself', 'src/sandbox/commands/scratch.ts', "import { openStore } from '../store.js';"],
    ['the API backend importing the SDK', 'src/membrane/api/scratch.ts', "import type { MembraneClient } from '@membranehq/sdk';"],
    ['the API backend importing the neutral seam', 'src/membrane/api/scratch.ts', "import { fromErrorData } from '../membrane-errors.js';"],
  ])('%s passes', async (_, file, code) => {
    expect(await violations(file, code)).toEqual([]);
  });
  // Each target of each zone, on its own, refuses at least one of the violations above: no zone is dead, and
  // a zone added or widened without a case that proves it bites fails here.
  const zoneTargets = ZONES.flatMap((zone) => [zone.target].flat().map((target) => ({ ...zone, target })));
  it.each(zoneTargets)('the zone "$message" on $target refuses one of the violations by itself', async (zone) => {
    const alone = linter([zone]);
    const refused: string[] = [];
    for (const [what, file, code] of VIOLATIONS) if ((await violations(file, code, alone)).length) refused.push(what);
    expect(refused).not.toEqual([]);
  });

  it('every folder of the server is placed: behind the MembraneClient interface, or a backend, or a composition root', () => {
    const behindInterface = ZONES.find((z) => z.message.includes('MembraneClient interface'))!.target as string[];
    // These build or choose the backends (the doctor checks each backend the way the server would start it).
    const roots = ['src/membrane', 'src/sandbox', 'src/doctor'];
    const folders = readdirSync(join(ROOT, 'src'), { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => `src/${d.name}`);
    const unplaced = folders.filter((f) => !roots.includes(f) && !behindInterface.includes(`./${f}`));
    expect(unplaced).toEqual([]);
  });
});
