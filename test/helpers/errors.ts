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

/** The ToolError an async call rejects with, failing the test when it resolves or rejects with something else. */
export async function caughtAsync(fn: () => Promise<unknown>): Promise<ToolError> {
  try {
    await fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ToolError);
    return e as ToolError;
  }
  throw new Error('expected a ToolError');
}
