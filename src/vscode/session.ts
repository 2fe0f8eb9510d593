// The one object that owns everything the extension creates: settings, the server
// and its client, the reader, the player, the status bar, and their disposables.

import { performance } from 'node:perf_hooks';
import * as vscode from 'vscode';
import { KokoroConfig, SECTION, readConfig, serverSettings } from '../config';
import { KokoroServer } from '../kokoro/server';
import { displayUrl, sendsPlainTextOffMachine } from '../kokoro/serverUrl';
import { FromPlayer } from '../player/messages';
import { PlayerView } from '../player/playerView';
import { AudioCache } from '../speech/audioCache';
import { Reader, ReadingRequest, ReadingResult } from '../speech/reader';
import { PunctuationLevel, TextKind, neutralizeControlSyntax, toSpeakable } from '../speech/speakable';
import { LatencyStats } from '../stats/latency';
import { StatsView } from '../stats/statsView';
import { StatusBar } from '../stats/statusBar';
import { DiagnosticAnnouncements } from './announcements';
import { ErrorReporter } from './errorReporter';

export const API_KEY_SECRET = 'kokoro.apiKey';

/** Audio kept for repeated messages (errors read again and again). */
const AUDIO_CACHE_BYTES = 32 * 1024 * 1024;

export interface ReadOptions {
  /** How to make the text speakable; 'spoken' is text already worded for speech (problem descriptions). */
  kind: TextKind | 'spoken';
  /** An automatic announcement: never interrupts the user's own reading. */
  announcement?: boolean;
  languageId?: string;
  title?: string;
  /** performance.now() when the user's command started, for end-to-end latency. */
  startedAt?: number;
}

export class Session implements vscode.Disposable {
  readonly log: vscode.LogOutputChannel;
  readonly stats = new LatencyStats();
  readonly player: PlayerView;
  readonly server: KokoroServer;
  readonly reader: Reader;
  readonly errors: ErrorReporter;
  readonly announcements: DiagnosticAnnouncements;
  private readonly statusBar: StatusBar;
  private readonly statsView: StatsView;
  private readonly disposables: vscode.Disposable[] = [];
  private readonly finished = new vscode.EventEmitter<ReadingResult>();
  /** Fires after every reading with its outcome and timings. */
  readonly onDidFinishReading = this.finished.event;
  config: KokoroConfig;
  private apiKey: string | undefined;
  private playingId: number | undefined;
  private paused = false;
  private pendingEndToEnd = new Map<number, number>();
  private playingAnnouncement = false;
  private queuedAnnouncement: string | undefined;
  lastResult: ReadingResult | undefined;

  private constructor(
    readonly context: vscode.ExtensionContext,
    apiKey: string | undefined,
  ) {
    this.log = this.own(vscode.window.createOutputChannel('Kokoro Read Aloud', { log: true }));
    this.config = readConfig();
    this.apiKey = apiKey;
    this.server = new KokoroServer(serverSettings(this.config, apiKey));
    this.player = this.own(new PlayerView(context.extensionUri, this.log));
    this.reader = new Reader(() => this.server.client, this.player, this.stats, { cache: new AudioCache(AUDIO_CACHE_BYTES) });
    this.errors = new ErrorReporter(this.log);
    this.statusBar = this.own(new StatusBar(this.stats, () => this.config.quietStatusBar));
    this.announcements = this.own(new DiagnosticAnnouncements(this, this.announceSettings()));
    this.statsView = this.own(new StatsView(this.stats, () => ({ ...this.counters(), serverUrl: this.server.client.url })));
    this.own(this.finished);
    this.own(vscode.window.registerWebviewViewProvider(PlayerView.viewId, this.player, { webviewOptions: { retainContextWhenHidden: true } }));
    this.own(this.player.onDidReport((m) => this.onPlayerReport(m)));
    this.own(vscode.workspace.onDidChangeConfiguration((e) => e.affectsConfiguration(SECTION) && this.reloadConfig()));
    this.own(context.secrets.onDidChange(async (e) => {
      if (e.key !== API_KEY_SECRET) return;
      this.apiKey = await context.secrets.get(API_KEY_SECRET);
      this.server.update(serverSettings(this.config, this.apiKey));
    }));
    this.server.on('state', (state, error) => {
      this.log.info(`Server ${this.server.client.url}: ${state}${error ? ` (${error.message})` : ''}`);
      if (state === 'ready' && !error) this.errors.clear();
      this.refreshStatus();
    });
    this.server.on('warmedUp', (r) => {
      this.log.info(`Warmed up: health ${r.healthMs.toFixed(1)} ms, first byte ${r.firstByteMs.toFixed(1)} ms, synthesis ${r.synthesisMs.toFixed(1)} ms, ${r.connectionsOpen} connection(s) open.`);
    });
    this.refreshStatus();
  }

