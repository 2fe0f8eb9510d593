// The fallback voices this machine has (espeak-ng, looked for at start-up; the player's system
// voices, as the player lists them) and which one reads while the Kokoro server is down.

import * as vscode from 'vscode';
import { chooseFallback, type FallbackChoice, type FallbackSetting } from '../fallback/choice';
import { EspeakVoice } from '../fallback/espeak';
import type { SpeechEngine } from '../speech/reader';

export class FallbackVoices {
  private espeak: EspeakVoice | undefined;
  /** How many voices the player's speechSynthesis lists; undefined until it says. */
  private systemVoices: number | undefined;
  /** The user has been told once that no fallback voice is available, and how to get one. */
  private toldNoneAvailable = false;

  constructor(
    private readonly setting: () => FallbackSetting,
    private readonly systemVoice: SpeechEngine,
    private readonly log: vscode.LogOutputChannel,
    /** What this machine has changed (the status bar tooltip says it). */
    private readonly changed: () => void,
  ) {}

  /** Looks for espeak-ng (once, at start-up). */
  findEspeak(): void {
    void EspeakVoice.find().then((path) => {
      this.espeak = path ? new EspeakVoice({ path }) : undefined;
      this.log.info(path ? `Fallback voice: espeak-ng found at ${path}.` : 'Fallback voice: espeak-ng is not installed.');
      this.changed();
    });
  }

  /** The player listed `count` system voices. */
  systemVoicesListed(count: number): void {
    if (count !== this.systemVoices) this.log.info(`The player's system voices: ${count}.`);
    this.systemVoices = count;
    this.changed();
  }

  /** What reads while the server is down, and why (tooltip, messages). */
  get choice(): FallbackChoice {
    return chooseFallback({
      setting: this.setting(),
      espeakPath: this.espeak?.options.path,
      systemVoices: this.systemVoices,
      platform: process.platform,
    });
  }

  /** The voice that reads now, undefined when there is none. */
  engine(): SpeechEngine | undefined {
    switch (this.choice.engine) {
      case 'espeak':
        return this.espeak;
      case 'system':
        return this.systemVoice;
      default:
        return undefined;
    }
  }

  /** Says once, unless the fallback is turned off, what to install so that the user is never left in silence. */
  tellNoneAvailable(): void {
    if (this.setting() === 'off' || this.toldNoneAvailable) return;
    this.toldNoneAvailable = true;
    void vscode.window.showInformationMessage(this.choice.why);
  }

  /** What the player says while the fallback voice reads. */
  get note(): string {
    return this.choice.engine === 'system'
      ? vscode.l10n.t('Fallback voice (this machine’s own): the Kokoro server is not answering.')
      : vscode.l10n.t('Fallback voice (espeak-ng): the Kokoro server is not answering.');
  }
}
