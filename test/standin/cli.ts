// Runs the stand-in Kokoro server from the command line, with a control server on
// another port so tests can inspect and steer it (even while the speech port is down).
// Usage: node cli.js [--port 8880] [--host 127.0.0.1] [--ttfb-ms 0] [--rtf 0] [--chunk-ms 100]
//        [--ms-per-char 60] [--voice-source tone|espeak] [--voices-shape objects|strings]
//        [--label TEXT] [--control-port 0] [--quiet]

import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { StandinOptions, StandinServer } from './server';

function parse(argv: string[]): { options: StandinOptions; controlPort: number; quiet: boolean } {
  const options: StandinOptions = { port: 8880 };
  let controlPort = 0;
  let quiet = false;
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = () => argv[++i];
    switch (flag) {
      case '--port': options.port = Number(value()); break;
      case '--host': options.host = value(); break;
      case '--ttfb-ms': options.ttfbMs = Number(value()); break;
      case '--rtf': options.rtf = Number(value()); break;
      case '--chunk-ms': options.chunkMs = Number(value()); break;
      case '--ms-per-char': options.msPerChar = Number(value()); break;
      case '--voice-source': options.voiceSource = value() as 'tone' | 'espeak'; break;
      case '--voices-shape': options.voicesShape = value() as 'objects' | 'strings'; break;
      case '--label': options.label = value(); break;
      case '--control-port': controlPort = Number(value()); break;
      case '--quiet': quiet = true; break;
      default: throw new Error(`unknown option ${flag}`);
    }
  }
  return { options, controlPort, quiet };
}

async function readJson(req: http.IncomingMessage): Promise<unknown> {
  const parts: Buffer[] = [];
  for await (const chunk of req) parts.push(chunk as Buffer);
  const text = Buffer.concat(parts).toString('utf8');
  return text ? JSON.parse(text) : {};
}

async function main(): Promise<void> {
  const { options, controlPort, quiet } = parse(process.argv.slice(2));
  const server = await StandinServer.start(options);
  const control = http.createServer(async (req, res) => {
    const reply = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    try {
      switch (`${req.method} ${req.url}`) {
        case 'GET /state':
          return reply(200, { url: server.url, connectionsOpened: server.connectionsOpened, timeOrigin: performance.timeOrigin, requests: server.requests, options: server.options });
        case 'POST /options':
          server.setOptions((await readJson(req)) as Partial<StandinOptions>);
          return reply(200, { ok: true, options: server.options });
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
  });
  await new Promise<void>((resolve) => control.listen(controlPort, '127.0.0.1', resolve));
  const controlUrl = `http://127.0.0.1:${(control.address() as AddressInfo).port}`;
  process.stdout.write(`${JSON.stringify({ url: server.url, controlUrl, label: server.options.label })}\n`);
  if (!quiet) {
    let logged = 0;
    setInterval(() => {
      for (; logged < server.requests.length; logged++) {
        const r = server.requests[logged];
        const input = (r.body as { input?: string } | undefined)?.input;
        process.stderr.write(`[stand-in] ${r.method} ${r.path}${input !== undefined ? ` ${JSON.stringify(input.slice(0, 60))}` : ''}\n`);
      }
    }, 250).unref();
  }
  const stop = () => {
    control.close();
    void server.close().finally(() => process.exit(0));
    setTimeout(() => process.exit(0), 1000).unref();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((err) => {
  process.stderr.write(`stand-in failed: ${(err as Error).message}\n`);
  process.exit(1);
});
