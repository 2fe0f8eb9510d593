// Activation that cannot take the extension down: whatever fails while starting is logged and
// shown once, and every contributed command stays registered and answers with that error
// instead of VS Code's "command not found".

import * as l10n from '@vscode/l10n';

export interface ActivationHost {
  log(message: string): void;
  /** Shows the failure (the vscode layer adds a Show Log action). */
  show(message: string): void;
  register(commandId: string, handler: () => unknown): void;
}

/**
 * Runs `start`; if it throws, registers a stand-in for each of `commandIds` (or the handler
 * `fallbacks` gives for it, e.g. Show Log) and resolves undefined.
 */
export async function guardActivation<T>(
  start: () => Promise<T>,
  commandIds: readonly string[],
  host: ActivationHost,
  fallbacks: Readonly<Record<string, () => unknown>> = {},
): Promise<T | undefined> {
  try {
    return await start();
  } catch (err) {
    const message = l10n.t('Kokoro Read Aloud could not start: {0}', err instanceof Error ? err.message : String(err));
    host.log(`${message}${err instanceof Error && err.stack ? `\n${err.stack}` : ''}`);
    host.show(message);
    for (const id of commandIds) host.register(id, fallbacks[id] ?? (() => host.show(message)));
    return undefined;
  }
}
