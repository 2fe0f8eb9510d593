// The player webview (a view in the panel): the extension's AudioSink. Audio frames
// are posted as they arrive; the first frame of a reading alone and at once, the rest
// coalesced per timer tick (VS Code merges a burst of posts into one slow message).

import { performance } from 'node:perf_hooks';
import * as vscode from 'vscode';
import { KokoroError } from '../kokoro/errors';
import type { SpeechTimings } from '../kokoro/client';
import type { AudioSink, SpeechEngine } from '../speech/reader';
import { type ClockEstimate, ClockSync } from '../stats/waterfall';
import { newNonce } from '../webview/page';
import { playerHtml } from './html';
import { type FromPlayer, type ToPlayer, parseFromPlayer } from './messages';

const MAX_MESSAGE_BYTES = 96 * 1024;
/** Pings when the player is ready: the shortest round trip of a few gives the clock offset. */
const PINGS_WHEN_READY = 5;

/** How the player view came to be (extension-host performance.now() ms; the page's own marks are in its ready message). */
export interface PlayerCreation {
  /** The view was asked for (a reading needed it, or start-up prepared it). */
  requestedAt?: number;
  /** VS Code handed the extension the view. */
  resolvedAt: number;
  /** The page's script said it is ready. */
  readyAt?: number;
}

export class PlayerView implements vscode.WebviewViewProvider, AudioSink, vscode.Disposable {
  static readonly viewId = 'kokoro.player';

  private view: vscode.WebviewView | undefined;

  /** Whether the webview's script is running and takes audio. */
  get isReady(): boolean {
    return this.ready;
  }
  private ready = false;
  /** The player took the keyboard for the click or key press that enables audio: the editor gets it back after. */
  private focusedForGesture = false;
  private readonly outbox: ToPlayer[] = [];
  private pending: Uint8Array[] = [];
  private pendingRate = 24_000;
  private flushTimer: NodeJS.Timeout | undefined;
  private readingId = 0;
  /** When the reading's first audio was posted to the webview; undefined until then. */
  private postedAt: number | undefined;
  private readonly clockSync = new ClockSync();
  private readonly pings = new Map<number, number>();
  private nextPing = 1;
  private requestedAt: number | undefined;
  /** The current view's creation; undefined before VS Code created it. */
  creation: PlayerCreation | undefined;
  private samplesSent = 0;
  private samplesPlayed = 0;
  private sampleRate = 24_000;
  private roomWaiters: Array<{ aheadSeconds: number; resolve: () => void }> = [];
  private readonly reports = new vscode.EventEmitter<FromPlayer>();
  private readonly disposables: vscode.Disposable[] = [this.reports];
  /** Every validated message from the webview. */
  readonly onDidReport = this.reports.event;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  resolveWebviewView(view: vscode.WebviewView): void {
    this.view = view;
    this.ready = false;
    this.creation = { requestedAt: this.requestedAt, resolvedAt: performance.now() };
    this.clockSync.reset();
    this.pings.clear();
    const dist = vscode.Uri.joinPath(this.extensionUri, 'dist');
    const media = vscode.Uri.joinPath(this.extensionUri, 'media');
    view.webview.options = { enableScripts: true, localResourceRoots: [dist, media] };
    view.webview.html = this.html(view.webview, dist, media);
    this.disposables.push(
      view.webview.onDidReceiveMessage((raw) => this.receive(raw)),
      view.onDidDispose(() => {
        if (this.view !== view) return;
        this.view = undefined;
        this.ready = false;
        if (this.readingId)
          this.reports.fire({ type: 'ended', readingId: this.readingId, samplesPlayed: this.samplesPlayed, stopped: true, glitches: 0 });
        this.releaseRoom();
      }),
    );
  }

  /**
   * Makes sure the webview exists (a view is created only when shown), leaving focus where it is
   * unless `focus`. Focusing the view and then the editor again is no substitute: a webview focused
   * while it loads takes the focus back once it has loaded.
   */
  async reveal(focus = false): Promise<void> {
    if (this.view) {
      if (focus || !this.view.visible) this.view.show(!focus);
      return;
    }
    this.requestedAt ??= performance.now();
    await vscode.commands.executeCommand(`${PlayerView.viewId}.focus`, { preserveFocus: !focus });
  }

  // AudioSink

  begin(readingId: number, title: string): void {
    this.readingId = readingId;
    this.utterances = 0;
    for (const settle of this.spoken.values()) settle(vscode.l10n.t('Stopped.'));
    this.postedAt = undefined;
    this.samplesSent = 0;
    this.samplesPlayed = 0;
    this.clearPending();
    this.post({ type: 'begin', readingId, text: title.length > 2000 ? `${title.slice(0, 1999)}…` : title, sampleRate: this.sampleRate });
    if (!this.view) void this.reveal();
    else if (this.ready) this.ping(); // keeps the clock estimate fresh; answered before the first audio
  }

