// Owns the clients for the configured servers: warm-up on start and after changes, the
// server's state, recovery (health polling, then re-warm) when it goes away, and the
// switch to a fallback server (kokoro.serverUrls) while the first one is unreachable.

import { EventEmitter } from 'node:events';
import { KokoroClient, type KokoroClientOptions, type SpeechParams, type WarmUpResult } from './client';
import { KokoroError, networkError } from './errors';
import { parseServerUrl } from './serverUrl';

/** 'misconfigured': kokoro.serverUrl cannot be used, so nothing is sent until it changes. */
export type ServerState = 'idle' | 'warming' | 'ready' | 'unreachable' | 'misconfigured';

export interface ServerSettings {
  /** Options of every server's client; `serverUrl` is the first choice. */
  client: KokoroClientOptions;
  /** Servers to use, in this order, while the first choice is unreachable (kokoro.serverUrls); unusable URLs and repeats are left out. */
  fallbackUrls?: readonly string[];
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
  /** A warm-up's syntheses have all settled (the state went ready at the first answer); `url` is the server warmed, the one in use. */
  warmedUp: [result: WarmUpResult, url: string];
  /**
   * Another server of the list is in use from now on (a fallback while the one before it is unreachable, or back to
   * a preferred one that answers again): its URL, and its place in `serverUrls` (0: kokoro.serverUrl). Not emitted
   * when new settings start again from the first server: `update()`'s caller knows.
   */
  serverChanged: [url: string, index: number];
}

const RECOVERY_DELAYS_MS = [1_000, 2_000, 5_000, 10_000];
export const KEEP_WARM_MS = 2_500;
/** Keeping warm stops this long after the last reading, so an idle editor sends nothing. */
const KEEP_WARM_FOR_MS = 15 * 60_000;

function isDown(error: KokoroError): boolean {
  return error.kind === 'unreachable' || error.kind === 'timeout';
}

export class ServerConnection extends EventEmitter<ServerEvents> {
  /** One client per server, in order of preference; the first is kokoro.serverUrl's, even when it cannot be used. */
  private clients: KokoroClient[];
  private index = 0;
  private settings: ServerSettings;
  private stateValue: ServerState = 'idle';
  private lastErrorValue: KokoroError | undefined;
  /** Polls the servers: all of them while none answers, the preferred ones while a fallback is in use. */
  private recoveryTimer: NodeJS.Timeout | undefined;
  private recoveryAttempt = 0;
  /** The warm-up, fail-over or recovery under way; one at a time. */
  private run: Promise<void> | undefined;
  /** The run under way when it is a warm-up. */
  private warmUpRun: Promise<void> | undefined;
  /** Changes when the clients are replaced: what a run found out about the old ones no longer counts. */
  private generation = 0;
  /** Counts warm-ups: only the latest reports its result. */
  private warmUps = 0;
  private disposed = false;
  private keepWarmTimer: NodeJS.Timeout | undefined;
  private lastActivity = 0;

  constructor(settings: ServerSettings) {
    super();
    this.settings = settings;
    this.clients = clientsFor(settings);
    if (this.current.urlError) {
      this.stateValue = 'misconfigured';
      this.lastErrorValue = this.current.urlError;
    }
  }

  private get current(): KokoroClient {
    return this.clients[this.index];
  }

  /** The client of the server in use. It changes on a switch: take it afresh for each request. */
  get client(): KokoroClient {
    return this.current;
  }

  /** The servers, in order of preference: kokoro.serverUrl, then the usable kokoro.serverUrls. */
  get serverUrls(): readonly string[] {
    return this.clients.map((c) => c.url);
  }

