// The one object that owns everything the extension creates: settings, the server
// and its client, the reader, the player, the status bar, and their disposables.

import * as vscode from 'vscode';
import { type KokoroConfig, SECTION, type SettingProblem, serverSettings } from '../config';
import type { KokoroError } from '../kokoro/errors';
import { standInNote } from '../kokoro/client';
import { ServerConnection } from '../kokoro/connection';
import { type FromPlayer, type PlayerPageMarks, SPEED } from '../player/messages';
import { PlayerView } from '../player/playerView';
import { AudioCache } from '../speech/audioCache';
import { Playback, type PlayOptions } from '../speech/playback';
import { Reader, type ReadingRequest, type ReadingResult, type SpeechEngine } from '../speech/reader';
import {
  applyPronunciations,
  compilePronunciations,
  neutralizeControlSyntax,
  type Pronunciations,
  type PunctuationLevel,
  type TextKind,
  toSpeakable,
} from '../speech/speakable';
import { LatencyStats } from '../stats/latency';
import { describePlayerStartup, formatPlayerStartup, formatWaterfall, type Waterfall } from '../stats/waterfall';
import { StatsView } from '../stats/statsView';
import { StatusBar } from '../stats/statusBar';
import { DiagnosticAnnouncements } from './announcements';
import { chooseFallback, type FallbackChoice } from '../fallback/choice';
import { EspeakVoice } from '../fallback/espeak';
import { ErrorReporter } from './errorReporter';
import { EditorText, FollowAlong, type FollowedSource } from './followAlong';
import { TerminalWatch } from './terminalWatch';
import { SettingNotices } from './settingNotices';
import { locateSetting, readSettings, updateSetting } from './settings';

export const API_KEY_SECRET = 'kokoro.apiKey';

/** Audio kept for repeated messages (errors read again and again). */
const AUDIO_CACHE_BYTES = 32 * 1024 * 1024;

export type ReadOptions = {
  /** How to make the text speakable; 'spoken' is text already worded for speech (problem descriptions). */
  kind: TextKind | 'spoken';
  languageId?: string;
  title?: string;
  /** Where the text is in an editor: read sentence by sentence, followed there with a highlight. */
  source?: FollowedSource;
} &
  /** An automatic announcement: never interrupts the user's own reading; no command started it, so "command → audio playing" is not recorded. */
  (
    | { announcement: true }
    /** performance.now() taken first thing in the command's handler: "command → audio playing" is measured from it. */
    | { announcement?: false; startedAt: number }
  );

/** What the player says while the fallback voice reads. */
function fallbackNote(engine: FallbackChoice['engine']): string {
  return engine === 'system'
    ? vscode.l10n.t('Fallback voice (this machine’s own): the Kokoro server is not answering.')
    : vscode.l10n.t('Fallback voice (espeak-ng): the Kokoro server is not answering.');
}

export class Session implements vscode.Disposable {
  readonly log: vscode.LogOutputChannel;
  readonly stats = new LatencyStats();
  readonly player: PlayerView;
  readonly server: ServerConnection;
  readonly reader: Reader;
  readonly playback: Playback;
  readonly errors: ErrorReporter;
  readonly announcements: DiagnosticAnnouncements;
  readonly followAlong: FollowAlong;
  readonly terminals: TerminalWatch;
  private readonly statusBar: StatusBar;
  private readonly statsView: StatsView;
  private readonly disposables: vscode.Disposable[] = [];
  private readonly finished = new vscode.EventEmitter<ReadingResult>();
  /** Fires after every reading with its outcome and timings. */
  readonly onDidFinishReading = this.finished.event;
  config: KokoroConfig;
  private apiKey: string | undefined;

  private settingProblems: SettingProblem[];
  private readonly notices: SettingNotices;
  /**
   * Speeds set here and written to the settings, after the speed before them, oldest first: until the
   * last has landed, a settings read showing one of the others is stale (the writes land one by one).
   */
  private speedsInFlight: number[] = [];
  /** The note last shown in the player: the stand-in's, the fallback voice's, or '' for Kokoro. */
  private playerNote: string | undefined;

