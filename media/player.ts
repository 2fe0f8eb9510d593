// The player webview: plays s16le PCM frames gaplessly with Web Audio as they
// arrive, and reports back when audio really started, ran dry, and ended.

import * as l10n from '@vscode/l10n';
import type { FromPlayer, ToPlayer } from '../src/player/messages';
import { OutputLatencyLadder, type OutputLatencyState } from '../src/player/outputLatency';

declare function acquireVsCodeApi(): {
  postMessage(message: FromPlayer): void;
  getState(): { outputLatency?: Partial<OutputLatencyState> } | undefined;
  setState(state: { outputLatency: OutputLatencyState }): void;
};

/** Chromium's count of times the audio device got no samples in time (a click or dropout), where it has it. */
type AudioContextWithStats = AudioContext & { playbackStats?: { underrunEvents: number } };

/** The webview's clock in its messages: epoch ms, comparable with the extension host's after the ping/pong alignment. */
const clock = () => performance.timeOrigin + performance.now();
const scriptAt = clock();
const vscode = acquireVsCodeApi();
const countsGlitches = 'playbackStats' in AudioContext.prototype;
const glitchesSoFar = () => (countsGlitches ? ((context as AudioContextWithStats | undefined)?.playbackStats?.underrunEvents ?? 0) : 0);
const outputLatency = new OutputLatencyLadder(countsGlitches, vscode.getState()?.outputLatency);
/** A new latency to use from the next reading on (the context is not replaced under a reading). */
let latencyChanged = false;
const post = (message: FromPlayer) => vscode.postMessage(message);
const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

// The translations come with the page (src/player/html.ts); without them the texts stay English.
const translations = document.querySelector('main')?.dataset.l10n;
if (translations) l10n.config({ contents: translations });

const enableButton = $<HTMLButtonElement>('enable');
const playPauseButton = $<HTMLButtonElement>('playPause');
const stopButton = $<HTMLButtonElement>('stop');
const previousButton = $<HTMLButtonElement>('previous');
const repeatButton = $<HTMLButtonElement>('repeat');
const nextButton = $<HTMLButtonElement>('next');
const sentenceButtons = [previousButton, repeatButton, nextButton];
const positionRow = document.querySelector<HTMLDivElement>('.position')!;
const progressBar = $<HTMLProgressElement>('progress');
const sentenceLabel = $<HTMLSpanElement>('sentence');
const movedAnnouncement = $<HTMLParagraphElement>('moved');
const speedInput = $<HTMLInputElement>('speed');
const speedValue = $<HTMLOutputElement>('speedValue');
const statusLine = $<HTMLParagraphElement>('status');
const nowReading = $<HTMLParagraphElement>('now');
const serverNote = $<HTMLParagraphElement>('serverNote');

const PROGRESS_INTERVAL_MS = 250;
/** How often the player checks which sentence is audible (the editor's highlight follows it). */
const HEARD_INTERVAL_MS = 40;
/** How long a context may take to start before the player asks for a gesture. */
const GESTURE_WAIT_MS = 500;

let context: AudioContext | undefined;
let unlocked = false;

interface Reading {
  id: number;
  /** Context time at which the next buffer starts (gapless when audio keeps up). */
  nextStart: number;
  started: boolean;
  streamEnded: boolean;
  paused: boolean;
  samplesQueued: number;
  samplesPlayed: number;
  /** Audio heard so far, in seconds (tells a reading long enough to vouch for the output latency). */
  secondsPlayed: number;
  /** The device's underrun count when the reading began. */
  glitchesBefore: number;
  /** When its first audio message arrived (clock()). */
  receivedAt?: number;
  /** Posts "started", once: when the first audio is audible, or at the end for a clip shorter than the output latency. */
  reportStarted?: () => void;
  sources: Set<AudioBufferSourceNode>;
  /** Frames that came before audio was enabled. */
  waiting: Array<{ pcm: Uint8Array; sampleRate: number }>;
  /** The whole text, shown when the reading is over. */
  title: string;
  /**
   * Each sentence: where its audio starts (samples into the reading) and, once scheduled, the
   * context time it plays at, so the one shown (and reported heard) is the one audible.
   */
  segments: Array<{ at: number; text: string; index: number; startTime?: number; words?: number[] }>;
  /** The sentence (and word) last reported audible. */
  heard?: { segment: number; word?: number };
  /** Utterances of the system voice (the fallback) not yet finished; `spoken` counts the speakText messages. */
  utterances: Set<SpeechSynthesisUtterance>;
  spoken: number;
  /** Text for the system voice that came before audio was enabled (speech needs the same gesture). */
  speechWaiting: Array<{ text: string; rate: number }>;
  /** Why the reading failed, when it did. */
  error?: string;
}

