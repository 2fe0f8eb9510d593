import * as vscode from 'vscode';
import { KokoroError } from '../kokoro/errors';
import { API_KEY_SECRET, Session } from '../vscode/session';
import { updateSetting } from '../vscode/settings';

export function selectVoice(session: Session) {
  return async (): Promise<void> => {
    const pick = vscode.window.createQuickPick<vscode.QuickPickItem & { voice: string }>();
    pick.title = 'Kokoro: Select Voice';
    pick.placeholder = `Current voice: ${session.config.voice}. Type a voice id or a mix such as af_bella+af_sky.`;
    pick.busy = true;
    pick.matchOnDescription = true;
    pick.show();
    const current = session.config.voice;
    try {
      const voices = await session.server.client.voices();
      pick.items = voices.map((voice) => ({ label: voice, voice, description: voice === current ? 'current' : voiceDescription(voice) }));
      pick.activeItems = pick.items.filter((i) => i.voice === current);
    } catch (err) {
      pick.hide();
      if (err instanceof KokoroError) session.errors.show(err, () => vscode.commands.executeCommand('kokoro.selectVoice'));
      return;
    } finally {
      pick.busy = false;
    }
    const chosen = await new Promise<string | undefined>((resolve) => {
      pick.onDidAccept(() => resolve(pick.selectedItems[0]?.voice ?? (pick.value.trim() || undefined)));
      pick.onDidHide(() => resolve(undefined));
    });
    pick.dispose();
    if (!chosen || chosen === current) return;
    const target = await updateSetting('voice', chosen);
    session.log.info(`Voice set to ${chosen} in the ${target === vscode.ConfigurationTarget.Workspace ? 'workspace' : 'user'} settings.`);
  };
}

const LANGUAGES: Record<string, string> = { a: 'American English', b: 'British English', e: 'Spanish', f: 'French', h: 'Hindi', i: 'Italian', j: 'Japanese', p: 'Brazilian Portuguese', z: 'Mandarin Chinese' };

function voiceDescription(voice: string): string {
  const m = /^([a-z])([fm])_/.exec(voice);
  if (!m) return '';
  return `${LANGUAGES[m[1]] ?? ''}${LANGUAGES[m[1]] ? ', ' : ''}${m[2] === 'f' ? 'female' : 'male'}`;
}

export function warmUp(session: Session) {
  return async (): Promise<void> => {
    await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: 'Kokoro: warming up the server' }, () => session.server.warmUp());
    const error = session.server.lastError;
    if (error) session.errors.show(error, () => vscode.commands.executeCommand('kokoro.warmUp'));
    else if (session.server.state === 'ready') void vscode.window.setStatusBarMessage('Kokoro: server warmed up', 3000);
  };
}

export function setApiKey(session: Session) {
  return async (): Promise<void> => {
    const value = await vscode.window.showInputBox({
      title: 'Kokoro: Set API Key',
      prompt: 'Key sent as "Authorization: Bearer …" to the configured server only. Leave empty to remove it. Kokoro-FastAPI needs none.',
      password: true,
      ignoreFocusOut: true,
    });
    if (value === undefined) return;
    if (value.trim()) await session.context.secrets.store(API_KEY_SECRET, value.trim());
    else await session.context.secrets.delete(API_KEY_SECRET);
    void vscode.window.showInformationMessage(value.trim() ? 'Kokoro: API key saved in the secret storage.' : 'Kokoro: API key removed.');
  };
}