  private constructor(
    readonly context: vscode.ExtensionContext,
    log: vscode.LogOutputChannel,
    apiKey: string | undefined,
  ) {
    this.log = log;
    ({ config: this.config, problems: this.settingProblems } = readSettings(context));
    this.pronunciations = compilePronunciations(this.config.pronunciations);
    this.apiKey = apiKey;
    this.server = new ServerConnection(serverSettings(this.config, apiKey));
    this.player = this.own(new PlayerView(context.extensionUri, this.log));
    this.reader = new Reader(() => this.server.client, this.player, this.stats, { cache: new AudioCache(AUDIO_CACHE_BYTES) });
    this.followAlong = this.own(new FollowAlong(() => this.config.highlight, this.player));
    this.terminals = this.own(
      new TerminalWatch(
        (text) => this.announce(text),
        () => this.config.announceCommandFinished,
      ),
    );
    this.playback = new Playback(this.reader, this.player, {
      changed: () => this.refreshStatus(),
      audioPlaying: (waterfall) => this.recordWaterfall(waterfall),
      readingStarted: (id, request) => this.followAlong.started(id, request.origin instanceof EditorText ? request.origin : undefined),
      heard: (id, segment, word) => this.followAlong.heard(id, segment, word),
      silent: () => this.followAlong.clear(),
    });
    this.errors = new ErrorReporter(this.log, (key) => locateSetting(context, key));
    this.notices = new SettingNotices({
      context,
      log,
      showUrlError: (error) => {
        this.errors.clear();
        this.errors.show(error);
      },
    });
    this.statusBar = this.own(new StatusBar(this.stats, () => this.config));
    this.announcements = this.own(new DiagnosticAnnouncements(this, this.announceSettings()));
    this.statsView = this.own(new StatsView(this.stats, () => ({ ...this.counters(), serverUrl: this.server.client.url })));
    this.own(this.finished);
    this.own(
      vscode.window.registerWebviewViewProvider(PlayerView.viewId, this.player, { webviewOptions: { retainContextWhenHidden: true } }),
    );
    this.own(this.player.onDidReport((m) => this.onPlayerReport(m)));
    this.own(vscode.workspace.onDidChangeConfiguration((e) => e.affectsConfiguration(SECTION) && this.reloadConfig()));
    this.own(
      context.secrets.onDidChange(async (e) => {
        if (e.key !== API_KEY_SECRET) return;
        this.apiKey = await context.secrets.get(API_KEY_SECRET);
        this.server.update(serverSettings(this.config, this.apiKey));
      }),
    );
    this.server.on('state', (state, error) => {
      this.log.info(`Server ${this.server.client.url}: ${state}${error ? ` (${error.message})` : ''}`);
      if (state === 'ready' && !error) this.errors.clear();
      if (state === 'ready') this.probeCaptions();
      this.refreshStatus();
    });
    this.server.on('warmedUp', (r) => {
      this.log.info(
        `Warmed up: health ${r.healthMs.toFixed(1)} ms, first byte ${r.firstByteMs.toFixed(1)} ms, synthesis ${r.synthesisMs.toFixed(1)} ms, ${r.connectionsOpen} connection(s) open.`,
      );
    });
    this.refreshStatus();
  }

  static async create(context: vscode.ExtensionContext, log: vscode.LogOutputChannel): Promise<Session> {
    const apiKey = await context.secrets.get(API_KEY_SECRET);
    const session = new Session(context, log, apiKey);
    context.subscriptions.push(session);
    return session;
  }

  own<T extends vscode.Disposable>(disposable: T): T {
    this.disposables.push(disposable);
    return disposable;
  }

  counters(): { requests: number; connectionsOpened: number } {
    return { requests: this.server.client.speechRequests, connectionsOpened: this.server.client.speechOnNewConnection };
  }

  get reading(): boolean {
    return this.playback.reading;
  }

  startUp(): void {
    void EspeakVoice.find().then((path) => {
      this.espeak = path ? new EspeakVoice({ path }) : undefined;
      this.log.info(path ? `Fallback voice: espeak-ng found at ${path}.` : 'Fallback voice: espeak-ng is not installed.');
      this.refreshStatus();
    });
    this.notices.tellProblems(this.settingProblems, this.server.client.urlError);
    this.notices.warnAboutPlainHttp(this.config.serverUrl);
    if (this.config.warmUpOnStartup) void this.server.warmUp();
    if (this.config.preparePlayerOnStartup) void this.player.reveal(false);
  }

  get punctuation(): PunctuationLevel {
    return this.config.punctuation;
  }

