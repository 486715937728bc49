// Input validation for `action run`: ajv, loaded only here (it costs tens of milliseconds to
// import, which every other command should not pay), compiling only the one schema in use.
import type { Ajv as AjvClass, ErrorObject, ValidateFunction } from 'ajv';
import type { JsonSchema } from './emulator-types.js';
import type { InputProblem } from './error-data.js';

// Formats the emulations' schemas may use, defined here rather than loading ajv-formats: every
// `action run` pays for what it imports.
const FORMATS: Record<string, RegExp> = {
  email: /^[^\s@]+@[^\s@]+\.[^\s@]+$/,
  date: /^\d{4}-\d{2}-\d{2}$/,
  'date-time': /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/i,
  time: /^\d{2}:\d{2}(:\d{2})?$/,
  uri: /^[a-z][a-z0-9+.-]*:\S*$/i,
};

function problemOf(e: ErrorObject): InputProblem {
  const params = e.params as Record<string, unknown>;
  if (e.keyword === 'required') return { path: `${e.instancePath}/${String(params.missingProperty)}`, message: 'is required' };
  if (e.keyword === 'additionalProperties') {
    return { path: `${e.instancePath}/${String(params.additionalProperty)}`, message: 'is not allowed (unknown field)' };
  }
  return { path: e.instancePath || '/', message: e.message ?? e.keyword };
}

let ajvInstance: Promise<AjvClass> | undefined;
// One compiled validator per schema object: prebuilt and built actions keep their schema objects, so
// `serve` compiles each action's schema once (a CLI process validates once and never reuses it).
const compiled = new WeakMap<JsonSchema, ValidateFunction>();

async function loadAjv(): Promise<AjvClass> {
  // ajv is CommonJS: its constructor is a named export under Node's loader, `default` inside a bundle.
  const mod = (await import('ajv')) as unknown as { Ajv?: typeof AjvClass; default?: { Ajv?: typeof AjvClass } };
  const Ajv = (mod.Ajv ?? mod.default?.Ajv)!;
  // The schemas are our own emulations', so checking them against the meta-schema (validateSchema)
  // and optimizing the generated code would only cost startup time (about 25 ms per run).
  return new Ajv({
    allErrors: true,
    strict: false,
    logger: false,
    formats: FORMATS,
    validateSchema: false,
    code: { optimize: false },
  });
}

/** Problems with `input` against `schema`, every one of them (allErrors); empty when valid. */
export async function validateInput(schema: JsonSchema, input: unknown): Promise<InputProblem[]> {
  let validate = compiled.get(schema);
  if (!validate) {
    const ajv = await (ajvInstance ??= loadAjv());
    validate = ajv.compile(schema);
    compiled.set(schema, validate);
  }
  if (validate(input)) return [];
  return (validate.errors ?? []).map(problemOf);
}
