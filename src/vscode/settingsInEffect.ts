// The settings in effect: read from the configuration (and the API key from the secret storage),
// told to the user when a value is unusable, and changed at once by the extension itself (a speed
// set in the player takes effect now; the settings file only keeps it for next time).

import * as vscode from 'vscode';
import { type KokoroConfig, SECTION, type SettingProblem, serverSettings } from '../config';
import type { ServerSettings } from '../kokoro/connection';
import type { KokoroError } from '../kokoro/errors';
import { SPEED } from '../player/messages';
import { compilePronunciations, type Pronunciations } from '../speech/speakable';
import { SettingNotices } from './settingNotices';
import { readSettings, updateSetting } from './settings';

export const API_KEY_SECRET = 'kokoro.apiKey';

export interface SettingsChange {
  before: KokoroConfig;
  after: KokoroConfig;
}

export class SettingsInEffect implements vscode.Disposable {
  private configValue: KokoroConfig;
  private problems: SettingProblem[];
  private pronunciationsValue: Pronunciations | undefined;
  /**
   * Speeds set here and written to the settings, after the speed before them, oldest first: until the
   * last has landed, a settings read showing one of the others is stale (the writes land one by one).
   */
  private speedsInFlight: number[] = [];
  private readonly notices: SettingNotices;
  private readonly changed = new vscode.EventEmitter<SettingsChange>();
  /** The settings in effect changed (also the API key: the server settings then differ). */
  readonly onDidChange = this.changed.event;
  private readonly disposables: vscode.Disposable[];

  private constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly log: vscode.LogOutputChannel,
    private apiKey: string | undefined,
    /** The error that makes the server URL unusable, once the settings are in effect. */
    private readonly urlError: () => KokoroError | undefined,
    showUrlError: (error: KokoroError) => void,
  ) {
    ({ config: this.configValue, problems: this.problems } = readSettings(context));
    this.pronunciationsValue = compilePronunciations(this.configValue.pronunciations);
    this.notices = new SettingNotices({ context, log, showUrlError });
    this.disposables = [
      this.changed,
      vscode.workspace.onDidChangeConfiguration((e) => e.affectsConfiguration(SECTION) && this.reload()),
      context.secrets.onDidChange(async (e) => {
        if (e.key !== API_KEY_SECRET) return;
        this.apiKey = await context.secrets.get(API_KEY_SECRET);
        this.changed.fire({ before: this.configValue, after: this.configValue });
      }),
    ];
  }

  static async create(
    context: vscode.ExtensionContext,
    log: vscode.LogOutputChannel,
    urlError: () => KokoroError | undefined,
    showUrlError: (error: KokoroError) => void,
  ): Promise<SettingsInEffect> {
    return new SettingsInEffect(context, log, await context.secrets.get(API_KEY_SECRET), urlError, showUrlError);
  }

  get config(): KokoroConfig {
    return this.configValue;
  }

  /** The user's pronunciations as compiled for text preparation. */
  get pronunciations(): Pronunciations | undefined {
    return this.pronunciationsValue;
  }

  get server(): ServerSettings {
    return serverSettings(this.configValue, this.apiKey);
  }

  /** Says what is wrong with the settings read at start-up, and warns about plain HTTP to another machine. */
  tellAtStartUp(): void {
    this.notices.tellProblems(this.problems, this.urlError());
    this.notices.warnAboutPlainHttp(this.configValue.serverUrl);
  }

  /** Another server (kokoro.serverUrls) took over: warns once if text now travels unencrypted to another machine. */
  serverInUse(url: string): void {
    this.notices.warnAboutPlainHttp(url);
  }

  /** Takes effect at once (a reading goes on at the new speed); the setting only keeps it for next time. */
  async setSpeed(speed: number): Promise<void> {
    const clamped = Math.min(SPEED.max, Math.max(SPEED.min, Math.round(speed * 100) / 100));
    if (clamped === this.configValue.speed) return;
    if (!this.speedsInFlight.length) this.speedsInFlight.push(this.configValue.speed);
    this.speedsInFlight.push(clamped);
    this.apply({ ...this.configValue, speed: clamped });
    try {
      const target = await updateSetting('speed', clamped);
      if (target === vscode.ConfigurationTarget.Workspace)
        this.log.info(`Speed ${clamped} written to the workspace settings, where kokoro.speed is set.`);
    } catch (err) {
      this.speedsInFlight = [];
      throw err;
    }
  }

  /** Keeps the API key in the secret storage (undefined removes it); the change event follows from there. */
  async storeApiKey(key: string | undefined): Promise<void> {
    if (key) await this.context.secrets.store(API_KEY_SECRET, key);
    else await this.context.secrets.delete(API_KEY_SECRET);
  }

  private reload(): void {
    const before = this.configValue;
    let config: KokoroConfig;
    ({ config, problems: this.problems } = readSettings(this.context));
    let speed = config.speed;
    if (this.speedsInFlight.length) {
      // Caught up with the last speed set here, or changed by someone else: the settings say it again.
      if (speed === this.speedsInFlight.at(-1) || !this.speedsInFlight.includes(speed)) this.speedsInFlight = [];
      else speed = before.speed;
    }
    this.apply({ ...config, speed });
    this.notices.tellProblems(this.problems, this.urlError());
    if (config.serverUrl !== before.serverUrl) this.notices.warnAboutPlainHttp(config.serverUrl);
  }

  private apply(config: KokoroConfig): void {
    const before = this.configValue;
    this.configValue = config;
    if (JSON.stringify(config.pronunciations) !== JSON.stringify(before.pronunciations))
      this.pronunciationsValue = compilePronunciations(config.pronunciations);
    this.changed.fire({ before, after: config });
  }

  dispose(): void {
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}
