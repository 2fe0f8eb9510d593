import * as vscode from 'vscode';
import { registerCommands } from './commands';
import { Session } from './vscode/session';

export interface KokoroApi {
  session: Session;
}

export async function activate(context: vscode.ExtensionContext): Promise<KokoroApi> {
  const session = await Session.create(context);
  registerCommands(session);
  session.startUp();
  return { session };
}

export function deactivate(): void {
  // The session is disposed through context.subscriptions.
}
