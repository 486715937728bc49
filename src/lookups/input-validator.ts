// Input validation with ajv against an action's inputSchema, before anything runs. Each schema is compiled
// once (by object identity for cached metadata, by content for a refetched equal schema).
import type { ValidateFunction } from 'ajv';
import type { Logger } from '../log.js';
import type { Action, JsonSchema } from '../membrane/membrane-client.js';

const MAX_VALIDATORS = 200;

export interface FieldProblem {
  field: string;
  problem: string;
}

type AjvLike = { compile(schema: JsonSchema): ValidateFunction };

export class InputValidator {
  private readonly validators = new Map<string, ValidateFunction | null>();
  private readonly bySchema = new WeakMap<object, ValidateFunction | null>();
  private ajv?: Promise<AjvLike>;

  constructor(private readonly log: Logger) {}

  private loadAjv(): Promise<AjvLike> {
    // Imported on first use: ajv is not needed to start the server or to answer tools/list.
    this.ajv ??= Promise.all([import('ajv'), import('ajv-formats')]).then(([ajvModule, formatsModule]) => {
      const Ajv = ajvModule.default.default ?? ajvModule.default;
      const addFormats = formatsModule.default.default ?? formatsModule.default;
      const ajv = new (Ajv as unknown as new (o: object) => AjvLike)({ allErrors: true, strict: false, validateSchema: false });
      (addFormats as unknown as (a: AjvLike) => void)(ajv);
      return ajv;
    });
    return this.ajv;
  }

  /**
   * The compiled validator of a schema (null when it does not compile). Found by the schema object
   * first (cached metadata: no stringify), then by content (an equal schema from a new `action get`).
   */
  private async validatorFor(action: Action, schema: JsonSchema): Promise<ValidateFunction | null> {
    const known = this.bySchema.get(schema);
    if (known !== undefined) return known;
    const key = JSON.stringify(schema);
    let validator = this.validators.get(key);
    if (validator === undefined) {
      try {
        validator = (await this.loadAjv()).compile(schema);
      } catch (e) {
        this.log.warning(`input schema of ${action.key ?? action.id} does not compile; the CLI will validate instead`, {
          error: String(e),
        });
        validator = null;
      }
      if (this.validators.size >= MAX_VALIDATORS) this.validators.delete(this.validators.keys().next().value as string);
      this.validators.set(key, validator);
    } else {
      this.log.debug(`cache hit: compiled schema of ${action.key ?? action.id}`);
    }
    this.bySchema.set(schema, validator);
    return validator;
  }

  /** Problems with `input` under the action's schema; [] when valid or when the schema cannot be compiled. */
  async validate(action: Action, input: Record<string, unknown>): Promise<FieldProblem[]> {
    if (!action.inputSchema) return [];
    const validator = await this.validatorFor(action, action.inputSchema);
    if (!validator || validator(input)) return [];
    return (validator.errors ?? []).slice(0, 30).map((e) => {
      const base = e.instancePath.replace(/^\//, '').replace(/\//g, '.');
      const params = e.params as { missingProperty?: string; additionalProperty?: string; allowedValues?: unknown[] };
      if (params.missingProperty)
        return { field: base ? `${base}.${params.missingProperty}` : params.missingProperty, problem: 'is required' };
      if (params.additionalProperty)
        return { field: base ? `${base}.${params.additionalProperty}` : params.additionalProperty, problem: 'is not a known field' };
      const allowed = params.allowedValues ? `: one of ${params.allowedValues.map((v) => JSON.stringify(v)).join(', ')}` : '';
      return { field: base || '(input)', problem: `${e.message ?? 'is invalid'}${allowed}` };
    });
  }
}
