// Which voice reads when the Kokoro server is down: the player's system voices (speechSynthesis),
// espeak-ng, or none, and why, in words a user can act on.

import * as l10n from '@vscode/l10n';

export type FallbackSetting = 'auto' | 'espeak' | 'system' | 'off';
export type FallbackEngine = 'espeak' | 'system' | 'none';

export interface FallbackSituation {
  setting: FallbackSetting;
  /** Where espeak-ng is installed (`EspeakVoice.find()`); absent when it is not. */
  espeakPath?: string;
  /** Voices the player's speechSynthesis lists; undefined = not known yet. */
  systemVoices: number | undefined;
  /** Narrows the install instructions to this platform; every platform's when absent. */
  platform?: NodeJS.Platform;
}

export interface FallbackChoice {
  engine: FallbackEngine;
  /** User-facing: what reads while the server is down, or why nothing can and what to install. */
  why: string;
}

export const ESPEAK_RELEASES_URL = 'https://github.com/espeak-ng/espeak-ng/releases';

/** `auto` prefers the player's system voices, then espeak-ng; `espeak` and `system` take only that engine. */
export function chooseFallback(situation: FallbackSituation): FallbackChoice {
  const { setting, espeakPath, systemVoices, platform } = situation;
  const hasSystemVoices = systemVoices !== undefined && systemVoices > 0;
  const system = (): FallbackChoice => ({
    engine: 'system',
    why: l10n.t("While the Kokoro server is down, one of the player's system voices reads instead."),
  });
  const espeak = (found: string): FallbackChoice => ({
    engine: 'espeak',
    why: l10n.t('While the Kokoro server is down, espeak-ng ({0}) reads instead.', found),
  });
  const none = (...sentences: string[]): FallbackChoice => ({ engine: 'none', why: sentences.join(' ') });

  switch (setting) {
    case 'off':
      return none(l10n.t('The fallback voice is off: nothing reads while the Kokoro server is down.'));
    case 'espeak':
      return espeakPath ? espeak(espeakPath) : none(l10n.t('No fallback voice: espeak-ng is not installed.'), espeakInstallHint(platform));
    case 'system':
      if (hasSystemVoices) return system();
      if (systemVoices === undefined) return none(l10n.t('No fallback voice yet: the player has not listed its system voices.'));
      return none(
        l10n.t(
          "No fallback voice: this machine's browser engine offers the player no system voices (VS Code on the Linux desktop lists none).",
        ),
        espeakPath
          ? l10n.t('espeak-ng is installed: choose it as the fallback voice instead.')
          : l10n.t('Choose espeak-ng as the fallback voice instead.'),
        ...(espeakPath ? [] : [espeakInstallHint(platform)]),
      );
    case 'auto':
      if (hasSystemVoices) return system();
      if (espeakPath) return espeak(espeakPath);
      return none(
        systemVoices === undefined
          ? l10n.t('No fallback voice yet: the player has not listed its system voices, and espeak-ng is not installed.')
          : l10n.t('No fallback voice: the player offers no system voices on this machine, and espeak-ng is not installed.'),
        espeakInstallHint(platform),
      );
  }
}

/** How to install espeak-ng, for one platform or (unknown platform) for each. */
export function espeakInstallHint(platform?: NodeJS.Platform): string {
  const apt = 'sudo apt install espeak-ng';
  const brew = 'brew install espeak-ng';
  switch (platform) {
    case 'linux':
      return l10n.t('To install espeak-ng on Debian or Ubuntu, run {0}.', apt);
    case 'darwin':
      return l10n.t('To install espeak-ng on macOS, run {0}.', brew);
    case 'win32':
      return l10n.t('To install espeak-ng on Windows, run its installer from {0}.', ESPEAK_RELEASES_URL);
  }
  return l10n.t(
    'To install espeak-ng: on Debian or Ubuntu run {0}, on macOS run {1}, on Windows run its installer from {2}.',
    apt,
    brew,
    ESPEAK_RELEASES_URL,
  );
}
