// Runs the stand-in Kokoro server from the command line, with a control server on
// another loopback port so tests can inspect and steer it (even while the speech port is down).
// Prints one JSON line {"url","controlUrl","label"} on stdout once both listen; logs requests to stderr.

import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { FAULTS, type Fault, MODES, type StandinMode, type StandinOptions, StandinServer } from './server';

const USAGE = `Usage: node cli.js [--port 8880] [--host 127.0.0.1] [--ttfb-ms 0] [--rtf 0] [--chunk-ms 100]
       [--ms-per-char 60] [--voice-source tone|espeak] [--voices-shape objects|strings] [--label TEXT]
       [--fault NAME] [--fault-times N] [--keep-alive-ms 5000] [--no-keep-alive-header]
       [--mode fast|blocking] [--start-cost-ms 50] [--group-chars 180] [--no-captions] [--replica NAME]
       [--control-port 0] [--quiet]
--mode blocking behaves like Kokoro-FastAPI's HTTP stack: the input is split into sentence groups of up to
--group-chars characters, each generated with the event loop blocked for start-cost-ms + its audio / rtf and
written whole; /health, other requests and the control server wait meanwhile; a disconnect is noticed only
between groups (the group in progress is finished, then generation stops); no Keep-Alive header.
--no-captions answers POST /dev/captioned_speech (word timings) with 404, as servers without it do.
--replica NAME sends X-Kokoro-Replica: NAME on every answer, as a load balancer naming its replica does.
Control server: GET /state, POST /options (JSON partial options, e.g. {"mode":"blocking","rtf":40}),
POST /reset, POST /down, POST /up. In blocking mode its answers wait for the group in progress too.`;