  private announceSettings() {
    return {
      mode: this.config.announceDiagnostics,
      minSeverity: this.config.announceMinSeverity,
      debounceMs: this.config.announceDelayMs,
      punctuation: this.config.punctuation,
    };
  }

  private reloadConfig(): void {
    const before = this.config;
    let config: KokoroConfig;
    ({ config, problems: this.settingProblems } = readSettings(this.context));
    let speed = config.speed;
    if (this.speedsInFlight.length) {
      // Caught up with the last speed set here, or changed by someone else: the settings say it again.
      if (speed === this.speedsInFlight.at(-1) || !this.speedsInFlight.includes(speed)) this.speedsInFlight = [];
      else speed = before.speed;
    }
    this.apply({ ...config, speed });
    this.notices.tellProblems(this.settingProblems, this.server.client.urlError);
    if (this.config.serverUrl !== before.serverUrl) this.notices.warnAboutPlainHttp(this.config.serverUrl);
  }

  /** Puts `config` in effect everywhere; a new speed or voice goes on from the sentence being heard. */
  private apply(config: KokoroConfig): void {
    const before = this.config;
    this.config = config;
    if (JSON.stringify(config.pronunciations) !== JSON.stringify(before.pronunciations))
      this.pronunciations = compilePronunciations(config.pronunciations);
    this.announcements.update(this.announceSettings());
    this.server.update(serverSettings(config, this.apiKey));
    this.player.setSpeed(config.speed);
    if (config.speed !== before.speed || config.voice !== before.voice) this.continueAtPlayhead();
    if (config.serverUrl !== before.serverUrl) this.captions = undefined;
    if (config.highlight !== before.highlight) this.followAlong.refresh();
    this.probeCaptions();
    this.refreshStatus();
  }

  private pronunciations: Pronunciations | undefined;

  /** The user's pronunciations as compiled for text preparation. */
  get pronunciationsInEffect(): Pronunciations | undefined {
    return this.pronunciations;
  }
  /** espeak-ng where it is installed (looked for at start-up). */
  private espeak: EspeakVoice | undefined;
  /** How many voices the player's speechSynthesis lists; undefined until it says. */
  private systemVoices: number | undefined;
  /** The reading being heard is in the fallback voice. */
  private fallbackReading = false;
  /** The user has been told once that no fallback voice is available, and how to get one. */
  private toldNoFallback = false;
  /** Whether the server times words (captioned speech), once asked; undefined until then. */
  private captions: boolean | undefined;

  /** Asks the server once whether it times words, when the highlight follows words; until it answers, sentences. */
  private probeCaptions(): void {
    if (this.config.highlight !== 'word' || this.captions !== undefined || this.server.state !== 'ready') return;
    const client = this.server.client;
    client.supportsCaptions().then(
      (supported) => {
        if (client !== this.server.client) return;
        this.captions = supported;
        this.log.info(
          supported
            ? 'The server times words (captioned speech): the highlight follows the word heard.'
            : 'The server does not time words: the highlight follows the sentence heard.',
        );
      },
      (err: unknown) => this.log.warn(`Could not ask the server whether it times words: ${(err as Error)?.message ?? String(err)}`),
    );
  }

  /** Text already worded for speech (problem descriptions): the user's pronunciations, no control syntax. */
  private readonly prepareSpoken = (block: string) => neutralizeControlSyntax(applyPronunciations(block, this.pronunciations));

  /** Reads `text` (or text in pieces, copied from a document as it is read) aloud, replacing whatever is being read. Shows errors; resolves with the outcome. */
  read(text: string | Iterable<string>, options: ReadOptions): Promise<ReadingResult> {
    const { kind, languageId } = options;
    const { punctuation } = this.config;
    const { pronunciations } = this;
    if (!options.announcement) this.announcements.userReadStarted();
    const followed = options.source && new EditorText(options.source, pronunciations);
    const words = followed !== undefined && this.config.highlight === 'word' && this.captions === true;
    const request: ReadingRequest = {
      text,
      title: options.title ?? (typeof text === 'string' ? text : undefined),
      params: this.server.speech,
      cache: kind === 'spoken',
      prepare: kind === 'spoken' ? this.prepareSpoken : (block) => toSpeakable(block, { kind, punctuation, languageId, pronunciations }),
      sentences: followed !== undefined,
      origin: followed,
      onSegment: followed?.offsets.mapSentence,
      words,
      onWords: words ? (index, timed) => this.followAlong.wordsTimed(followed!, index, timed) : undefined,
      onResumedAfterBreak: (error) =>
        this.log.warn(
          `The audio stream broke in the middle of the reading (${error.message}); it goes on from the next sentence with a fresh request.`,
        ),
      onWordsRefused: () => {
        this.captions = false;
        this.log.info('The server refused captioned speech (it changed?): the highlight follows the sentence heard from now on.');
      },
    };
    const commandStartedAt = options.announcement ? undefined : options.startedAt;
    // A Retry is a new command: its latency starts when the user picks Retry, not with the failed reading.
    const retry = () => this.read(text, options.announcement ? options : { ...options, startedAt: performance.now() });
    return this.run(request, { commandStartedAt, announcement: options.announcement }, () => retry);
  }

