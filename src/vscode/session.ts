// The one object that owns everything the extension creates and wires the parts together:
// settings, the server and its client, the reader, playback, the player, the status bar, and
// their disposables. What each part does is in its own module.

import * as vscode from 'vscode';
import type { KokoroConfig } from '../config';
import { ServerConnection } from '../kokoro/connection';
import type { KokoroError } from '../kokoro/errors';
import type { FromPlayer, PlayerPageMarks } from '../player/messages';
import { PlayerView } from '../player/playerView';
import { AudioCache } from '../speech/audioCache';
import { Playback } from '../speech/playback';
import { Reader, type ReadingResult } from '../speech/reader';
import { Readings } from '../speech/readings';
import type { Pronunciations, PunctuationLevel } from '../speech/speakable';
import { LatencyStats } from '../stats/latency';
import { StatsView } from '../stats/statsView';
import { StatusBar } from '../stats/statusBar';
import { describePlayerStartup, formatPlayerStartup, formatWaterfall, type Waterfall } from '../stats/waterfall';
import { DiagnosticAnnouncements } from './announcements';
import { ErrorReporter } from './errorReporter';
import { FallbackVoices } from './fallbackVoices';
import { EditorText, FollowAlong } from './followAlong';
import { ReadAloud, type ReadOptions } from './readAloud';
import { ReadingStatus, speechCounters } from './readingStatus';
import { locateSetting } from './settings';
import { type SettingsChange, SettingsInEffect } from './settingsInEffect';
import { TerminalWatch } from './terminalWatch';

/** Audio kept for repeated messages (errors read again and again). */
const AUDIO_CACHE_BYTES = 32 * 1024 * 1024;

export class Session implements vscode.Disposable {
  readonly stats = new LatencyStats();
  readonly server: ServerConnection;
  readonly player: PlayerView;
  readonly reader: Reader;
  readonly playback: Playback;
  readonly readings: Readings;
  readonly readAloud: ReadAloud;
  readonly followAlong: FollowAlong;
  readonly announcements: DiagnosticAnnouncements;
  readonly terminals: TerminalWatch;
  private readonly fallbackVoices: FallbackVoices;
  private readonly status: ReadingStatus;
  private readonly statusBar: StatusBar;
  private readonly statsView: StatsView;
  private readonly disposables: vscode.Disposable[] = [];
  private readonly finished = new vscode.EventEmitter<ReadingResult>();
  /** Fires after every reading with its outcome and timings. */
  readonly onDidFinishReading = this.finished.event;

  private constructor(
    readonly context: vscode.ExtensionContext,
    readonly log: vscode.LogOutputChannel,
    readonly errors: ErrorReporter,
    private readonly settings: SettingsInEffect,
  ) {
    this.own(settings);
    this.server = new ServerConnection(settings.server);
    this.player = this.own(new PlayerView(context.extensionUri, log));
    this.reader = new Reader(() => this.server.client, this.player, this.stats, { cache: new AudioCache(AUDIO_CACHE_BYTES) });
    this.followAlong = this.own(new FollowAlong(() => this.config.highlight, this.player));
    this.playback = new Playback(this.reader, this.player, {
      changed: () => this.status.refresh(),
      audioPlaying: (waterfall) => this.recordWaterfall(waterfall),
      readingStarted: (id, request) => this.followAlong.started(id, request.origin instanceof EditorText ? request.origin : undefined),
      heard: (id, segment, word) => this.followAlong.heard(id, segment, word),
      silent: () => this.followAlong.clear(),
    });
    this.fallbackVoices = new FallbackVoices(
      () => this.config.fallbackVoice,
      this.player.systemVoice,
      log,
      () => this.status.refresh(),
    );
    this.readings = new Readings(this.playback, this.server, {
      fallbackEngine: () => this.fallbackVoices.engine(),
      noFallbackVoice: () => this.fallbackVoices.tellNoneAvailable(),
      showError: (error, retry) => this.errors.show(error, retry),
      inform: (message) => void vscode.window.showInformationMessage(message),
      sentenceMoved: () => this.followAlong.userMoved(),
      log,
      finished: (result, request) => {
        if (request.origin instanceof EditorText && result.segmentCount !== undefined)
          request.origin.offsets.sentenceCount = result.segmentCount;
        this.status.refresh();
        this.finished.fire(result);
      },
    });
    this.readAloud = new ReadAloud({
      settings,
      server: this.server,
      reader: this.reader,
      playback: this.playback,
      readings: this.readings,
      followAlong: this.followAlong,
      log,
      userReadStarted: () => this.announcements.userReadStarted(),
    });
    this.terminals = this.own(
      new TerminalWatch(
        (text) => this.readAloud.announce(text),
        () => this.config.announceCommandFinished,
      ),
    );
    this.announcements = this.own(new DiagnosticAnnouncements(this.readAloud, this.announceSettings()));
    this.statusBar = this.own(new StatusBar(this.stats, () => this.config));
    this.statsView = this.own(new StatsView(this.stats, () => ({ ...speechCounters(this.server), serverUrl: this.server.client.url })));
    this.status = new ReadingStatus({
      statusBar: this.statusBar,
      statsView: this.statsView,
      player: this.player,
      server: this.server,
      playback: this.playback,
      readings: this.readings,
      fallbackVoices: this.fallbackVoices,
      voice: () => this.config.voice,
    });
    this.own(this.finished);
    this.own(
      vscode.window.registerWebviewViewProvider(PlayerView.viewId, this.player, { webviewOptions: { retainContextWhenHidden: true } }),
    );
    this.own(this.player.onDidReport((m) => this.onPlayerReport(m)));
    this.own(settings.onDidChange((change) => this.settingsChanged(change)));
    this.server.on('state', (state, error) => {
      log.info(`Server ${this.server.client.url}: ${state}${error ? ` (${error.message})` : ''}`);
      if (state === 'ready' && !error) this.errors.clear();
      if (state === 'ready') this.readAloud.probeCaptions();
      this.status.refresh();
    });
    this.server.on('warmedUp', (r, url) => {
      const replicas = r.replicas
        ? `${r.replicas.length} distinct replica(s) answered (${r.replicas.join(', ')}; best effort: the balancer picks them)`
        : 'no replica named (no X-Kokoro-Replica header)';
      log.info(
        `Warmed up ${url}: health ${r.healthMs.toFixed(1)} ms, first answer: first byte ${r.firstByteMs.toFixed(1)} ms, synthesis ${r.synthesisMs.toFixed(1)} ms; ${r.answered} of ${r.syntheses} syntheses answered, ${replicas}; ${r.connectionsOpen} connection(s) open.`,
      );
    });
    this.server.on('serverChanged', (url, index) => {
      log.info(
        index === 0
          ? `Back on kokoro.serverUrl ${url}.`
          : `Using fallback server ${url} (kokoro.serverUrls): ${this.server.serverUrls[0]} is not answering.`,
      );
      settings.serverInUse(url);
      // The other server may not time words.
      this.readAloud.forgetCaptions();
      this.readAloud.probeCaptions();
      this.status.refresh();
    });
    this.status.refresh();
  }