function parse(argv: string[]): { options: StandinOptions; controlPort: number; quiet: boolean } {
  const options: StandinOptions = { port: 8880 };
  let controlPort = 0;
  let quiet = false;
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${flag} needs a value`);
      return v;
    };
    const number = (): number => {
      const v = value();
      const n = Number(v);
      if (v.trim() === '' || Number.isNaN(n)) throw new Error(`${flag} needs a number, not "${v}"`);
      return n;
    };
    const oneOf = <T extends string>(allowed: readonly T[]): T => {
      const v = value();
      if (!allowed.includes(v as T)) throw new Error(`${flag} must be one of ${allowed.join(', ')}`);
      return v as T;
    };
    switch (flag) {
      case '--port':
        options.port = number();
        break;
      case '--host':
        options.host = value();
        break;
      case '--ttfb-ms':
        options.ttfbMs = number();
        break;
      case '--rtf':
        options.rtf = number();
        break;
      case '--chunk-ms':
        options.chunkMs = number();
        break;
      case '--ms-per-char':
        options.msPerChar = number();
        break;
      case '--voice-source':
        options.voiceSource = oneOf(['tone', 'espeak'] as const);
        break;
      case '--voices-shape':
        options.voicesShape = oneOf(['objects', 'strings'] as const);
        break;
      case '--label':
        options.label = value();
        break;
      case '--fault':
        options.fault = oneOf<Fault>(FAULTS);
        break;
      case '--fault-times':
        options.faultTimes = number();
        break;
      case '--keep-alive-ms':
        options.keepAliveTimeoutMs = number();
        break;
      case '--no-keep-alive-header':
        options.keepAliveHeader = false;
        break;
      case '--no-captions':
        options.captions = false;
        break;
      case '--replica':
        options.replica = value();
        break;
      case '--mode':
        options.mode = oneOf<StandinMode>(MODES);
        break;
      case '--start-cost-ms':
        options.startCostMs = number();
        break;
      case '--group-chars':
        options.groupChars = number();
        break;
      case '--control-port':
        controlPort = number();
        break;
      case '--quiet':
        quiet = true;
        break;
      case '--help':
      case '-h':
        process.stdout.write(`${USAGE}\n`);
        return process.exit(0);
      default:
        throw new Error(`unknown option ${flag}\n${USAGE}`);
    }
  }
  return { options, controlPort, quiet };
}

async function readJson(req: http.IncomingMessage): Promise<unknown> {
  const parts: Buffer[] = [];
  for await (const chunk of req) parts.push(chunk as Buffer);
  const text = Buffer.concat(parts).toString('utf8');
  return text.trim() ? JSON.parse(text) : {};
}

async function main(): Promise<void> {
  const { options, controlPort, quiet } = parse(process.argv.slice(2));
  const server = await StandinServer.start(options);
  const control = http.createServer((req, res) => void answerControl(req, res));
  async function answerControl(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const reply = (status: number, body: unknown) => {
      const text = JSON.stringify(body);
      res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
      res.end(text);
    };
    try {
      switch (`${req.method} ${(req.url ?? '/').split('?')[0]}`) {
        case 'GET /state':
          return reply(200, {
            url: server.url,
            connectionsOpened: server.connectionsOpened,
            connectionsOpen: server.connectionsOpen,
            timeOrigin: performance.timeOrigin,
            requests: server.requests,
            options: server.options,
          });
        case 'POST /options': {
          const partial = await readJson(req);
          if (typeof partial !== 'object' || partial === null || Array.isArray(partial))
            return reply(400, { error: 'expected a JSON object of options' });
          const fault = (partial as StandinOptions).fault;
          if (fault !== undefined && !FAULTS.includes(fault)) return reply(400, { error: `unknown fault ${String(fault)}` });
          const mode = (partial as StandinOptions).mode;
          if (mode !== undefined && !MODES.includes(mode)) return reply(400, { error: `unknown mode ${String(mode)}` });
          server.setOptions(partial as Partial<StandinOptions>);
          return reply(200, { ok: true, options: server.options });
        }
        case 'POST /reset':
          server.reset();
          return reply(200, { ok: true });
        case 'POST /down':
          await server.down();
          return reply(200, { ok: true });
        case 'POST /up':
          await server.up();
          return reply(200, { ok: true });
        default:
          return reply(404, { error: 'unknown control route' });
      }
    } catch (err) {
      return reply(500, { error: (err as Error).message });
    }
  }
  await new Promise<void>((resolve, reject) => {
    control.once('error', reject);
    control.listen(controlPort, '127.0.0.1', resolve);
  });
  const controlUrl = `http://127.0.0.1:${(control.address() as AddressInfo).port}`;
  process.stdout.write(`${JSON.stringify({ url: server.url, controlUrl, label: server.options.label })}\n`);
  if (!quiet) {
    process.stderr.write(`[stand-in] ${server.options.label} listening at ${server.url} (control ${controlUrl})\n`);
    server.onRequestEnded = (r) => {
      const input = (r.body as { input?: unknown } | undefined)?.input;
      const text = typeof input === 'string' ? ` ${JSON.stringify(input.length > 60 ? `${input.slice(0, 57)}...` : input)}` : '';
      const how = r.completed ? '' : r.clientDisconnected ? ' (client disconnected)' : ' (dropped)';
      const ms = r.endedAt !== undefined && r.receivedAt ? ` ${Math.round(r.endedAt - r.receivedAt)} ms` : '';
      const audio = r.samplesTotal !== undefined ? ` ${(r.samplesSent / 24_000).toFixed(2)} s audio` : '';
      const groups =
        r.groups !== undefined
          ? `, ${r.groups} groups${r.groupsAfterDisconnect ? ` (${r.groupsAfterDisconnect} after the disconnect)` : ''}`
          : '';
      process.stderr.write(
        `[stand-in] #${r.id} conn ${r.connectionId} ${r.method} ${r.path}${text} -> ${r.status ?? '-'}${audio}${ms}${groups}${how}\n`,
      );
    };
  }
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    control.close();
    control.closeAllConnections();
    setTimeout(() => process.exit(0), 1000).unref();
    void server.close().finally(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((err) => {
  process.stderr.write(`stand-in failed: ${(err as Error).message}\n`);
  process.exit(1);
});
