// The stand-in in a child process, steered through its control server: its CPU and memory are not the caller's,
// and in blocking mode it may block its own event loop. Used by `npm run bench` (bundled into dist/, next to
// dist/standin.js) and by unit tests (compiled to out/test/standin/, next to cli.js).

import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { createInterface } from 'node:readline';
import type { RecordedRequest, ResolvedStandinOptions, StandinOptions } from './server';

export interface StandinState {
  url: string;
  connectionsOpened: number;
  /** TCP connections open right now. */
  connectionsOpen: number;
  /** The child's performance.timeOrigin: add it to a request's times to compare them with this process's. */
  timeOrigin: number;
  requests: RecordedRequest[];
  options: ResolvedStandinOptions;
}

/** Command-line flags for the options the CLI takes (port and control port are always 0: any free port). */
function flags(options: StandinOptions): string[] {
  const out: string[] = [];
  const add = (flag: string, value: unknown) => {
    if (value !== undefined) out.push(flag, String(value));
  };
  add('--host', options.host);
  add('--ttfb-ms', options.ttfbMs);
  add('--rtf', options.rtf);
  add('--chunk-ms', options.chunkMs);
  add('--ms-per-char', options.msPerChar);
  add('--voice-source', options.voiceSource);
  add('--voices-shape', options.voicesShape);
  add('--label', options.label);
  add('--fault', options.fault);
  add('--fault-times', options.faultTimes);
  add('--keep-alive-ms', options.keepAliveTimeoutMs);
  if (options.keepAliveHeader === false) out.push('--no-keep-alive-header');
  add('--mode', options.mode);
  add('--start-cost-ms', options.startCostMs);
  add('--group-chars', options.groupChars);
  if (options.captions === false) out.push('--no-captions');
  add('--replica', options.replica);
  return out;
}

export class StandinProcess {
  private readonly exited: Promise<void>;

  private constructor(
    private readonly child: ChildProcess,
    readonly url: string,
    readonly controlUrl: string,
  ) {
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
  }

  /** The CLI beside this module: dist/standin.js when bundled, cli.js when compiled by tsc. */
  static cliPath(): string {
    const bundled = path.join(__dirname, 'standin.js');
    return existsSync(bundled) ? bundled : path.join(__dirname, 'cli.js');
  }

  /** Starts the CLI on free ports with these options; stderr (its request log, unless quiet) goes to ours. */
  static async start(options: StandinOptions & { quiet?: boolean } = {}): Promise<StandinProcess> {
    const { quiet = true, ...rest } = options;
    const args = [StandinProcess.cliPath(), '--port', '0', '--control-port', '0', ...flags(rest), ...(quiet ? ['--quiet'] : [])];
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    const line = await new Promise<string>((resolve, reject) => {
      createInterface({ input: child.stdout! }).once('line', resolve);
      child.once('exit', (code) => reject(new Error(`stand-in exited with ${code}`)));
    });
    const { url, controlUrl } = JSON.parse(line) as { url: string; controlUrl: string };
    return new StandinProcess(child, url, controlUrl);
  }

  async state(): Promise<StandinState> {
    return (await this.control('GET', '/state')) as StandinState;
  }

  /** Changes options at run time, e.g. { mode: 'blocking', rtf: 40 }; they apply from the next request (rtf and startCostMs from the next group). */
  async setOptions(options: Partial<StandinOptions>): Promise<ResolvedStandinOptions> {
    return ((await this.control('POST', '/options', options)) as { options: ResolvedStandinOptions }).options;
  }

  /** Forgets recorded requests and connections, and restores the options it started with. */
  async reset(): Promise<void> {
    await this.control('POST', '/reset');
  }

  /** Stops listening (clients get ECONNREFUSED) and drops open connections. */
  async down(): Promise<void> {
    await this.control('POST', '/down');
  }

  async up(): Promise<void> {
    await this.control('POST', '/up');
  }

  /** Ends the process (SIGTERM, then SIGKILL after a second) and waits for it. */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.kill('SIGTERM');
    const killer = setTimeout(() => this.child.kill('SIGKILL'), 1000);
    await this.exited;
    clearTimeout(killer);
  }

  /** Kills the process at once (SIGKILL), as a crash would, even in the middle of a blocking group; waits for it. */
  async kill(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.kill('SIGKILL');
    await this.exited;
  }

  private async control(method: string, route: string, body?: unknown): Promise<unknown> {
    const res = await fetch(`${this.controlUrl}${route}`, { method, body: body === undefined ? undefined : JSON.stringify(body) });
    const answer = (await res.json()) as { error?: string };
    if (!res.ok) throw new Error(`stand-in control ${method} ${route}: ${answer.error ?? res.status}`);
    return answer;
  }
}