  static async create(context: vscode.ExtensionContext, log: vscode.LogOutputChannel): Promise<Session> {
    const errors = new ErrorReporter(log, (key) => locateSetting(context, key));
    const created: { session?: Session } = {};
    const settings = await SettingsInEffect.create(
      context,
      log,
      () => created.session?.server.client.urlError,
      (error) => {
        errors.clear();
        errors.show(error);
      },
    );
    const session = (created.session = new Session(context, log, errors, settings));
    context.subscriptions.push(session);
    return session;
  }

  own<T extends vscode.Disposable>(disposable: T): T {
    this.disposables.push(disposable);
    return disposable;
  }

  startUp(): void {
    this.fallbackVoices.findEspeak();
    this.settings.tellAtStartUp();
    if (this.config.warmUpOnStartup) void this.server.warmUp();
    if (this.config.preparePlayerOnStartup) void this.player.reveal(false);
  }

  get config(): KokoroConfig {
    return this.settings.config;
  }

  get punctuation(): PunctuationLevel {
    return this.config.punctuation;
  }

  /** The user's pronunciations as compiled for text preparation. */
  get pronunciationsInEffect(): Pronunciations | undefined {
    return this.settings.pronunciations;
  }

  get reading(): boolean {
    return this.playback.reading;
  }

  get statusText(): string {
    return this.statusBar.text;
  }

  private announceSettings() {
    return {
      mode: this.config.announceDiagnostics,
      minSeverity: this.config.announceMinSeverity,
      debounceMs: this.config.announceDelayMs,
      punctuation: this.config.punctuation,
    };
  }

  /** Puts the settings in effect everywhere; a new speed or voice goes on from the sentence being heard. */
  private settingsChanged({ before, after }: SettingsChange): void {
    this.announcements.update(this.announceSettings());
    this.server.update(this.settings.server);
    this.player.setSpeed(after.speed);
    if (after.speed !== before.speed || after.voice !== before.voice)
      this.readings.continueAtPlayhead(`with speed ${after.speed} and voice ${after.voice}`);
    if (after.serverUrl !== before.serverUrl) this.readAloud.forgetCaptions();
    if (after.highlight !== before.highlight) this.followAlong.refresh();
    this.readAloud.probeCaptions();
    this.status.refresh();
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
        this.status.playerReloaded();
        break;
      case 'userAction':
        switch (message.action) {
          case 'stop':
            this.stop();
            break;
          case 'togglePause':
            this.playback.togglePause();
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
        this.fallbackVoices.systemVoicesListed(message.count);
        break;
    }
  }

  // What the commands use.

  read(text: string | Iterable<string>, options: ReadOptions): Promise<ReadingResult> {
    return this.readAloud.read(text, options);
  }

  speak(text: string, options: { title?: string; startedAt: number }): Promise<ReadingResult> {
    return this.readAloud.speak(text, options);
  }

  stop(): boolean {
    this.followAlong.stopped();
    return this.playback.stop();
  }

  moveSentence(by: -1 | 0 | 1): void {
    this.readings.moveSentence(by);
  }

  setSpeed(speed: number): Promise<void> {
    return this.settings.setSpeed(speed);
  }

  storeApiKey(key: string | undefined): Promise<void> {
    return this.settings.storeApiKey(key);
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

  showStats(): void {
    this.statsView.show();
  }

  dispose(): void {
    this.reader.stop();
    void this.server.dispose();
    for (const d of this.disposables.splice(0).reverse()) d.dispose();
  }
}