let reading: Reading | undefined;
let progressTimer: number | undefined;
let heardTimer: number | undefined;

function setStatus(text: string): void {
  if (statusLine.textContent !== text) statusLine.textContent = text;
}

/** Shows the sentence audible now and tells the extension when it changes (the editor highlights it). */
function showHeard(r: Reading): void {
  const ctx = context;
  if (!ctx) return;
  const audibleTime = ctx.currentTime - (ctx.outputLatency || 0) - (ctx.baseLatency || 0);
  let heard: Reading['segments'][number] | undefined;
  for (const segment of r.segments) {
    if (segment.startTime === undefined || segment.startTime > audibleTime) break;
    heard = segment;
  }
  if (!heard) return;
  let word: number | undefined;
  if (heard.words) {
    const into = audibleTime - heard.startTime!;
    for (let i = 0; i < heard.words.length && heard.words[i] <= into; i++) word = i;
  }
  if (heard.index === r.heard?.segment && word === r.heard.word) return;
  r.heard = { segment: heard.index, word };
  if (nowReading.textContent !== heard.text) nowReading.textContent = heard.text;
  post(
    word === undefined
      ? { type: 'heard', readingId: r.id, segment: heard.index }
      : { type: 'heard', readingId: r.id, segment: heard.index, word },
  );
}

function getContext(): AudioContext {
  if (latencyChanged && context && !reading) {
    void context.close();
    context = undefined;
    latencyChanged = false;
  }
  if (!context) {
    context = new AudioContext({ latencyHint: outputLatency.hint });
    context.onstatechange = () => {
      if (context?.state === 'running' && !unlocked) markUnlocked();
    };
  }
  return context;
}

function markUnlocked(): void {
  unlocked = true;
  enableButton.hidden = true;
  post({ type: 'audioUnlocked' });
  if (reading && reading.waiting.length) {
    const waiting = reading.waiting.splice(0);
    for (const frame of waiting) schedule(frame.pcm, frame.sampleRate);
  }
  if (reading && reading.speechWaiting.length) {
    const r = reading;
    for (const { text, rate } of r.speechWaiting.splice(0)) speakText(r, text, rate);
  }
}

/** Starts audio if the browser allows it now; otherwise asks the user for one click or key press here. */
function ensureAudio(): boolean {
  const ctx = getContext();
  if (ctx.state === 'running') {
    if (!unlocked) markUnlocked();
    return true;
  }
  void ctx.resume().catch(() => undefined);
  // Desktop VS Code requires a gesture inside the webview: resume() stays pending until then. An audio
  // device that is merely slow to start must not be mistaken for that: asking takes the keyboard.
  setTimeout(() => {
    if (ctx.state !== 'running' && enableButton.hidden) {
      enableButton.hidden = false;
      // The extension now brings the player forward with focus; a frame without focus keeps no focused element.
      if (document.hasFocus()) enableButton.focus();
      else window.addEventListener('focus', () => enableButton.hidden || enableButton.focus(), { once: true });
      setStatus(l10n.t('Audio is blocked until you enable it: press Enter or click “Enable audio”.'));
      post({ type: 'needsGesture' });
    }
  }, GESTURE_WAIT_MS);
  return false;
}

function pcmToBuffer(ctx: AudioContext, pcm: Uint8Array, sampleRate: number): AudioBuffer {
  const frames = pcm.byteLength >> 1;
  const samples = new Int16Array(pcm.buffer, pcm.byteOffset, frames);
  const floats = new Float32Array(frames);
  for (let i = 0; i < frames; i++) floats[i] = samples[i] / 32768;
  const buffer = ctx.createBuffer(1, frames, sampleRate);
  buffer.copyToChannel(floats, 0);
  return buffer;
}

