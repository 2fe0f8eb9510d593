// The Select Voice quick pick's behaviour, on the part of vscode.QuickPick it uses, so it runs in
// plain Node tests: it opens at once, fills in when the server's voice list arrives, and ends
// whenever the user leaves it (also while the list is still loading).

import * as l10n from '@vscode/l10n';

export interface VoiceItem {
  label: string;
  description?: string;
  voice: string;
}

/** What pickVoice needs of a vscode.QuickPick<VoiceItem>. */
export interface VoicePick {
  items: readonly VoiceItem[];
  activeItems: readonly VoiceItem[];
  readonly selectedItems: readonly VoiceItem[];
  value: string;
  busy: boolean;
  show(): void;
  hide(): void;
  dispose(): void;
  onDidAccept(listener: () => void): unknown;
  onDidHide(listener: () => void): unknown;
}

/**
 * Shows `pick` and resolves with the voice accepted (a listed one or a typed id or mix), or
 * undefined when the user leaves. Rejects with the loading error when the list cannot be loaded
 * while the pick is open. The pick is disposed in every case.
 */
export async function pickVoice(pick: VoicePick, current: string, loadVoices: () => Promise<string[]>): Promise<string | undefined> {
  let done = false;
  let failure: { error: unknown } | undefined;
  // Listen before anything is awaited: Escape while the list loads must end the command.
  const chosen = new Promise<string | undefined>((resolve) => {
    pick.onDidAccept(() => resolve(pick.selectedItems[0]?.voice ?? (pick.value.trim() || undefined)));
    pick.onDidHide(() => resolve(undefined));
  });
  pick.busy = true;
  pick.show();
  loadVoices().then(
    (voices) => {
      if (done) return;
      pick.items = voices.map((voice) => ({
        label: voice,
        voice,
        description: voice === current ? l10n.t('current') : voiceDescription(voice),
      }));
      pick.activeItems = pick.items.filter((i) => i.voice === current);
      pick.busy = false;
    },
    (error: unknown) => {
      if (done) return;
      failure = { error };
      pick.hide();
    },
  );
  try {
    const voice = await chosen;
    if (failure) throw failure.error;
    return voice;
  } finally {
    done = true;
    pick.dispose();
  }
}

/** The language of Kokoro's voice-id prefix (a function: messages are looked up once the bundle is loaded). */
function language(prefix: string): string | undefined {
  switch (prefix) {
    case 'a':
      return l10n.t('American English');
    case 'b':
      return l10n.t('British English');
    case 'e':
      return l10n.t('Spanish');
    case 'f':
      return l10n.t('French');
    case 'h':
      return l10n.t('Hindi');
    case 'i':
      return l10n.t('Italian');
    case 'j':
      return l10n.t('Japanese');
    case 'p':
      return l10n.t('Brazilian Portuguese');
    case 'z':
      return l10n.t('Mandarin Chinese');
    default:
      return undefined;
  }
}

export function voiceDescription(voice: string): string {
  const m = /^([a-z])([fm])_/.exec(voice);
  if (!m) return '';
  const name = language(m[1]);
  const female = m[2] === 'f';
  if (name) return female ? l10n.t('{0}, female', name) : l10n.t('{0}, male', name);
  return female ? l10n.t('female') : l10n.t('male');
}
