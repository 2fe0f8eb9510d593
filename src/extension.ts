import * as l10n from '@vscode/l10n';
import * as vscode from 'vscode';
import { guardActivation } from './activation';
import { registerCommands } from './commands';
import { Session } from './vscode/session';

/** What the end-to-end tests reach into; other extensions get no API. */
export interface KokoroApi {
  session: Session;
}

/**
 * Resolves the test API when the extension runs under test, otherwise undefined (also when
 * starting failed: the commands then answer with the error).
 */
export function activate(context: vscode.ExtensionContext): Promise<KokoroApi | undefined> {
  // The modules that do not import 'vscode' translate through @vscode/l10n, from the same bundle.
  if (vscode.l10n.bundle) l10n.config({ contents: vscode.l10n.bundle });
  const log = vscode.window.createOutputChannel('Kokoro Read Aloud', { log: true });
  context.subscriptions.push(log);
  const commands: { command: string }[] = context.extension.packageJSON?.contributes?.commands ?? [];
  return guardActivation(
    async () => {
      const session = await Session.create(context, log);
      try {
        registerCommands(session);
        session.startUp();
      } catch (err) {
        session.dispose(); // also unregisters the commands registered so far
        throw err;
      }
      return context.extensionMode === vscode.ExtensionMode.Test ? { session } : undefined;
    },
    commands.map((c) => c.command),
    {
      log: (message) => log.error(message),
      show: (message) => void vscode.window.showErrorMessage(message, vscode.l10n.t('Show Log')).then((choice) => choice && log.show()),
      register: (id, handler) => context.subscriptions.push(vscode.commands.registerCommand(id, handler)),
    },
    { 'kokoro.showLog': () => log.show() },
  );
}

export function deactivate(): void {
  // The session is disposed through context.subscriptions.
}