function schedule(pcm: Uint8Array, sampleRate: number): void {
  const r = reading;
  const ctx = context;
  if (!r || !ctx || pcm.byteLength < 2) return;
  // An odd byteOffset cannot back an Int16Array: copy (rare; frames are usually aligned).
  const aligned = pcm.byteOffset % 2 === 0 ? pcm : pcm.slice();
  const buffer = pcmToBuffer(ctx, aligned, sampleRate);
  const source = ctx.createBufferSource();
  source.buffer = buffer;
  source.connect(ctx.destination);
  const now = ctx.currentTime;
  if (r.started && r.nextStart < now && !r.paused) post({ type: 'underrun', readingId: r.id });
  const start = Math.max(r.nextStart, now);
  source.start(start);
  for (const segment of r.segments) {
    if (segment.startTime === undefined && segment.at < r.samplesQueued + buffer.length)
      segment.startTime = start + Math.max(0, segment.at - r.samplesQueued) / sampleRate;
  }
  r.nextStart = start + buffer.duration;
  r.samplesQueued += buffer.length;
  r.sources.add(source);
  source.onended = () => {
    if (!r.sources.delete(source)) return;
    r.samplesPlayed += buffer.length;
    r.secondsPlayed += buffer.duration;
    if (r === reading && done(r)) finish(false);
  };
  if (!r.started) {
    r.started = true;
    const scheduledAt = clock();
    const outputLatencyMs = ((ctx.outputLatency || 0) + (ctx.baseLatency || 0)) * 1000;
    const audibleAt = scheduledAt + (start - now) * 1000 + outputLatencyMs;
    const receivedAt = Math.min(r.receivedAt ?? scheduledAt, scheduledAt);
    // Reported when it is heard, so "playing" in the extension never comes before the sound.
    r.reportStarted = () => {
      r.reportStarted = undefined;
      post({ type: 'started', readingId: r.id, receivedAt, scheduledAt, audibleAt, outputLatencyMs });
    };
    setTimeout(() => r === reading && r.reportStarted?.(), Math.max(0, audibleAt - clock()));
    setStatus(l10n.t('Reading…'));
    startProgress();
  }
}

/** All the reading's audio and speech has been played. */
function done(r: Reading): boolean {
  return r.streamEnded && r.sources.size === 0 && r.waiting.length === 0 && r.utterances.size === 0 && r.speechWaiting.length === 0;
}

const synth: SpeechSynthesis | undefined = 'speechSynthesis' in window ? window.speechSynthesis : undefined;

/** The system voice says `text` after what it is saying (the fallback when the Kokoro server is down). */
function speakText(r: Reading, text: string, rate: number): void {
  if (!unlocked) {
    r.speechWaiting.push({ text, rate });
    return;
  }
  const utterance = r.spoken++;
  if (!synth) {
    post({ type: 'spoke', readingId: r.id, utterance, error: l10n.t('this browser engine has no speech synthesis') });
    return;
  }
  const segment = r.segments.at(-1);
  const said = new SpeechSynthesisUtterance(text);
  said.rate = Math.min(10, Math.max(0.1, rate));
  said.onstart = () => {
    if (r !== reading) return;
    post({ type: 'spoke', readingId: r.id, utterance });
    if (segment) {
      r.heard = { segment: segment.index };
      nowReading.textContent = segment.text;
      post({ type: 'heard', readingId: r.id, segment: segment.index });
    }
    if (!r.started) {
      r.started = true;
      const at = clock();
      post({ type: 'started', readingId: r.id, receivedAt: at, scheduledAt: at, audibleAt: at, outputLatencyMs: 0 });
      setStatus(l10n.t('Reading…'));
    }
  };
  const settle = (error?: string) => {
    if (!r.utterances.delete(said)) return;
    if (error !== undefined && r === reading) post({ type: 'spoke', readingId: r.id, utterance, error });
    if (r === reading && done(r)) finish(false);
  };
  said.onend = () => settle();
  said.onerror = (event) => settle(event.error === 'interrupted' || event.error === 'canceled' ? undefined : event.error);
  r.utterances.add(said);
  synth.speak(said);
}

function reportVoices(): void {
  post({ type: 'voices', count: synth?.getVoices().length ?? 0 });
}

