// The built server loads @membranehq/sdk only when the api backend runs: the SDK sits in a chunk that nothing in
// dist/index.js's static import graph reaches, so the CLI and sandbox modes start and run without it.
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SERVER_CLI } from '../helpers/sandbox.js';

/** A string only the SDK's code holds (its API client's version header constant). */
const SDK_MARK = 'membrane-api-version';

/** Every file a module statically imports, transitively (`import … from "./x.js"` and `export … from`), itself included. */
function staticGraph(entry: string): Set<string> {
  const seen = new Set<string>();
  const walk = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/(?:^|[;\n}])\s*(?:import|export)\s*(?:[\w*{}\s,$]+from\s*)?["'](\.[^"']+)["']/g)) {
      walk(resolve(dirname(file), m[1]));
    }
  };
  walk(entry);
  return seen;
}

/** Chunks a file loads on demand (`import("./x.js")`). */
function dynamicImports(file: string): string[] {
  return [...readFileSync(file, 'utf8').matchAll(/import\(\s*["'](\.[^"']+)["']\s*\)/g)].map((m) => resolve(dirname(file), m[1]));
}

describe('the SDK is a chunk loaded on demand', () => {
  it('no file of the static graph of dist/index.js holds the SDK; a dynamic import from it does', () => {
    const graph = staticGraph(SERVER_CLI);
    expect(graph.size).toBeGreaterThan(1);
    const holding = [...graph].filter((f) => readFileSync(f, 'utf8').includes(SDK_MARK));
    expect(holding).toEqual([]);
    const onDemand = [...graph].flatMap(dynamicImports).filter((f) => readFileSync(f, 'utf8').includes(SDK_MARK));
    expect(onDemand).toHaveLength(1);
  });
});