  static async create(context: vscode.ExtensionContext): Promise<Session> {
    const apiKey = await context.secrets.get(API_KEY_SECRET);
    const session = new Session(context, apiKey);
    context.subscriptions.push(session);
    return session;
  }

  own<T extends vscode.Disposable>(disposable: T): T {
    this.disposables.push(disposable);
    return disposable;
  }

  counters(): { requests: number; connectionsOpened: number } {
    return { requests: this.server.client.requestsSent, connectionsOpened: this.server.client.connectionsOpened };
  }

  get reading(): boolean {
    return this.reader.reading || this.playingId !== undefined;
  }

  get isPaused(): boolean {
    return this.paused;
  }

  startUp(): void {
    this.warnAboutPlainHttp();
    if (this.config.warmUpOnStartup) void this.server.warmUp();
    if (this.config.preparePlayerOnStartup) void this.player.reveal(false);
  }

  /** Tells the user once per URL that code goes unencrypted to another machine. */
  private warnAboutPlainHttp(): void {
    const url = this.config.serverUrl;
    if (!sendsPlainTextOffMachine(url)) return;
    const key = 'kokoro.plainHttpWarned';
    const warned = this.context.globalState.get<string[]>(key, []);
    if (warned.includes(url)) return;
    void this.context.globalState.update(key, [...warned, url]);
    this.log.warn(`Text is sent unencrypted over HTTP to ${displayUrl(url)}.`);
    void vscode.window.showWarningMessage(`Kokoro: the text you read aloud is sent unencrypted over plain HTTP to ${displayUrl(url)}. Use an SSH tunnel to localhost or HTTPS if the network is not trusted.`, 'Open Settings').then((choice) => {
      if (choice) void vscode.commands.executeCommand('workbench.action.openSettings', 'kokoro.serverUrl');
    });
  }

  get punctuation(): PunctuationLevel {
    return this.config.punctuation;
  }

  private announceSettings() {
    return { mode: this.config.announceDiagnostics, minSeverity: this.config.announceMinSeverity, debounceMs: this.config.announceDelayMs, punctuation: this.config.punctuation };
  }

  private reloadConfig(): void {
    const before = this.config;
    this.config = readConfig();
    if (this.config.serverUrl !== before.serverUrl) this.warnAboutPlainHttp();
    this.announcements.update(this.announceSettings());
    this.server.update(serverSettings(this.config, this.apiKey));
    this.player.setSpeed(this.config.speed);
    if (this.config.speed !== before.speed || this.config.voice !== before.voice) this.continueAtPlayhead();
    this.refreshStatus();
  }

  /** Reads `text` (or text in pieces, copied from a document as it is read) aloud, replacing whatever is being read. Shows errors; resolves with the outcome. */
  read(text: string | Iterable<string>, options: ReadOptions): Promise<ReadingResult> {
    const { kind, languageId } = options;
    const punctuation = this.config.punctuation;
    if (!options.announcement) {
      this.queuedAnnouncement = undefined;
      this.announcements.userReadStarted();
    }
    const request: ReadingRequest = {
      text,
      title: options.title ?? (typeof text === 'string' ? text : undefined),
      params: this.server.speech,
      cache: kind === 'spoken',
      prepare: kind === 'spoken' ? neutralizeControlSyntax : (block) => toSpeakable(block, { kind, punctuation, languageId }),
    };
    // A Retry is a new command: its latency starts when the user picks Retry, not with the failed reading.
    return this.run(request, options.startedAt ?? performance.now(), options.announcement ?? false, () => () => this.read(text, { ...options, startedAt: undefined }));
  }

  /** Reads `request`; on failure the error offers the action `retryOf(failed)` returns as Retry. */
  private async run(request: ReadingRequest, startedAt: number, announcement: boolean, retryOf: (failed: ReadingResult) => (() => unknown) | undefined): Promise<ReadingResult> {
    this.playingAnnouncement = announcement;
    this.setPaused(false);
    const readingPromise = this.reader.read({ ...request, params: this.server.speech, currentParams: () => this.server.speech });
    const id = this.reader.currentId;
    if (id !== undefined) {
      this.playingId = id;
      this.pendingEndToEnd.set(id, startedAt);
    }
    this.refreshStatus();
    const result = await readingPromise;
    this.lastResult = result;
    switch (result.outcome) {
      case 'failed':
        if (this.playingId === result.id && result.samples === 0) this.playingId = undefined;
        this.server.reportFailure(result.error!);
        this.errors.show(result.error!, retryOf(result));
        break;
      case 'empty':
        if (this.playingId === result.id) this.playingId = undefined;
        void vscode.window.showInformationMessage('Kokoro: nothing to read — the text has no words to speak.');
        break;
      case 'completed':
        this.server.reportSuccess();
        break;
    }
    this.log.info(`Reading ${result.id} ${result.outcome}: ${result.requests} request(s), ${(result.samples / result.sampleRate).toFixed(2)} s of audio, first audio ${result.firstAudioMs?.toFixed(1) ?? '–'} ms, first byte ${result.firstByteMs?.toFixed(1) ?? '–'} ms.`);
    this.refreshStatus();
    this.finished.fire(result);
    return result;
  }

