// Rendering of tool results: success puts the same JSON in text and structuredContent;
// failure is isError with `CODE: message. Next: …` text and {backend, connector, error} structured content.
import { describe, expect, it } from 'vitest';
import { ERROR_CODES, ToolError } from '../../src/errors.js';
import { failure, success, toToolError } from '../../src/results/tool-result.js';

const textOf = (r: { content: unknown[] }) => {
  expect(r.content).toHaveLength(1);
  const block = r.content[0] as { type: string; text: string };
  expect(block.type).toBe('text');
  return block.text;
};

describe('success', () => {
  it('puts identical compact JSON in the text block and structuredContent', () => {
    const structured = {
      backend: 'sandbox-cli',
      connector: 'amocrm',
      connectionId: 'c1',
      output: { records: [{ id: 1, name: 'Сделка 😀' }] },
    };
    const r = success(structured);
    expect(r.isError).toBeUndefined();
    expect(r.structuredContent).toBe(structured);
    const text = textOf(r);
    expect(text).toBe(JSON.stringify(structured));
    expect(JSON.parse(text)).toEqual(structured);
    expect(text).not.toContain('\n');
  });

  it('never has empty content', () => {
    const r = success({});
    expect(textOf(r)).toBe('{}');
  });
});

describe('failure', () => {
  it('is isError with `CODE: message. Next: …` and {backend, connector, error}', () => {
    const e = new ToolError('CONNECTION_REQUIRED', 'No AmoCRM connection', { nextStep: 'Ask the user to run `membrane connect`.' });
    const r = failure(e, 'sandbox-cli', 'amocrm');
    expect(r.isError).toBe(true);
    expect(textOf(r)).toBe('CONNECTION_REQUIRED: No AmoCRM connection. Next: Ask the user to run `membrane connect`.');
    expect(r.structuredContent).toEqual({
      backend: 'sandbox-cli',
      connector: 'amocrm',
      error: {
        code: 'CONNECTION_REQUIRED',
        message: 'No AmoCRM connection',
        retryable: false,
        nextStep: 'Ask the user to run `membrane connect`.',
      },
    });
  });

  it('keeps a message that already ends with punctuation and omits Next when there is none', () => {
    const r = failure(new ToolError('TIMEOUT', 'The CLI took too long!'), 'membrane-cli', '1crm');
    expect(textOf(r)).toBe('TIMEOUT: The CLI took too long!');
    expect(r.structuredContent).toEqual({
      backend: 'membrane-cli',
      connector: '1crm',
      error: { code: 'TIMEOUT', message: 'The CLI took too long!', retryable: true },
    });
  });

  it('adds uiUrl and retryAfterSeconds to the error, and the URL to the text', () => {
    const e = new ToolError('CONNECTION_NEEDS_USER_ACTION', 'The connection expired', {
      uiUrl: 'https://console.example/reconnect',
      retryAfterSeconds: 5,
    });
    const r = failure(e, 'sandbox-cli', 'amocrm');
    expect(textOf(r)).toBe('CONNECTION_NEEDS_USER_ACTION: The connection expired. Open: https://console.example/reconnect');
    expect((r.structuredContent as { error: Record<string, unknown> }).error).toMatchObject({
      uiUrl: 'https://console.example/reconnect',
      retryAfterSeconds: 5,
    });
    // Not repeated when the next step already names it.
    const named = new ToolError('CONNECTION_NEEDS_USER_ACTION', 'Expired', {
      uiUrl: 'https://u.example/x',
      nextStep: 'Open https://u.example/x, then retry.',
    });
    expect(textOf(failure(named, 'sandbox-cli', 'amocrm'))).toBe(
      'CONNECTION_NEEDS_USER_ACTION: Expired. Next: Open https://u.example/x, then retry.',
    );
  });

  it('appends the details to the text (many clients show the model only the text)', () => {
    const details = { fields: [{ field: 'input.name', problem: 'is required' }] };
    const r = failure(new ToolError('INVALID_INPUT', 'Input is invalid', { nextStep: 'Fix it.', details }), 'sandbox-cli', 'amocrm');
    expect(textOf(r)).toBe(`INVALID_INPUT: Input is invalid. Next: Fix it. Details: ${JSON.stringify(details)}`);
    expect((r.structuredContent as { error: { details: unknown } }).error.details).toEqual(details);
  });

  it('caps long details in the text but keeps them whole in structuredContent', () => {
    const details = { inputSchema: { description: 'd'.repeat(10_000) } };
    const r = failure(new ToolError('INVALID_INPUT', 'Input is invalid', { details }), 'sandbox-cli', 'amocrm');
    const text = textOf(r);
    expect(text.length).toBeLessThan(4_300);
    expect(text).toContain('… (more in structuredContent)');
    expect(text.startsWith('INVALID_INPUT: Input is invalid. Details: {"inputSchema"')).toBe(true);
    expect((r.structuredContent as { error: { details: unknown } }).error.details).toEqual(details);
  });

  it('every error code renders as `CODE: …`', () => {
    for (const code of Object.keys(ERROR_CODES) as (keyof typeof ERROR_CODES)[]) {
      const text = textOf(failure(new ToolError(code, 'Something', { nextStep: 'Do this' }), 'sandbox-cli', 'amocrm'));
      expect(text).toBe(`${code}: Something. Next: Do this`);
    }
  });
});

