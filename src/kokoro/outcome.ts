// The one outcome of speech that can end several ways at once (the audio ends, the source fails, a timeout
// fires, the user stops it): the first way wins, the others are ignored, and a failure also stops the work.

import * as l10n from '@vscode/l10n';
import { KokoroError } from './errors';

export interface Outcome<T> {
  /** Ends with `error`, or else with `value`; only the first call counts. */
  settle(error: unknown, value?: T): void;
  /** Ends with `error` and stops the work (closes the connection, kills the process). */
  fail(error: unknown): void;
  readonly settled: boolean;
}

/**
 * Settles a promise once. `stop` stops the work after a failure; `cleanup` runs once at the end either way. Aborting
 * `signal` (Stop) fails it with "Stopped."; the caller listens for it from when the work starts, with `listen()`.
 */
export function outcome<T>(
  resolve: (value: T) => void,
  reject: (error: unknown) => void,
  signal: AbortSignal | undefined,
  stop: (error: unknown) => void,
  cleanup?: () => void,
): Outcome<T> & { listen(): void } {
  let settled = false;
  const onAbort = () => fail(new KokoroError('aborted', l10n.t('Stopped.')));
  const settle = (error: unknown, value?: T) => {
    if (settled) return;
    settled = true;
    cleanup?.();
    signal?.removeEventListener('abort', onAbort);
    if (error) reject(error);
    else resolve(value!);
  };
  const fail = (error: unknown) => {
    if (settled) return;
    settle(error);
    stop(error);
  };
  return {
    settle,
    fail,
    get settled() {
      return settled;
    },
    listen: () => signal?.addEventListener('abort', onAbort, { once: true }),
  };
}
