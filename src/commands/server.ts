import * as vscode from 'vscode';
import { KokoroError } from '../kokoro/errors';
import type { Session } from '../vscode/session';
import { updateSetting } from '../vscode/settings';
import { type VoiceItem, pickVoice } from './voicePicker';

export function selectVoice(session: Pick<Session, 'config' | 'voices' | 'showError' | 'log'>) {
  return async (): Promise<void> => {
    const pick = vscode.window.createQuickPick<VoiceItem>();
    pick.title = vscode.l10n.t('Kokoro: Select Voice');
    pick.placeholder = vscode.l10n.t('Current voice: {0}. Type a voice id or a mix such as af_bella+af_sky.', session.config.voice);
    pick.matchOnDescription = true;
    const current = session.config.voice;
    let chosen: string | undefined;
    try {
      chosen = await pickVoice(pick, current, () => session.voices());
    } catch (err) {
      if (err instanceof KokoroError) session.showError(err, () => vscode.commands.executeCommand('kokoro.selectVoice'));
      return;
    }
    if (!chosen || chosen === current) return;
    const target = await updateSetting('voice', chosen);
    session.log.info(`Voice set to ${chosen} in the ${target === vscode.ConfigurationTarget.Workspace ? 'workspace' : 'user'} settings.`);
  };
}

export function warmUp(session: Pick<Session, 'warmUp' | 'showError'>) {
  return async (): Promise<void> => {
    const { error, ready } = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Window, title: vscode.l10n.t('Kokoro: warming up the server') },
      () => session.warmUp(),
    );
    if (error) session.showError(error, () => vscode.commands.executeCommand('kokoro.warmUp'));
    else if (ready) void vscode.window.setStatusBarMessage(vscode.l10n.t('Kokoro: server warmed up'), 3000);
  };
}

export function setApiKey(session: Pick<Session, 'storeApiKey'>) {
  return async (): Promise<void> => {
    const value = await vscode.window.showInputBox({
      title: vscode.l10n.t('Kokoro: Set API Key'),
      prompt: vscode.l10n.t(
        'Key sent as "Authorization: Bearer …" to the configured server only. Leave empty to remove it. Kokoro-FastAPI needs none.',
      ),
      password: true,
      ignoreFocusOut: true,
    });
    if (value === undefined) return;
    await session.storeApiKey(value.trim() || undefined);
    void vscode.window.showInformationMessage(
      value.trim() ? vscode.l10n.t('Kokoro: API key saved in the secret storage.') : vscode.l10n.t('Kokoro: API key removed.'),
    );
  };
}