describe('toToolError', () => {
  it('turns a thrown Error into INTERNAL_ERROR without a stack trace', () => {
    const err = new Error('Cannot read properties of undefined (reading "x")\n    at secret (/home/user/app/src/file.ts:1:1)');
    const e = toToolError(err);
    expect(e).toBeInstanceOf(ToolError);
    expect(e.code).toBe('INTERNAL_ERROR');
    expect(e.message).toBe('Unexpected server error: Cannot read properties of undefined (reading "x")');
    expect(e.retryable).toBe(false);
    expect(e.nextStep).toBeTruthy();
    const text = textOf(failure(e, 'sandbox-cli', 'amocrm'));
    expect(text).not.toContain(' at ');
    expect(text).not.toContain('/home/user');
    expect(JSON.stringify(e.toJSON())).not.toContain(err.stack!.split('\n')[1].trim());
  });

  it('caps the message at 300 characters', () => {
    const e = toToolError(new Error('x'.repeat(1_000)));
    expect(e.message).toBe(`Unexpected server error: ${'x'.repeat(300)}`);
  });

  it('handles thrown non-errors', () => {
    expect(toToolError('just a string').message).toBe('Unexpected server error: just a string');
    expect(toToolError(undefined).code).toBe('INTERNAL_ERROR');
    expect(toToolError({ weird: true }).message).toBe('Unexpected server error: [object Object]');
  });

  it('passes a ToolError through unchanged', () => {
    const e = new ToolError('RATE_LIMITED', 'Slow down', { retryAfterSeconds: 3 });
    expect(toToolError(e)).toBe(e);
  });
});

describe('failure within the output budget', () => {
  it('drops the full input schema first, then cuts the details, and stays under maxChars', () => {
    const bigSchema = {
      type: 'object',
      properties: Object.fromEntries(
        Array.from({ length: 300 }, (_, i) => [`field_${i}`, { type: 'string', description: 'x'.repeat(40) }]),
      ),
    };
    const fields = Array.from({ length: 200 }, (_, i) => ({ field: `field_${i}`, problem: 'is required' }));
    const e = new ToolError('INVALID_INPUT', 'Input is invalid', {
      nextStep: 'Fix the fields.',
      details: { fields, inputs: { name: 'string' }, inputSchema: bigSchema },
    });
    const loose = failure(e, 'sandbox-cli', 'amocrm');
    expect(JSON.stringify(loose.structuredContent).length).toBeGreaterThan(20_000);
    for (const budget of [20_000, 5_000, 2_000]) {
      const r = failure(e, 'sandbox-cli', 'amocrm', budget);
      expect(JSON.stringify(r.structuredContent).length, `structured at ${budget}`).toBeLessThanOrEqual(budget);
      expect((r.content[0] as { text: string }).text.length, `text at ${budget}`).toBeLessThanOrEqual(budget);
      expect((r.structuredContent as { error: { code: string } }).error.code).toBe('INVALID_INPUT');
    }
    const mid = failure(e, 'sandbox-cli', 'amocrm', 20_000).structuredContent as { error: { details: Record<string, unknown> } };
    expect(mid.error.details).not.toHaveProperty('inputSchema');
    expect(mid.error.details).toHaveProperty('inputs');
  });
});