  /**
   * Reads `request`; on failure the error offers the action `retryOf(failed)` returns as Retry.
   * `commandStartedAt`: when the command behind the reading started (undefined: no command, nothing recorded).
   */
  private async run(
    request: ReadingRequest,
    options: PlayOptions,
    retryOf: (failed: ReadingResult) => (() => unknown) | undefined,
  ): Promise<ReadingResult> {
    // A server known to be down is not waited for: the fallback voice reads at once (and nothing is timed: the figures are the server's).
    const fallback = this.server.state === 'unreachable' && !request.engine ? this.fallbackEngine() : undefined;
    if (fallback) {
      request = { ...request, engine: fallback, words: false };
      options = { ...options, commandStartedAt: undefined };
      if (this.server.lastError) this.errors.show(this.server.lastError); // once per kind: the user knows Kokoro is down
    }
    this.fallbackReading = request.engine !== undefined;
    let result = await this.playback.play({ ...request, params: this.server.speech, currentParams: () => this.server.speech }, options);
    const down = (result.error?.kind === 'unreachable' || result.error?.kind === 'timeout') && result.samples === 0 && !request.engine;
    const engine = down ? this.fallbackEngine() : undefined;
    if (down && !engine && this.config.fallbackVoice !== 'off' && !this.toldNoFallback) {
      // Said once: how to never be left in silence again.
      this.toldNoFallback = true;
      void vscode.window.showInformationMessage(this.fallback.why);
    }
    const rest = engine && this.reader.continuation(result.id, 0);
    if (engine && rest && result.error) {
      // The server failed before any audio: the same reading, from its start, in the fallback voice.
      this.server.reportFailure(result.error);
      this.log.warn(`Reading ${result.id} failed before any audio (${result.error.message}); the fallback voice reads it.`);
      this.errors.show(result.error); // no Retry: the reading is heard
      request = { ...rest, engine, words: false };
      this.fallbackReading = true;
      result = await this.playback.play(
        { ...request, params: this.server.speech, currentParams: () => this.server.speech },
        {
          announcement: options.announcement,
        },
      );
    }
    if (request.origin instanceof EditorText && result.segmentCount !== undefined)
      request.origin.offsets.sentenceCount = result.segmentCount;
    if (result.outcome === 'completed' && !request.engine) this.server.reportSuccess();
    else if (result.outcome === 'empty')
      void vscode.window.showInformationMessage(vscode.l10n.t('Kokoro: nothing to read — the text has no words to speak.'));
    else if (result.error && request.engine) this.errors.show(result.error);
    else if (result.error) {
      this.server.reportFailure(result.error);
      this.errors.show(result.error, retryOf(result));
    }
    const voice = request.engine ? ' in the fallback voice' : '';
    this.log.info(
      `Reading ${result.id}${voice} ${result.outcome}: ${result.requests} request(s), ${(result.samples / result.sampleRate).toFixed(2)} s of audio, first audio ${result.firstAudioMs?.toFixed(1) ?? '–'} ms, first byte ${result.firstByteMs?.toFixed(1) ?? '–'} ms.`,
    );
    this.refreshStatus();
    this.finished.fire(result);
    return result;
  }

  /** What reads while the server is down, and why (tooltip, messages). */
  get fallback(): FallbackChoice {
    return chooseFallback({
      setting: this.config.fallbackVoice,
      espeakPath: this.espeak?.options.path,
      systemVoices: this.systemVoices,
      platform: process.platform,
    });
  }

