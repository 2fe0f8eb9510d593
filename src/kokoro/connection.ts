// Owns the client for the configured server: warm-up on start and after changes,
// the server's state, and recovery (health polling, then re-warm) when it goes away.

import { EventEmitter } from 'node:events';
import { KokoroClient, type KokoroClientOptions, type SpeechParams, type WarmUpResult } from './client';
import { KokoroError, networkError } from './errors';

/** 'misconfigured': kokoro.serverUrl cannot be used, so nothing is sent until it changes. */
export type ServerState = 'idle' | 'warming' | 'ready' | 'unreachable' | 'misconfigured';

export interface ServerSettings {
  client: KokoroClientOptions;
  speech: SpeechParams;
  warmUp: boolean;
  /**
   * While the user is active, connections are touched this often so the server's keep-alive
   * timer never closes them (uvicorn keeps 5 s; undici closes a second before the hint it is given) and a reading never waits for a new one. 0: off.
   */
  keepWarmMs?: number;
}

export interface ServerEvents {
  state: [ServerState, KokoroError | undefined];
  warmedUp: [WarmUpResult];
}

const RECOVERY_DELAYS_MS = [1_000, 2_000, 5_000, 10_000];
export const KEEP_WARM_MS = 2_500;
/** Keeping warm stops this long after the last reading, so an idle editor sends nothing. */
const KEEP_WARM_FOR_MS = 15 * 60_000;

export class ServerConnection extends EventEmitter<ServerEvents> {
  private current: KokoroClient;
  private settings: ServerSettings;
  private stateValue: ServerState = 'idle';
  private lastErrorValue: KokoroError | undefined;
  private recoveryTimer: NodeJS.Timeout | undefined;
  private recoveryAttempt = 0;
  private warmUpRun: Promise<void> | undefined;
  private disposed = false;
  private keepWarmTimer: NodeJS.Timeout | undefined;
  private lastActivity = 0;

  constructor(settings: ServerSettings) {
    super();
    this.settings = settings;
    this.current = new KokoroClient(settings.client);
    if (this.current.urlError) {
      this.stateValue = 'misconfigured';
      this.lastErrorValue = this.current.urlError;
    }
  }

  get client(): KokoroClient {
    return this.current;
  }

  get state(): ServerState {
    return this.stateValue;
  }

  get lastError(): KokoroError | undefined {
    return this.lastErrorValue;
  }

  get speech(): SpeechParams {
    return this.settings.speech;
  }

  /** Applies new settings; a new URL, pool size or key gets a new pool, and the server is warmed again. */
  update(settings: ServerSettings): void {
    const before = this.settings;
    this.settings = settings;
    const clientChanged = JSON.stringify(before.client) !== JSON.stringify(settings.client);
    if ((before.keepWarmMs ?? KEEP_WARM_MS) !== (settings.keepWarmMs ?? KEEP_WARM_MS)) this.stopKeepWarm();
    if (clientChanged) {
      const old = this.current;
      this.current = new KokoroClient(settings.client);
      void old.close();
    }
    const speechChanged = JSON.stringify(before.speech) !== JSON.stringify(settings.speech);
    if (this.current.urlError) {
      this.stopRecovery();
      this.setState('misconfigured', this.current.urlError);
    } else if ((clientChanged || speechChanged) && settings.warmUp) void this.warmUp();
    else if (clientChanged) this.setState('idle');
  }

  /** Warms the server; concurrent calls share one run. Resolves, never rejects (the state tells). */
  warmUp(): Promise<void> {
    if (this.current.urlError) return Promise.resolve();
    if (this.warmUpRun) return this.warmUpRun;
    const run = (async () => {
      this.stopRecovery();
      this.setState('warming');
      const client = this.current;
      try {
        const result = await client.warmUp(this.settings.speech);
        if (client !== this.current || this.disposed) return;
        this.emit('warmedUp', result);
        this.setState('ready');
        this.noteActivity();
      } catch (err) {
        if (client !== this.current || this.disposed) return;
        const error = err instanceof KokoroError ? err : networkError(err, client.url);
        if (this.isFalseAlarm(error, client)) this.setState('ready');
        else if (error.kind === 'unreachable' || error.kind === 'timeout') this.markUnreachable(error);
        else this.setState('ready', error); // it answers; the problem (e.g. an unknown voice) is in the request
      }
    })().finally(() => {
      if (this.warmUpRun === run) this.warmUpRun = undefined;
    });
    this.warmUpRun = run;
    return run;
  }