function startProgress(): void {
  heardTimer ??= window.setInterval(() => reading && showHeard(reading), HEARD_INTERVAL_MS);
  if (progressTimer !== undefined) return;
  progressTimer = window.setInterval(() => {
    const r = reading;
    if (!r) return stopProgress();
    post({ type: 'progress', readingId: r.id, samplesPlayed: r.samplesPlayed, samplesQueued: r.samplesQueued });
  }, PROGRESS_INTERVAL_MS);
}

function stopProgress(): void {
  if (progressTimer !== undefined) window.clearInterval(progressTimer);
  if (heardTimer !== undefined) window.clearInterval(heardTimer);
  progressTimer = undefined;
  heardTimer = undefined;
}

function finish(stopped: boolean): void {
  const r = reading;
  if (!r) return;
  reading = undefined;
  stopProgress();
  for (const source of r.sources) {
    source.onended = null;
    try {
      source.stop();
    } catch {
      // never started
    }
    source.disconnect();
  }
  r.sources.clear();
  if (r.utterances.size) {
    r.utterances.clear();
    synth?.cancel();
  }
  if (!stopped) r.reportStarted?.();
  const glitches = Math.max(0, glitchesSoFar() - r.glitchesBefore);
  const change = outputLatency.afterReading(glitches, r.secondsPlayed);
  vscode.setState({ outputLatency: outputLatency.state });
  if (change) {
    latencyChanged = true;
    post({ type: 'log', level: change.level, message: change.message });
  }
  post({ type: 'ended', readingId: r.id, samplesPlayed: r.samplesPlayed, stopped, glitches });
  nowReading.textContent = r.title;
  setStatus(stopped ? l10n.t('Stopped.') : r.error ? l10n.t('Failed: {0}', r.error) : l10n.t('Finished.'));
  playPauseButton.disabled = true;
  stopButton.disabled = true;
  for (const button of sentenceButtons) button.disabled = true;
  positionRow.hidden = true;
  showPaused(false);
}

function setPaused(paused: boolean): void {
  const r = reading;
  if (!r || !context || r.paused === paused) return;
  r.paused = paused;
  void (paused ? context.suspend() : context.resume());
  if (r.utterances.size) {
    if (paused) synth?.pause();
    else synth?.resume();
  }
  showPaused(paused);
  setStatus(paused ? l10n.t('Paused.') : l10n.t('Reading…'));
}

/** Both labels take the button's width (player.css), so the controls do not move when it changes. */
function showPaused(paused: boolean): void {
  playPauseButton.classList.toggle('paused', paused);
  playPauseButton.setAttribute('aria-label', paused ? l10n.t('Resume') : l10n.t('Pause'));
}

function showSpeed(speed: number): void {
  speedInput.value = String(speed);
  speedValue.textContent = `${speed}×`;
  speedInput.setAttribute('aria-valuetext', l10n.t('{0} times', speed));
}