  private fallbackEngine(): SpeechEngine | undefined {
    switch (this.fallback.engine) {
      case 'espeak':
        return this.espeak;
      case 'system':
        return this.player.systemVoice;
      default:
        return undefined;
    }
  }

  private recordWaterfall(waterfall: Waterfall): void {
    this.stats.record('endToEndMs', waterfall.audibleMs);
    this.stats.waterfalls.record(waterfall);
    const startup = this.stats.playerStartup;
    if (startup && startup.waitedReadingId === waterfall.readingId) startup.firstReading = waterfall;
    this.log.info(`Reading ${waterfall.readingId} to first sound: ${formatWaterfall(waterfall)}`);
  }

  private recordPlayerStartup(page: PlayerPageMarks): void {
    const creation = this.player.creation;
    if (!creation?.readyAt) return;
    const startup = describePlayerStartup({ ...creation, readyReceivedAt: creation.readyAt, ...page });
    // A reading asked for the view when it was not prepared at start-up: that reading waited for all of this.
    this.stats.playerStartup = { ...startup, waitedReadingId: this.playback.currentId };
    this.log.info(`Player ready: ${formatPlayerStartup(startup)}`);
  }

  /** A speed (or voice) change while reading: go on from the sentence being heard, with the new settings. */
  private continueAtPlayhead(): void {
    const id = this.playback.currentId;
    const request = this.playback.continuation();
    if (!request) return;
    this.log.info(`Reading ${id} continues from the playhead with speed ${this.config.speed} and voice ${this.config.voice}.`);
    this.continueWith(request, this.playback.playingAnnouncement);
  }

  /** Runs a continuation; if it fails, Retry (a command: timed from its click) goes on from the sentence that was being heard. */
  private continueWith(request: ReadingRequest, announcement: boolean, commandStartedAt?: number): void {
    void this.run(request, { announcement, commandStartedAt }, (failed) => {
      // Taken now: by the time the user picks Retry another reading may have replaced this one in the reader.
      const rest = this.playback.continuation(failed.id);
      return rest && (() => this.continueWith(rest, announcement, performance.now()));
    });
  }

  /** Reads text already worded for speech (problem descriptions), cached for repeats. */
  speak(text: string, options: { title?: string; startedAt: number }): Promise<ReadingResult> {
    return this.read(text, { kind: 'spoken', ...options });
  }

  /** An automatic announcement: waits for the user's own reading, replaces an older queued one, replaces an older announcement. */
  announce(text: string): void {
    this.playback.announce(() => void this.read(text, { kind: 'spoken', announcement: true }));
  }

  /** Synthesises spoken text ahead of time into the audio cache (skipped while reading). */
  prefetch(text: string): Promise<number> {
    if (this.reading || this.server.state !== 'ready') return Promise.resolve(0);
    return this.reader.prefetch({ text, params: this.server.speech, prepare: this.prepareSpoken });
  }

  stop(): boolean {
    this.followAlong.stopped();
    return this.playback.stop();
  }

  /**
   * Goes `by` sentences from the one heard (-1 previous, 0 repeat, 1 next), at once: audio already
   * received is played again, only what is missing is requested, the request under way is cancelled.
   */
  moveSentence(by: -1 | 0 | 1): void {
    const current = this.playback.currentSegment;
    if (current === undefined) {
      void vscode.window.showInformationMessage(vscode.l10n.t('Kokoro: nothing is being read.'));
      return;
    }
    const startedAt = performance.now();
    const request = this.playback.continuationAt(current + by);
    if (!request) {
      void vscode.window.showInformationMessage(
        by < 0 ? vscode.l10n.t('Kokoro: this is the first sentence.') : vscode.l10n.t('Kokoro: this is the last sentence.'),
      );
      return;
    }
    this.log.info(`Reading ${this.playback.currentId} goes to sentence ${current + by + 1} (from ${current + 1}).`);
    this.followAlong.userMoved();
    this.continueWith(request, this.playback.playingAnnouncement, startedAt);
  }

  togglePause(): void {
    this.playback.togglePause();
  }