  /** Readings report their outcome here, so the state follows what the user experiences. */
  reportFailure(error: KokoroError): void {
    if (error.kind === 'unreachable' || (error.kind === 'timeout' && this.stateValue !== 'warming')) {
      this.markUnreachable(error);
      return;
    }
    if (error.kind === 'truncated' && this.stateValue === 'ready') {
      // A stream that broke off may mean the server went away: ask it, so the state says so at once.
      const client = this.current;
      client.health().catch((err: unknown) => {
        if (client !== this.current || this.disposed || !(err instanceof KokoroError) || this.isFalseAlarm(err, client)) return;
        if (err.kind === 'unreachable' || err.kind === 'timeout') this.markUnreachable(err);
      });
    }
  }

  reportSuccess(): void {
    this.noteActivity();
    if (this.stateValue !== 'ready') {
      this.stopRecovery();
      this.setState('ready');
    }
  }

  /** The user is reading: keep the pool's connections open for a while. */
  noteActivity(): void {
    this.lastActivity = Date.now();
    const every = this.settings.keepWarmMs ?? KEEP_WARM_MS;
    if (this.keepWarmTimer || every <= 0 || this.disposed) return;
    this.keepWarmTimer = setInterval(() => {
      if (this.disposed || this.stateValue !== 'ready' || Date.now() - this.lastActivity > KEEP_WARM_FOR_MS) {
        this.stopKeepWarm();
        return;
      }
      const client = this.current;
      client.touchConnections().catch((err: unknown) => {
        if (client === this.current && err instanceof KokoroError && !this.isFalseAlarm(err, client)) this.reportFailure(err);
      });
    }, every);
    this.keepWarmTimer.unref?.();
  }

  private stopKeepWarm(): void {
    if (this.keepWarmTimer) clearInterval(this.keepWarmTimer);
    this.keepWarmTimer = undefined;
  }

  /**
   * A slow answer from a server that is streaming audio to us, or holding a speech request of ours,
   * is not a dead server: Kokoro-FastAPI answers nothing else while it generates a sentence group.
   */
  private isFalseAlarm(error: KokoroError, client: KokoroClient): boolean {
    return error.kind === 'timeout' && client.busy;
  }

  private markUnreachable(error: KokoroError): void {
    this.setState('unreachable', error);
    this.scheduleRecovery();
  }

  private scheduleRecovery(): void {
    if (this.recoveryTimer || this.disposed) return;
    const delay = RECOVERY_DELAYS_MS[Math.min(this.recoveryAttempt, RECOVERY_DELAYS_MS.length - 1)];
    this.recoveryAttempt++;
    this.recoveryTimer = setTimeout(() => void this.recover(), delay);
    this.recoveryTimer.unref?.();
  }

  private async recover(): Promise<void> {
    this.recoveryTimer = undefined;
    const client = this.current;
    try {
      await client.health();
      if (client !== this.current || this.disposed) return;
      this.recoveryAttempt = 0;
      if (this.settings.warmUp) await this.warmUp();
      else this.setState('ready');
    } catch {
      if (client === this.current && !this.disposed && this.stateValue === 'unreachable') this.scheduleRecovery();
    }
  }

  private stopRecovery(): void {
    if (this.recoveryTimer) clearTimeout(this.recoveryTimer);
    this.recoveryTimer = undefined;
    this.recoveryAttempt = 0;
  }

  private setState(state: ServerState, error?: KokoroError): void {
    const changed = state !== this.stateValue || error !== this.lastErrorValue;
    this.stateValue = state;
    this.lastErrorValue = error;
    if (changed) this.emit('state', state, error);
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    this.stopRecovery();
    this.stopKeepWarm();
    this.removeAllListeners();
    await this.current.close();
  }
}
