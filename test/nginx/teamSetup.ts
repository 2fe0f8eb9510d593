// The team setup of deploy/ for tests: the system's nginx, run without root in a temporary folder with
// deploy/nginx/kokoro.conf (only its `listen` port changed) in front of stand-in replicas, each a child process
// in blocking (real-server) mode. The replica list is deploy/nginx/kokoro-replicas.conf with the stand-ins'
// addresses in place of the Docker service names, the rest of each `server` line kept. nginx runs as one process
// (master_process off: no workers to switch user, as root, or to outlive it), so killing it leaves nothing behind.

import { type ChildProcess, spawn } from 'node:child_process';
import { accessSync, constants, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { StandinProcess } from '../standin/process';
import { type StandinOptions } from '../standin/server';

const REPO = path.join(__dirname, '..', '..', '..');
const DEPLOY_CONFIG = path.join(REPO, 'deploy', 'nginx', 'kokoro.conf');
const DEPLOY_REPLICAS = path.join(REPO, 'deploy', 'nginx', 'kokoro-replicas.conf');
/** The `listen` line of kokoro.conf, the one line the tests change. */
const LISTEN_LINE = /^(\s*)listen 8880;$/m;
const SERVER_LINE = /^\s*server\s+(\S+)(.*);\s*$/;
const STARTUP_MS = 5_000;
const SHUTDOWN_MS = 3_000;

/** The nginx binary: NGINX, else `nginx` on PATH or in the usual sbin folders (a non-root PATH often lacks them). */
export function findNginx(): string | undefined {
  const candidates = process.env.NGINX
    ? [process.env.NGINX]
    : [
        ...(process.env.PATH ?? '').split(path.delimiter).filter(Boolean),
        '/usr/sbin',
        '/usr/local/sbin',
        '/usr/local/bin',
        '/opt/homebrew/bin',
      ].map((dir) => path.join(dir, 'nginx'));
  return candidates.find((file) => {
    try {
      accessSync(file, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/** kokoro.conf as the tests run it: listening on `port` of loopback instead of 8880. */
function testConfig(deployed: string, port: number): string {
  if (deployed.match(new RegExp(LISTEN_LINE.source, 'gm'))?.length !== 1)
    throw new Error(`${DEPLOY_CONFIG} must have exactly one line "listen 8880;" (the tests move it to a free port)`);
  return deployed.replace(LISTEN_LINE, `$1listen 127.0.0.1:${port};`);
}

/** The deployed replica list with these addresses instead: each `server` line takes the first line's parameters. */
function testReplicas(deployed: string, addresses: string[]): string {
  const first = deployed.split('\n').find((line) => SERVER_LINE.test(line));
  if (!first) throw new Error(`${DEPLOY_REPLICAS} lists no "server" line`);
  const parameters = SERVER_LINE.exec(first)![2];
  return addresses.map((address) => `server ${address}${parameters};\n`).join('');
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

export interface TeamSetupOptions {
  replicas?: number;
  /** Options of every replica; mode is always 'blocking'. */
  standin?: StandinOptions;
}

export class TeamSetup {
  private readonly exited: Promise<void>;

  private constructor(
    private readonly nginx: ChildProcess,
    /** Kills nginx if this process exits without stop(): a test run that dies must not leave it listening. */
    private readonly killOnExit: () => void,
    private readonly folder: string,
    /** nginx's address: what kokoro.serverUrl points at. */
    readonly url: string,
    readonly replicas: StandinProcess[],
    private readonly errors: () => string,
  ) {
    this.exited = new Promise((resolve) => {
      if (nginx.exitCode !== null || nginx.signalCode !== null) resolve();
      else nginx.once('exit', () => resolve());
    });
  }

  /** Starts the replicas and nginx in front of them; everything started is stopped again if any part fails. */
  static async start(options: TeamSetupOptions = {}): Promise<TeamSetup> {
    const binary = findNginx();
    if (!binary) throw new Error('nginx is not installed (Debian: apt-get install nginx, or set NGINX=/path/to/nginx)');
    const replicas: StandinProcess[] = [];
    const folder = mkdtempSync(path.join(os.tmpdir(), 'kokoro-nginx-'));
    let nginx: ChildProcess | undefined;
    const killOnExit = () => nginx?.kill('SIGKILL');
    try {
      const started = await Promise.allSettled(
        Array.from({ length: options.replicas ?? 2 }, () => StandinProcess.start({ ...options.standin, mode: 'blocking' })),
      );
      for (const result of started) if (result.status === 'fulfilled') replicas.push(result.value);
      const failed = started.find((result) => result.status === 'rejected');
      if (failed) throw failed.reason;

      const conf = path.join(folder, 'conf');
      const temp = path.join(folder, 'temp');
      mkdirSync(conf);
      mkdirSync(temp);
      const addresses = replicas.map((replica) => new URL(replica.url).host);
      writeFileSync(path.join(conf, 'kokoro-replicas.conf'), testReplicas(readFileSync(DEPLOY_REPLICAS, 'utf8'), addresses));
      const port = await freePort();
      writeFileSync(path.join(conf, 'kokoro.conf'), testConfig(readFileSync(DEPLOY_CONFIG, 'utf8'), port));
      // Every path nginx would otherwise take from its build (/var/lib/nginx, /var/log/nginx) is in the folder.
      const tempPaths = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']
        .map((kind) => `  ${kind}_temp_path ${path.join(temp, kind)};`)
        .join('\n');
      writeFileSync(
        path.join(conf, 'nginx.conf'),
        [
          'events { worker_connections 256; }',
          'http {',
          "  log_format replica '$status $request_method $uri upstream=$upstream_addr upstream_status=$upstream_status ms=$request_time';",
          `  access_log ${path.join(folder, 'access.log')} replica;`,
          tempPaths,
          '  include kokoro.conf;',
          '}',
          '',
        ].join('\n'),
      );
      const errorLog = path.join(folder, 'error.log');
      let output = '';
      const errors = () => {
        try {
          return output + readFileSync(errorLog, 'utf8');
        } catch {
          return output; // nothing logged yet
        }
      };
      const daemon = `daemon off; master_process off; pid ${path.join(folder, 'nginx.pid')}; error_log ${errorLog} info;`;
      const child = spawn(binary, ['-p', folder, '-c', path.join(conf, 'nginx.conf'), '-g', daemon], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      nginx = child;
      process.once('exit', killOnExit);
      child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
      const deadline = Date.now() + STARTUP_MS;
      while (!(await canConnect(port))) {
        if (child.exitCode !== null || child.signalCode !== null || Date.now() > deadline)
          throw new Error(`nginx did not start (${child.exitCode ?? child.signalCode ?? 'still starting'}):\n${errors()}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      return new TeamSetup(child, killOnExit, folder, `http://127.0.0.1:${port}`, replicas, errors);
    } catch (err) {
      process.off('exit', killOnExit);
      if (nginx && nginx.exitCode === null && nginx.signalCode === null) {
        const exited = new Promise((resolve) => nginx!.once('exit', resolve));
        nginx.kill('SIGKILL');
        await exited;
      }
      await Promise.all(replicas.map((replica) => replica.stop()));
      rmSync(folder, { recursive: true, force: true });
      throw err;
    }
  }

  /** The replica's address as nginx names it ($upstream_addr, the X-Kokoro-Replica header). */
  address(replica: StandinProcess): string {
    return new URL(replica.url).host;
  }

  /** nginx's access log, a line per request: "status method path upstream=… upstream_status=… ms=…". */
  accessLog(): string[] {
    try {
      return readFileSync(path.join(this.folder, 'access.log'), 'utf8').split('\n').filter(Boolean);
    } catch {
      return []; // no request yet
    }
  }

  /** nginx's access and error logs, for assertion messages. */
  logs(): string {
    return `nginx access log:\n${this.accessLog().join('\n')}\nnginx error log:\n${this.errors()}`;
  }

  /** Stops nginx (fast shutdown, killed if it takes longer than 3 s) and every replica, and removes the folder. */
  async stop(): Promise<void> {
    process.off('exit', this.killOnExit);
    if (this.nginx.exitCode === null && this.nginx.signalCode === null) {
      this.nginx.kill('SIGTERM');
      const killer = setTimeout(() => this.nginx.kill('SIGKILL'), SHUTDOWN_MS);
      await this.exited;
      clearTimeout(killer);
    }
    await Promise.all(this.replicas.map((replica) => replica.stop()));
    rmSync(this.folder, { recursive: true, force: true });
  }
}
