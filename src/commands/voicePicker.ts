// The Select Voice quick pick's behaviour, on the part of vscode.QuickPick it uses, so it runs in
// plain Node tests: it opens at once, fills in when the server's voice list arrives, and ends
// whenever the user leaves it (also while the list is still loading).

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
      pick.items = voices.map((voice) => ({ label: voice, voice, description: voice === current ? 'current' : voiceDescription(voice) }));
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

const LANGUAGES: Record<string, string> = {
  a: 'American English',
  b: 'British English',
  e: 'Spanish',
  f: 'French',
  h: 'Hindi',
  i: 'Italian',
  j: 'Japanese',
  p: 'Brazilian Portuguese',
  z: 'Mandarin Chinese',
};

export function voiceDescription(voice: string): string {
  const m = /^([a-z])([fm])_/.exec(voice);
  if (!m) return '';
  return `${LANGUAGES[m[1]] ?? ''}${LANGUAGES[m[1]] ? ', ' : ''}${m[2] === 'f' ? 'female' : 'male'}`;
}