  private onPlayerReport(message: FromPlayer): void {
    switch (message.type) {
      case 'started':
        this.playback.playerStarted(message.readingId, message);
        break;
      case 'ended':
        this.stats.glitches += message.glitches;
        this.playback.playerEnded(message.readingId);
        break;
      case 'underrun':
        this.stats.underruns++;
        break;
      case 'ready':
        this.recordPlayerStartup(message.startup);
        this.player.setSpeed(this.config.speed);
        this.playerNote = undefined;
        this.refreshStatus();
        break;
      case 'userAction':
        switch (message.action) {
          case 'stop':
            this.stop();
            break;
          case 'togglePause':
            this.togglePause();
            break;
          case 'setSpeed':
            void this.setSpeed(message.speed);
            break;
          case 'previousSentence':
            this.moveSentence(-1);
            break;
          case 'repeatSentence':
            this.moveSentence(0);
            break;
          case 'nextSentence':
            this.moveSentence(1);
            break;
          case 'readFromCursor':
            void vscode.commands.executeCommand('kokoro.readFromCursor');
            break;
        }
        break;
      case 'heard':
        this.playback.playerHeard(message.readingId, message.segment, message.word);
        break;
      case 'voices':
        if (message.count !== this.systemVoices) this.log.info(`The player's system voices: ${message.count}.`);
        this.systemVoices = message.count;
        this.refreshStatus();
        break;
    }
  }

  /** Takes effect at once (the reading goes on at the new speed); the setting only keeps it for next time. */
  async setSpeed(speed: number): Promise<void> {
    const clamped = Math.min(SPEED.max, Math.max(SPEED.min, Math.round(speed * 100) / 100));
    if (clamped === this.config.speed) return;
    if (!this.speedsInFlight.length) this.speedsInFlight.push(this.config.speed);
    this.speedsInFlight.push(clamped);
    this.apply({ ...this.config, speed: clamped });
    try {
      const target = await updateSetting('speed', clamped);
      if (target === vscode.ConfigurationTarget.Workspace)
        this.log.info(`Speed ${clamped} written to the workspace settings, where kokoro.speed is set.`);
    } catch (err) {
      this.speedsInFlight = [];
      throw err;
    }
  }

  /** Warms the server up now (Warm Up command); says whether it is ready, or the error that stopped it. */
  async warmUp(): Promise<{ ready: boolean; error?: KokoroError }> {
    await this.server.warmUp();
    return { ready: this.server.state === 'ready', error: this.server.lastError };
  }

  /** The voices the server offers (for the voice picker). */
  voices(): Promise<string[]> {
    return this.server.client.voices();
  }

  /** Shows a server error once per kind, with Retry when `retry` is given. */
  showError(error: KokoroError, retry?: () => unknown): void {
    this.errors.show(error, retry);
  }

  /** Keeps the API key in the secret storage (undefined removes it); the client picks it up from there. */
  async storeApiKey(key: string | undefined): Promise<void> {
    if (key) await this.context.secrets.store(API_KEY_SECRET, key);
    else await this.context.secrets.delete(API_KEY_SECRET);
  }

  showStats(): void {
    this.statsView.show();
  }

  refreshStatus(): void {
    const reading = this.reading;
    this.setContext('kokoro.reading', reading);
    this.setContext('kokoro.paused', this.playback.paused);
    const fallback = this.fallback;
    this.statusBar.update({
      state: this.server.state,
      speaking: reading,
      serverUrl: this.server.client.url,
      voice: this.config.voice,
      error: this.server.lastError?.message,
      standIn: this.server.client.standIn,
      fallback: { speaking: reading && this.fallbackReading, why: fallback.why },
      ...this.counters(),
    });
    const standIn = this.server.client.standIn ?? '';
    const note = reading && this.fallbackReading ? fallbackNote(fallback.engine) : standIn && standInNote(standIn);
    if (note !== this.playerNote) {
      this.playerNote = note;
      this.player.setServerNote(note);
    }
    this.statsView.refresh();
  }

  private readonly contextKeys = new Map<string, boolean>();

  /** Sets a `when`-clause key, only when its value changes (each is a message to the workbench). */
  private setContext(key: string, value: boolean): void {
    if (this.contextKeys.get(key) === value) return;
    this.contextKeys.set(key, value);
    void vscode.commands.executeCommand('setContext', key, value);
  }

  get statusText(): string {
    return this.statusBar.text;
  }

  dispose(): void {
    this.reader.stop();
    void this.server.dispose();
    for (const d of this.disposables.splice(0).reverse()) d.dispose();
  }
}