  /** A speed (or voice) change while reading: go on from the sentence being heard, with the new settings. */
  private continueAtPlayhead(): void {
    const id = this.playingId;
    if (id === undefined) return;
    const request = this.reader.continuation(id, this.player.playedSamples(id));
    if (!request) return;
    this.log.info(`Reading ${id} continues from the playhead with speed ${this.config.speed} and voice ${this.config.voice}.`);
    this.continueWith(request, this.playingAnnouncement);
  }

  /** Runs a continuation; if it fails, Retry goes on from the sentence that was being heard when it failed. */
  private continueWith(request: ReadingRequest, announcement: boolean): void {
    void this.run(request, performance.now(), announcement, (failed) => {
      // Taken now: by the time the user picks Retry another reading may have replaced this one in the reader.
      const rest = this.reader.continuation(failed.id, this.player.playedSamples(failed.id));
      return rest && (() => this.continueWith(rest, announcement));
    });
  }

  /** Reads text already worded for speech (problem descriptions), cached for repeats. */
  speak(text: string, options: { title?: string; startedAt?: number } = {}): Promise<ReadingResult> {
    return this.read(text, { kind: 'spoken', ...options });
  }

  /** An automatic announcement: waits for the user's own reading, replaces an older queued one, replaces an older announcement. */
  async announce(text: string): Promise<void> {
    if (this.reading && !this.playingAnnouncement) {
      this.queuedAnnouncement = text;
      return;
    }
    await this.read(text, { kind: 'spoken', announcement: true });
  }

  /** Synthesises spoken text ahead of time into the audio cache (skipped while reading). */
  prefetch(text: string): Promise<number> {
    if (this.reading || this.server.state !== 'ready') return Promise.resolve(0);
    return this.reader.prefetch({ text, params: this.server.speech, prepare: neutralizeControlSyntax });
  }

  private playQueuedAnnouncement(): void {
    const text = this.queuedAnnouncement;
    this.queuedAnnouncement = undefined;
    if (text !== undefined && !this.reading) void this.announce(text);
  }

  stop(): boolean {
    this.queuedAnnouncement = undefined;
    const wasReading = this.reader.stop();
    const playing = this.playingId;
    if (!wasReading && playing !== undefined) this.player.abort(playing);
    this.playingId = undefined;
    this.setPaused(false);
    this.refreshStatus();
    return wasReading || playing !== undefined;
  }

  togglePause(): void {
    if (!this.reading) return;
    this.setPaused(!this.paused);
  }

  private setPaused(paused: boolean): void {
    if (paused === this.paused) return;
    this.paused = paused;
    if (paused) this.player.pause();
    else this.player.resume();
    void vscode.commands.executeCommand('setContext', 'kokoro.paused', paused);
  }

  private onPlayerReport(message: FromPlayer): void {
    switch (message.type) {
      case 'started': {
        const startedAt = this.pendingEndToEnd.get(message.readingId);
        this.pendingEndToEnd.delete(message.readingId);
        if (startedAt !== undefined) this.stats.record('endToEndMs', performance.now() - startedAt);
        this.refreshStatus();
        break;
      }
      case 'ended':
        this.pendingEndToEnd.delete(message.readingId);
        if (this.playingId === message.readingId) {
          this.playingId = undefined;
          this.playingAnnouncement = false;
          this.setPaused(false);
          this.refreshStatus();
          this.playQueuedAnnouncement();
        }
        break;
      case 'underrun':
        this.stats.underruns++;
        break;
      case 'ready':
        this.player.setSpeed(this.config.speed);
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
        }
        break;
    }
  }

  async setSpeed(speed: number): Promise<void> {
    const clamped = Math.min(4, Math.max(0.25, Math.round(speed * 100) / 100));
    await vscode.workspace.getConfiguration(SECTION).update('speed', clamped, vscode.ConfigurationTarget.Global);
  }

  showStats(): void {
    this.statsView.show();
  }

  refreshStatus(): void {
    const reading = this.reading;
    void vscode.commands.executeCommand('setContext', 'kokoro.reading', reading);
    this.statusBar.update({
      state: this.server.state,
      speaking: reading,
      serverUrl: this.server.client.url,
      voice: this.config.voice,
      error: this.server.lastError?.message,
      ...this.counters(),
    });
    this.statsView.refresh();
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
