// ESLint (flat config) with type information. Each rule below is here for a reason written next to it;
// the import boundaries are what keep the server, the sandbox and the backends apart.
import js from '@eslint/js';
import importX from 'eslint-plugin-import-x';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/** Import boundaries, enforced rather than kept by habit (test/unit/lint-boundaries.test.ts proves they bite). */
export const boundaries = [
  // The sandbox is a separate program: it meets the server only at a process or HTTP boundary.
  { target: './src/sandbox', from: './src', except: ['./sandbox'], message: 'The sandbox imports nothing of the server.' },
  { target: './src/!(sandbox)/**', from: './src/sandbox', message: 'The server reaches the sandbox only as a process or over HTTP.' },
  { target: './src/*.ts', from: './src/sandbox', message: 'The server reaches the sandbox only as a process or over HTTP.' },
  // Tools and the services they call see Membrane only through the MembraneClient interface.
  {
    target: [
      './src/tools',
      './src/policy',
      './src/results',
      './src/lookups',
      './src/state',
      './src/resources',
      './src/prompts',
      './src/tenants',
      './src/transports',
    ],
    from: './src/membrane',
    except: ['./membrane-client.ts', './identifiers.ts'],
    message: 'Reach Membrane through the MembraneClient interface (src/membrane/membrane-client.ts).',
  },
  // The two backends share only the neutral modules of src/membrane (the interface, call safety, error mapping).
  { target: './src/membrane/api', from: './src/membrane/cli', message: 'The API backend shares only the neutral modules of src/membrane.' },
  { target: './src/membrane/cli', from: './src/membrane/api', message: 'The CLI backend shares only the neutral modules of src/membrane.' },
  // The SDK is large (about 0.5 s and 25 MB to load): only the API backend reaches it, on demand.
  {
    target: ['./src/!(membrane)/**', './src/*.ts', './src/membrane/*.ts', './src/membrane/cli/**'],
    from: './node_modules/@membranehq/sdk',
    message: 'Only src/membrane/api loads @membranehq/sdk (on demand: it is large).',
  },
  // Only the CLI backend knows CLI argv.
  { target: './src/!(membrane)/**', from: './src/membrane/cli/cli-argv.ts', message: 'Only src/membrane/cli builds CLI argv.' },
  { target: './src/*.ts', from: './src/membrane/cli/cli-argv.ts', message: 'Only src/membrane/cli builds CLI argv.' },
  { target: './src/membrane/!(cli)/**', from: './src/membrane/cli/cli-argv.ts', message: 'Only src/membrane/cli builds CLI argv.' },
  { target: './src/membrane/*.ts', from: './src/membrane/cli/cli-argv.ts', message: 'Only src/membrane/cli builds CLI argv.' },
];

/** Resolves our `./x.js` specifiers to the `.ts` sources, so the boundaries see real files. */
export const typeScriptResolver = () =>
  createTypeScriptImportResolver({ project: ['tsconfig.json', 'test/tsconfig.json'], noWarnOnMultipleProjects: true });

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', '.scratch/**', '.vitest-tmp/**', 'test/fixtures/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: {
        // Config files sit outside both tsconfig projects; they get a default one.
        projectService: { allowDefaultProject: ['vitest.config.ts'] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    plugins: { 'import-x': importX },
    settings: { 'import-x/resolver-next': [typeScriptResolver()] },
    rules: {
      // A promise nobody awaits loses its error: an unhandled rejection or a result sent too late.
      '@typescript-eslint/no-floating-promises': 'error',
      // An async callback where a sync one is expected (event handlers, array callbacks) swallows errors.
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false, attributes: false } }],
      '@typescript-eslint/await-thenable': 'error',
      // A switch over a union (error codes, states, kinds, backends) with no default must name every member, so
      // adding one (a new error code) fails the lint wherever it is not handled. A default is a deliberate
      // catch-all (the doctor's one fix for the other error codes, the sandbox's generic field types) and counts
      // as exhaustive; a switch over a plain string must have one (test/unit/lint-switch.test.ts).
      '@typescript-eslint/switch-exhaustiveness-check': [
        'error',
        { considerDefaultExhaustiveForUnions: true, requireDefaultForNonUnion: true },
      ],
      // Unused names are dead code; a leading underscore marks a deliberately unused binding.
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' },
      ],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      'import-x/no-restricted-paths': ['error', { zones: boundaries }],
      'import-x/no-cycle': ['error', { maxDepth: 3 }],
      // stdout of a stdio server is protocol only: diagnostics go through the logger (stderr).
      'no-console': ['error', { allow: ['error', 'warn'] }],
      eqeqeq: ['error', 'always', { null: 'ignore' }],
    },
  },
  {
    // The sandbox CLI prints its documents on stdout by design, and tests and benches print figures.
    files: ['src/sandbox/**/*.ts', 'test/**/*.ts', 'bench/**', 'scripts/**'],
    rules: { 'no-console': 'off' },
  },
  {
    files: ['**/*.mjs', '**/*.js'],
    languageOptions: { globals: globals.node },
  },
);
