// `npm test`: build, type-check, format check, lint, unit tests (plain Node, against the stand-in server),
// the player in Chromium, then the end-to-end suite in a real VS Code (code-server).
// Ends with one line "N passed, N failed" and exits non-zero if anything failed or did not run.
// Never needs root: what only root can install (scripts/e2e/install-system.sh) is checked first,
// and a missing piece stops the run with its name and the command that installs it.
// Options: --unit (unit and browser tests only), --e2e (end-to-end only),
// --stress (the end-to-end suite beside two CPU hogs, as on a loaded machine).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const only = process.argv.includes('--unit') ? 'unit' : process.argv.includes('--e2e') ? 'e2e' : 'all';
const stress = process.argv.includes('--stress');
const totals = { passed: 0, failed: 0, skipped: 0 };
const started = Date.now();

function step(title, command, args) {
  console.log(`\n== ${title}`);
  const run = spawnSync(command, args, { cwd: repo, stdio: 'inherit' });
  if (run.status !== 0) {
    console.error(`${title} failed (exit ${run.status})`);
    totals.failed++;
    finish();
  }
}

function stop(...lines) {
  console.error(`\n${lines.join('\n')}`);
  totals.failed++;
  finish();
}

function finish() {
  console.log(`\n(${Math.round((Date.now() - started) / 1000)} s)`);
  console.log(`${totals.passed} passed, ${totals.failed} failed${totals.skipped ? `, ${totals.skipped} skipped` : ''}`);
  process.exit(totals.failed > 0 || totals.passed === 0 ? 1 : 0);
}

async function mochaRun(title, files) {
  console.log(`\n== ${title}`);
  const Mocha = require('mocha');
  const mocha = new Mocha({ reporter: 'spec', timeout: 20_000 });
  for (const file of files) mocha.addFile(file);
  const stats = await new Promise((resolve) => {
    const runner = mocha.run(() => resolve(runner.stats));
  });
  totals.passed += stats.passes;
  totals.failed += stats.failures;
  totals.skipped += stats.pending;
  if (stats.passes + stats.failures === 0) {
    console.error(`${title}: no test ran`);
    totals.failed++;
  }
}

/** The Chromium (or Chrome) the player and end-to-end tests drive: CHROMIUM, else a usual place. */
function findChromium() {
  if (process.env.CHROMIUM) return existsSync(process.env.CHROMIUM) ? process.env.CHROMIUM : undefined;
  const usual = {
    linux: ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'],
    darwin: ['/Applications/Chromium.app/Contents/MacOS/Chromium', '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome'],
    win32: [`${process.env.PROGRAMFILES}\\Google\\Chrome\\Application\\chrome.exe`],
  };
  return (usual[process.platform] ?? []).find((p) => existsSync(p));
}

/** Two processes spinning on the CPU until the run ends (or this process dies). */
function startCpuHogs() {
  const spin = `const parent = ${process.pid}; for (;;) { for (let i = 0; i < 5e7; i++); try { process.kill(parent, 0); } catch { process.exit(0); } }`;
  const hogs = [0, 1].map(() => spawn(process.execPath, ['-e', spin], { stdio: 'ignore' }));
  process.on('exit', () => hogs.forEach((h) => h.kill('SIGKILL')));
  console.log(`\n== stress: two CPU hogs (pids ${hogs.map((h) => h.pid).join(', ')}) run beside the end-to-end suite`);
}

const testFiles = (dir) =>
  existsSync(dir)
    ? readdirSync(dir)
        .filter((f) => f.endsWith('.test.js'))
        .sort()
        .map((f) => path.join(dir, f))
    : [];

const chromiumPath = findChromium();
if (!chromiumPath) {
  stop(
    process.env.CHROMIUM
      ? `CHROMIUM=${process.env.CHROMIUM} does not exist.`
      : 'Chromium is missing: the player and end-to-end tests drive it headless.',
    'Install it once as root:  sudo bash scripts/e2e/install-system.sh   (Debian/Ubuntu: the package chromium)',
    'or point CHROMIUM at any Chromium or Chrome:  CHROMIUM=/path/to/chrome npm test',
  );
}
process.env.CHROMIUM = chromiumPath;
if (only !== 'unit' && process.platform !== 'linux') {
  stop(
    `The end-to-end suite runs in code-server, which this project sets up on Linux only (this is ${process.platform}).`,
    'Run `npm run test:unit` (build, unit and player tests) here, and `npm run test:electron` for the',
    'end-to-end suite in desktop VS Code (the tests that drive the UI need code-server and fail there).',
  );
}

step('build', process.execPath, ['esbuild.mjs']);
rmSync(path.join(repo, 'out'), { recursive: true, force: true }); // no test compiled from a file that is gone
step('type-check and compile tests', process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.test.json']);
step('type-check the webview', process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'media/tsconfig.json']);
step('format (Prettier; npm run format fixes it)', process.execPath, [
  path.join(path.dirname(require.resolve('prettier/package.json')), 'bin', 'prettier.cjs'),
  '--check',
  '.',
]);
step('lint (ESLint, type-aware)', process.execPath, [
  path.join(path.dirname(require.resolve('eslint/package.json')), 'bin', 'eslint.js'),
  '.',
]);
if (only !== 'unit')
  step('install the real VS Code for end-to-end tests (once, for this user, from npm)', 'bash', ['scripts/e2e/install.sh']);

if (only !== 'e2e') {
  await mochaRun('unit tests (plain Node)', testFiles(path.join(repo, 'out', 'test', 'unit')));
  await mochaRun('player in Chromium', testFiles(path.join(repo, 'out', 'test', 'browser')));
}
if (only !== 'unit') {
  if (stress) startCpuHogs();
  console.log('\n== end-to-end tests in a real VS Code (code-server)');
  const { runE2E } = await import('./e2e/run.mjs');
  const result = await runE2E();
  totals.passed += result.passed;
  totals.failed += result.failed + (result.ok ? 0 : result.failed === 0 ? 1 : 0);
  totals.skipped += result.pending ?? 0;
}
finish();