  segment(readingId: number, text: string, index: number): void {
    if (readingId !== this.readingId) return;
    this.flushAll(); // the player places the segment after the audio before it
    this.post({ type: 'segment', readingId, text, index });
  }

  /**
   * The fallback voice of the machine the player runs on (speechSynthesis): each chunk is handed to
   * the player, and resolves once the player has started saying it (so one chunk waits ahead, like audio).
   */
  readonly systemVoice: SpeechEngine = {
    speak: (input, params, _onAudio, signal) => {
      if (signal?.aborted) return Promise.reject(new KokoroError('aborted', vscode.l10n.t('Stopped.')));
      const readingId = this.readingId;
      const utterance = this.utterances++;
      const sentAt = performance.now();
      return new Promise<SpeechTimings>((resolve, reject) => {
        const onAbort = () => settle(new KokoroError('aborted', vscode.l10n.t('Stopped.')));
        const settle = (error?: KokoroError) => {
          this.spoken.delete(utterance);
          signal?.removeEventListener('abort', onAbort);
          if (error) reject(error);
          else {
            const at = performance.now();
            resolve({ sentAt, headersAt: at, firstByteAt: at, endedAt: at, samples: 0, sampleRate: this.sampleRate });
          }
        };
        signal?.addEventListener('abort', onAbort, { once: true });
        this.spoken.set(utterance, (error) =>
          settle(
            error === undefined ? undefined : new KokoroError('systemVoiceFailed', vscode.l10n.t('The system voice failed: {0}', error)),
          ),
        );
        this.post({ type: 'speakText', readingId: readingId ?? 0, text: input, rate: params.speed });
      });
    },
  };
  /** speakText messages of the current reading so far, and the ones waiting to start. */
  private utterances = 0;
  private readonly spoken = new Map<number, (error?: string) => void>();

  /** When the words of a sentence start (see the `words` message). */
  showWords(words: Omit<Extract<ToPlayer, { type: 'words' }>, 'type'>): void {
    if (words.readingId === this.readingId) this.post({ type: 'words', ...words });
  }

  /** Shows where the sentence heard is in the text (see the `position` message). */
  showPosition(position: Omit<Extract<ToPlayer, { type: 'position' }>, 'type'>): void {
    if (position.readingId === this.readingId) this.post({ type: 'position', ...position });
  }

  audio(readingId: number, pcm: Uint8Array, sampleRate: number): void {
    if (readingId !== this.readingId) return;
    this.samplesSent += pcm.length >> 1;
    this.sampleRate = sampleRate;
    if (this.postedAt === undefined && this.ready && this.pending.length === 0) {
      this.post({ type: 'audio', readingId, pcm: new Uint8Array(pcm), sampleRate });
      return;
    }
    if (this.pending.length > 0 && sampleRate !== this.pendingRate) this.flush();
    this.pendingRate = sampleRate;
    this.pending.push(pcm);
    this.flushTimer ??= setTimeout(() => this.flush(), 0);
  }

  end(readingId: number, error?: string): void {
    if (readingId !== this.readingId) return;
    this.flushAll();
    this.post({ type: 'end', readingId, error });
  }

  abort(readingId: number): void {
    if (readingId !== this.readingId) return;
    this.clearPending();
    this.post({ type: 'stop' });
    this.releaseRoom();
  }

  room(readingId: number, aheadSeconds: number): Promise<void> {
    if (readingId !== this.readingId || this.hasRoom(aheadSeconds)) return Promise.resolve();
    return new Promise((resolve) => this.roomWaiters.push({ aheadSeconds, resolve }));
  }

  /** When the first audio of reading `readingId` was posted to the webview. */
  firstPostedAt(readingId: number): number | undefined {
    return readingId === this.readingId ? this.postedAt : undefined;
  }

  /** The webview's clock against the extension host's (both may be on different machines in a remote window). */
  get clock(): ClockEstimate | undefined {
    return this.clockSync.estimate;
  }

  /** Samples of reading `readingId` played so far (reported by the webview a few times a second). */
  playedSamples(readingId: number): number {
    return readingId === this.readingId ? this.samplesPlayed : 0;
  }

  // Controls

  pause(): void {
    this.post({ type: 'pause' });
  }

  resume(): void {
    this.post({ type: 'resume' });
  }

  setSpeed(speed: number): void {
    this.post({ type: 'setSpeed', speed });
  }

  /** Says what the server is when it is not Kokoro (the demo voice); empty: nothing to say. */
  setServerNote(text: string): void {
    this.post({ type: 'serverNote', text });
  }

  private hasRoom(aheadSeconds: number): boolean {
    return !this.view || (this.samplesSent - this.samplesPlayed) / this.sampleRate < aheadSeconds;
  }

