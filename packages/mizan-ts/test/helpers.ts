// Shared by the test files: what a failing call throws, as a Layer 1 error code.
import { expect } from 'vitest';
import { MizanCoreError, type CoreErrorCode } from '../src/index.js';

/** The code of the `MizanCoreError` that `run` throws, or `undefined` when it returns. */
export function codeOf(run: () => unknown): CoreErrorCode | undefined {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(MizanCoreError);
    return (error as MizanCoreError).code;
  }
  return undefined;
}

/** Like {@link codeOf}, for a function that returns a promise. */
export async function asyncCodeOf(run: () => unknown): Promise<CoreErrorCode | undefined> {
  try {
    await run();
  } catch (error) {
    expect(error).toBeInstanceOf(MizanCoreError);
    return (error as MizanCoreError).code;
  }
  return undefined;
}