window.addEventListener('message', (event: MessageEvent<ToPlayer>) => {
  const message = event.data;
  switch (message.type) {
    case 'begin': {
      if (reading) finish(true);
      const ctx = getContext();
      if (ctx.state === 'suspended' && unlocked) void ctx.resume(); // was paused
      reading = {
        id: message.readingId,
        nextStart: 0,
        started: false,
        streamEnded: false,
        paused: false,
        samplesQueued: 0,
        samplesPlayed: 0,
        secondsPlayed: 0,
        glitchesBefore: glitchesSoFar(),
        sources: new Set(),
        waiting: [],
        title: message.text,
        segments: [],
        utterances: new Set(),
        spoken: 0,
        speechWaiting: [],
      };
      nowReading.textContent = message.text;
      playPauseButton.disabled = false;
      stopButton.disabled = false;
      for (const button of sentenceButtons) button.disabled = false;
      setStatus(l10n.t('Starting…'));
      ensureAudio();
      break;
    }
    case 'audio': {
      const r = reading;
      if (!r || r.id !== message.readingId) break;
      // When the message reached this page (the event's time), not when its turn came: a busy page shows in "schedule".
      r.receivedAt ??= Math.min(clock(), performance.timeOrigin + event.timeStamp);
      if (context?.state === 'running' || (unlocked && r.paused)) schedule(message.pcm, message.sampleRate);
      else r.waiting.push({ pcm: message.pcm, sampleRate: message.sampleRate });
      break;
    }
    case 'segment': {
      const r = reading;
      if (!r || r.id !== message.readingId) break;
      const waitingSamples = r.waiting.reduce((n, frame) => n + (frame.pcm.byteLength >> 1), 0);
      r.segments.push({ at: r.samplesQueued + waitingSamples, text: message.text, index: message.index });
      break;
    }
    case 'speakText':
      if (reading?.id === message.readingId) speakText(reading, message.text, message.rate);
      break;
    case 'words': {
      const segment = reading?.id === message.readingId ? reading.segments.find((s) => s.index === message.segment) : undefined;
      if (segment) segment.words = message.starts;
      break;
    }
    case 'position': {
      if (reading?.id !== message.readingId) break;
      positionRow.hidden = false;
      const where =
        message.sentences !== undefined
          ? l10n.t('Sentence {0} of {1}', message.sentence, message.sentences)
          : l10n.t('Sentence {0}', message.sentence);
      sentenceLabel.textContent = where;
      if (message.fraction !== undefined) progressBar.value = message.fraction;
      else progressBar.removeAttribute('value');
      progressBar.setAttribute('aria-valuetext', where);
      // Said only when the user moved: announcing every sentence would talk over the reading itself.
      if (message.announce) movedAnnouncement.textContent = where;
      break;
    }
    case 'end': {
      const r = reading;
      if (!r || r.id !== message.readingId) break;
      r.streamEnded = true;
      r.error = message.error;
      if (done(r)) finish(false);
      break;
    }
    case 'stop':
      finish(true);
      break;
    case 'pause':
      setPaused(true);
      break;
    case 'resume':
      setPaused(false);
      break;
    case 'setSpeed':
      showSpeed(message.speed);
      break;
    case 'serverNote':
      serverNote.textContent = message.text;
      serverNote.hidden = !message.text;
      break;
    case 'ping':
      post({ type: 'pong', id: message.id, at: clock() });
      break;
  }
});

enableButton.addEventListener('click', () => {
  const ctx = getContext();
  void ctx.resume().then(() => {
    if (ctx.state === 'running') {
      markUnlocked();
      setStatus(reading ? l10n.t('Reading…') : l10n.t('Audio enabled.'));
    }
  });
});
playPauseButton.addEventListener('click', () => post({ type: 'userAction', action: 'togglePause' }));
stopButton.addEventListener('click', () => post({ type: 'userAction', action: 'stop' }));
previousButton.addEventListener('click', () => post({ type: 'userAction', action: 'previousSentence' }));
repeatButton.addEventListener('click', () => post({ type: 'userAction', action: 'repeatSentence' }));
nextButton.addEventListener('click', () => post({ type: 'userAction', action: 'nextSentence' }));
$<HTMLButtonElement>('fromCursor').addEventListener('click', () => post({ type: 'userAction', action: 'readFromCursor' }));
speedInput.addEventListener('change', () => {
  const speed = Number(speedInput.value);
  showSpeed(speed);
  post({ type: 'userAction', action: 'setSpeed', speed });
});
document.addEventListener('keydown', (event) => {
  if (event.target instanceof HTMLInputElement) return;
  if (!event.ctrlKey && !event.altKey && !event.metaKey && reading) {
    const action =
      event.key === 'ArrowLeft'
        ? 'previousSentence'
        : event.key === 'ArrowRight'
          ? 'nextSentence'
          : event.key === 'r'
            ? 'repeatSentence'
            : undefined;
    if (action) {
      event.preventDefault();
      post({ type: 'userAction', action });
      return;
    }
  }
  if (event.target instanceof HTMLButtonElement) return;
  if (event.key === 'Escape') post({ type: 'userAction', action: 'stop' });
  else if (event.key === ' ') {
    event.preventDefault();
    post({ type: 'userAction', action: 'togglePause' });
  }
});

// A context created now may already be allowed to run (browsers, code-server); if not, it starts when it
// may (onstatechange) or with the gesture the first reading asks for. Ready goes at once either way: the
// first reading's audio waits for it.
const initial = getContext();
const contextAt = clock();
if (initial.state === 'running') unlocked = true;
else void initial.resume().catch(() => undefined);
post({ type: 'ready', startup: { navigationAt: performance.timeOrigin, scriptAt, contextAt, readyAt: clock() } });
reportVoices();
synth?.addEventListener('voiceschanged', reportVoices);