  /** Wakes the requests waiting for room: those that have it now, or all (the reading ended, the player went away). */
  private releaseRoom(onlyWithRoom = false): void {
    const waiting = this.roomWaiters;
    const wake = onlyWithRoom ? waiting.filter((w) => this.hasRoom(w.aheadSeconds)) : waiting;
    this.roomWaiters = waiting.filter((w) => !wake.includes(w));
    for (const w of wake) w.resolve();
  }

  private clearPending(): void {
    this.pending = [];
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
  }

  /** Posts what is pending in one message of at most MAX_MESSAGE_BYTES, and schedules the rest for the next tick. */
  private flush(): void {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    if (this.pending.length === 0) return;
    let size = 0;
    let count = 0;
    while (count < this.pending.length && (count === 0 || size + this.pending[count].length <= MAX_MESSAGE_BYTES)) {
      size += this.pending[count].length;
      count++;
    }
    const pcm = new Uint8Array(size);
    let at = 0;
    for (let i = 0; i < count; i++) {
      pcm.set(this.pending[i], at);
      at += this.pending[i].length;
    }
    this.pending = this.pending.slice(count);
    this.post({ type: 'audio', readingId: this.readingId, pcm, sampleRate: this.pendingRate });
    if (this.pending.length > 0) this.flushTimer = setTimeout(() => this.flush(), 0);
  }

  private flushAll(): void {
    while (this.pending.length) this.flush();
  }

  private post(message: ToPlayer): void {
    if (!this.view || !this.ready) {
      if (message.type === 'stop') this.outbox.length = 0;
      this.outbox.push(message);
      return;
    }
    if (message.type === 'audio' && message.readingId === this.readingId) this.postedAt ??= performance.now();
    void this.view.webview.postMessage(message);
  }

  private ping(): void {
    if (!this.view || !this.ready) return;
    const id = this.nextPing++;
    this.pings.set(id, performance.now());
    void this.view.webview.postMessage({ type: 'ping', id } satisfies ToPlayer);
  }

  private receive(raw: unknown): void {
    const message = parseFromPlayer(raw);
    if (!message) {
      const type = typeof raw === 'object' && raw !== null ? String((raw as { type?: unknown }).type).slice(0, 40) : typeof raw;
      this.log.warn(`Ignored an invalid message from the player webview (${type}).`);
      return;
    }
    switch (message.type) {
      case 'ready':
        this.ready = true;
        if (this.creation) this.creation.readyAt = performance.now();
        this.requestedAt = undefined;
        for (let i = 0; i < PINGS_WHEN_READY; i++) this.ping(); // before the queued audio, which keeps the webview busy
        this.drainOutbox();
        break;
      case 'pong': {
        const sentAt = this.pings.get(message.id);
        this.pings.delete(message.id);
        if (sentAt !== undefined) this.clockSync.add(sentAt, message.at, performance.now());
        break;
      }
      case 'needsGesture':
        this.log.info('The player needs a click or key press to enable audio; showing it.');
        this.focusedForGesture = true;
        void this.reveal(true);
        break;
      case 'audioUnlocked':
        if (this.focusedForGesture) void vscode.commands.executeCommand('workbench.action.focusActiveEditorGroup');
        this.focusedForGesture = false;
        break;
      case 'progress':
        if (message.readingId === this.readingId) {
          this.samplesPlayed = message.samplesPlayed;
          this.releaseRoom(true);
        }
        break;
      case 'ended':
        if (message.readingId === this.readingId) this.releaseRoom();
        break;
      case 'spoke':
        if (message.readingId === this.readingId) this.spoken.get(message.utterance)?.(message.error);
        break;
      case 'log':
        this.log[message.level](`player: ${message.message}`);
        break;
    }
    this.reports.fire(message);
  }

  /** Sends what queued while the webview loaded: everything but audio at once, then the audio like live frames. */
  private drainOutbox(): void {
    const queued = this.outbox.splice(0);
    for (const message of queued) {
      if (message.type === 'audio' && message.readingId === this.readingId) {
        this.pending.push(message.pcm);
        this.pendingRate = message.sampleRate;
      } else if (message.type !== 'audio') {
        this.flushAll(); // audio queued before this message goes first
        void this.view?.webview.postMessage(message);
      }
    }
    if (this.pending.length) this.flush();
  }

  private html(webview: vscode.Webview, dist: vscode.Uri, media: vscode.Uri): string {
    return playerHtml({
      nonce: newNonce(),
      cspSource: webview.cspSource,
      scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(dist, 'player.js')).toString(),
      styleUri: webview.asWebviewUri(vscode.Uri.joinPath(media, 'player.css')).toString(),
      l10nBundle: vscode.l10n.bundle,
    });
  }

  dispose(): void {
    this.clearPending();
    this.releaseRoom();
    for (const d of this.disposables) d.dispose();
  }
}
