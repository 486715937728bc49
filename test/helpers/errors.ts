// The ToolError a synchronous call throws, failing the test when it throws nothing or something else.
import { expect } from 'vitest';
import { ToolError } from '../../src/errors.js';

export function caught(fn: () => unknown): ToolError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ToolError);
    return e as ToolError;
  }
  throw new Error('expected a ToolError');
}
