// Assertions the unit tests of the client share.

import * as assert from 'node:assert/strict';
import { KokoroError } from '../../src/kokoro/errors';

/** Resolves with the KokoroError `promise` rejects with, after checking its kind (and message). */
export async function rejectsWith(promise: Promise<unknown>, kind: string, message?: RegExp): Promise<KokoroError> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof KokoroError, `expected a KokoroError, got ${String(err)}`);
    assert.equal(err.kind, kind, err.message);
    if (message) assert.match(err.message, message);
    return err;
  }
  assert.fail(`expected a ${kind} error`);
}