  /** The place in `serverUrls` of the server in use (0: kokoro.serverUrl). */
  get serverIndex(): number {
    return this.index;
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

  /**
   * Applies new settings; a new URL, list of fallbacks, pool size or key gets new pools (the first server again),
   * and the server is warmed again.
   */
  update(settings: ServerSettings): void {
    const before = this.settings;
    this.settings = settings;
    const clientChanged =
      JSON.stringify(before.client) !== JSON.stringify(settings.client) ||
      JSON.stringify(before.fallbackUrls ?? []) !== JSON.stringify(settings.fallbackUrls ?? []);
    if ((before.keepWarmMs ?? KEEP_WARM_MS) !== (settings.keepWarmMs ?? KEEP_WARM_MS)) this.stopKeepWarm();
    if (clientChanged) {
      const old = this.clients;
      this.clients = clientsFor(settings);
      this.index = 0;
      this.generation++;
      this.run = this.warmUpRun = undefined;
      this.stopRecovery();
      for (const client of old) void client.retire();
    }
    // A new voice or model is loaded by the server on its first use: warm it. A new speed needs nothing, and a
    // warm-up synthesis would queue ahead of the reading that goes on at that speed on a server that generates one at a time.
    const withoutSpeed = ({ speed: _speed, ...rest }: ServerSettings['speech']) => JSON.stringify(rest);
    const speechChanged = withoutSpeed(before.speech) !== withoutSpeed(settings.speech);
    if (this.current.urlError) {
      this.stopRecovery();
      this.setState('misconfigured', this.current.urlError);
    } else if ((clientChanged || speechChanged) && settings.warmUp) void this.warmUp();
    else if (clientChanged) this.setState('idle');
  }

  /**
   * Warms the server in use; when it does not answer, the next servers of the list are tried. Concurrent calls
   * share one run. Resolves, never rejects (the state tells), as soon as a server is ready: its first synthesis
   * answered (`warmedUp` follows when the others have).
   */
  warmUp(): Promise<void> {
    if (this.current.urlError) return Promise.resolve();
    if (this.warmUpRun) return this.warmUpRun;
    // A switch or a poll under way may warm another server, or none: this one is warmed after it.
    if (this.run) return this.run.then(() => this.warmUp());
    return this.exclusive(true, async (generation) => {
      this.stopRecovery();
      this.setState('warming');
      const client = this.current;
      const error = await this.warm(client);
      if (generation !== this.generation) return;
      if (!error || this.isFalseAlarm(error, client)) this.becameReady();
      else if (isDown(error)) await this.failOver(error, generation);
      else this.becameReady(error); // it answers; the problem (e.g. an unknown voice) is in the request
    });
  }

  /** Readings report their outcome here, so the state follows what the user experiences. */
  reportFailure(error: KokoroError): void {
    if (error.kind === 'unreachable' || (error.kind === 'timeout' && this.stateValue !== 'warming')) {
      this.markDown(error);
      return;
    }
    if (error.kind === 'truncated' && this.stateValue === 'ready') {
      // A stream that broke off may mean the server went away: ask it, so the state says so at once.
      const client = this.current;
      client.health().catch((err: unknown) => {
        if (client !== this.current || this.disposed || !(err instanceof KokoroError) || this.isFalseAlarm(err, client)) return;
        if (isDown(err)) this.markDown(err);
      });
    }
  }

  reportSuccess(): void {
    this.noteActivity();
    if (this.stateValue !== 'ready') {
      this.stopRecovery();
      this.becameReady();
    } else if (this.lastErrorValue) this.setState('ready'); // the warm-up's failure is past: the server speaks now
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

  /** Runs `task` as the one run under way; it is told the generation of the clients it started with. */
  private exclusive(warmUp: boolean, task: (generation: number) => Promise<void>): Promise<void> {
    const run = task(this.generation).finally(() => {
      if (this.run === run) this.run = undefined;
      if (this.warmUpRun === run) this.warmUpRun = undefined;
    });
    this.run = run;
    if (warmUp) this.warmUpRun = run;
    return run;
  }

  /**
   * Warms `client` up: resolves as soon as its first synthesis answered (undefined), or with why none did. The
   * result of all of them is reported by `warmedUp` when they have settled, if `client` is then the one in use.
   */
  private warm(client: KokoroClient): Promise<KokoroError | undefined> {
    const warmUp = ++this.warmUps;
    return new Promise((resolve) => {
      client.warmUp(this.settings.speech, { onFirstAnswer: () => resolve(undefined) }).then(
        (result) => {
          resolve(undefined);
          if (warmUp === this.warmUps && client === this.current && !this.disposed) this.emit('warmedUp', result, client.url);
        },
        (err: unknown) => resolve(err instanceof KokoroError ? err : networkError(err, client.url)),
      );
    });
  }

  /** Whether `client`'s server answers a health check (slowly, while it generates for us, counts). */
  private answers(client: KokoroClient): Promise<boolean> {
    return client.health().then(
      () => true,
      (err: unknown) => err instanceof KokoroError && this.isFalseAlarm(err, client),
    );
  }

  /** The server in use seems not to answer: with other servers to go to, it is asked first (the report may be about one used before). */
  private markDown(error: KokoroError): void {
    if (this.disposed) return;
    if (this.clients.length === 1 || this.stateValue === 'unreachable') {
      this.markUnreachable(error);
      return;
    }
    if (this.run) {
      void this.run.then(() => this.markDown(error));
      return;
    }
    void this.exclusive(false, async (generation) => {
      const client = this.current;
      if (await this.answers(client)) return;
      if (generation !== this.generation) return;
      this.stopRecovery();
      this.setState('warming', error);
      await this.failOver(error, generation);
    });
  }

  /** The server in use did not answer: the first of the others that does is used; none: unreachable. */
  private async failOver(error: KokoroError, generation: number): Promise<void> {
    const others = this.clients.map((_, i) => i).filter((i) => i !== this.index);
    const outcome = await this.useFirstAnswering(others, generation);
    if (outcome !== 'used' && generation === this.generation) this.markUnreachable(outcome ?? error);
  }

  /**
   * Asks the servers at `candidates` (places in the list, most preferred first) at once; the first that answers
   * is warmed up (when warm-up is on) and used from then on. While a server in use is ready, one whose warm-up
   * finds any problem is not switched to. Otherwise: the error of the last warm-up that failed, if any.
   */
  private async useFirstAnswering(candidates: number[], generation: number): Promise<'used' | KokoroError | undefined> {
    const answering = await Promise.all(candidates.map((i) => this.answers(this.clients[i])));
    let failed: KokoroError | undefined;
    for (const [n, i] of candidates.entries()) {
      if (generation !== this.generation) return undefined;
      if (!answering[n]) continue;
      const client = this.clients[i];
      let error: KokoroError | undefined;
      if (this.settings.warmUp) {
        const switchingBack = this.stateValue === 'ready';
        if (!switchingBack) this.setState('warming', this.lastErrorValue);
        error = await this.warm(client);
        if (generation !== this.generation) return undefined;
        if (error && this.isFalseAlarm(error, client)) error = undefined;
        if (error && (isDown(error) || switchingBack)) {
          failed = error;
          continue;
        }
      }
      this.use(i);
      this.becameReady(error);
      return 'used';
    }
    return failed;
  }

  /** Switches to the server at `index`; the one before keeps its pool, so a request still going there ends normally. */
  private use(index: number): void {
    if (index === this.index) return;
    this.index = index;
    this.emit('serverChanged', this.current.url, index);
  }

  /** Ready on the server in use; a fallback one keeps the preferred ones polled. */
  private becameReady(error?: KokoroError): void {
    this.recoveryAttempt = 0;
    this.setState('ready', error);
    this.noteActivity();
    if (this.index > 0) this.scheduleRecovery();
  }

  private markUnreachable(error: KokoroError | undefined): void {
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

  /** While none answers: the first server that answers again is used. While a fallback is in use: a preferred one that answers again is. */
  private async recover(): Promise<void> {
    this.recoveryTimer = undefined;
    if (this.disposed) return;
    if (this.run) {
      // Polled again after the run under way (which may have changed everything, or nothing).
      void this.run.then(() => this.scheduleRecovery());
      return;
    }
    const unreachable = this.stateValue === 'unreachable';
    if (!unreachable && (this.stateValue !== 'ready' || this.index === 0)) return;
    const candidates = this.clients.map((_, i) => i).filter((i) => unreachable || i < this.index);
    await this.exclusive(false, async (generation) => {
      const outcome = await this.useFirstAnswering(candidates, generation);
      if (outcome === 'used' || generation !== this.generation) return;
      if (unreachable) this.markUnreachable(outcome ?? this.lastErrorValue);
      else this.scheduleRecovery();
    });
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
    this.generation++;
    this.stopRecovery();
    this.stopKeepWarm();
    this.removeAllListeners();
    await Promise.all(this.clients.map((c) => c.close()));
  }
}

/** A client for kokoro.serverUrl, then one for each usable fallback URL that is not already in the list. */
function clientsFor(settings: ServerSettings): KokoroClient[] {
  const first = new KokoroClient(settings.client);
  const clients = [first];
  const seen = new Set([first.urlError ? '' : first.url]);
  for (const raw of settings.fallbackUrls ?? []) {
    const parsed = parseServerUrl(raw);
    if (!parsed.ok || seen.has(parsed.url)) continue;
    seen.add(parsed.url);
    clients.push(new KokoroClient({ ...settings.client, serverUrl: parsed.url }));
  }
  return clients;
}
