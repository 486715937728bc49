// The exhaustive-switch rule of eslint.config.js bites, with the repository's own config and type information:
// a switch over the error codes that leaves one out fails the lint, one that names them all passes, a default
// is a deliberate catch-all, and a switch over a plain string needs one. One lint run for all the cases (a
// type-aware run costs seconds), each case a function of its own; only this rule runs.
import { ESLint } from 'eslint';
import { beforeAll, describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../../src/errors.js';
import { ROOT } from '../helpers/sandbox.js';

const RULE = '@typescript-eslint/switch-exhaustiveness-check';
const ALL_CODES = Object.keys(ERROR_CODES);
const CATCH_ALL = '    default:\n      return 2;\n';

const switchOver = (name: string, type: string, cases: string[], fallback = '') =>
  `export function ${name}(c: ${type}): number {\n  switch (c) {\n${cases.map((k) => `    case '${k}':\n      return 1;\n`).join('')}${fallback}  }\n  return 0;\n}\n`;

const CASES = {
  missingOne: switchOver(
    'missingOne',
    'ErrorCode',
    ALL_CODES.filter((c) => c !== 'TIMEOUT'),
  ),
  everyCode: switchOver('everyCode', 'ErrorCode', ALL_CODES),
  catchAll: switchOver('catchAll', 'ErrorCode', ['TIMEOUT'], CATCH_ALL),
  plainString: switchOver('plainString', 'string', ['a', 'b']),
};

/** The rule's findings per case. */
const found: Record<string, string[]> = {};

beforeAll(async () => {
  let code = `import type { ErrorCode } from '../errors.js';\n`;
  const startLine: [string, number][] = [];
  for (const [name, text] of Object.entries(CASES)) {
    startLine.push([name, code.split('\n').length]);
    code += text;
  }
  // Linted as the text of a file of the project: the type service only knows files in the tsconfig.
  const [result] = await new ESLint({ cwd: ROOT, ruleFilter: ({ ruleId }) => ruleId === RULE }).lintText(code, {
    filePath: 'src/tools/fields.ts',
  });
  expect(result.messages.filter((m) => m.fatal)).toEqual([]);
  for (const [name] of startLine) found[name] = [];
  for (const m of result.messages.filter((x) => x.ruleId === RULE)) {
    const [name] = startLine.filter(([, line]) => line <= m.line).at(-1)!;
    found[name].push(m.message);
  }
}, 30_000);

describe('exhaustive switches', () => {
  it('a switch over the error codes that leaves one out fails, naming it', () => {
    expect(found.missingOne).toHaveLength(1);
    expect(found.missingOne[0]).toMatch(/not exhaustive.*"TIMEOUT"/);
  });

  it('one that names every error code passes', () => {
    expect(found.everyCode).toEqual([]);
  });

  it('a default is a deliberate catch-all and passes', () => {
    expect(found.catchAll).toEqual([]);
  });

  it('a switch over a plain string without a default fails', () => {
    expect(found.plainString).toHaveLength(1);
    expect(found.plainString[0]).toMatch(/default/);
  });
});
