// `npm test`: build, type-check, unit tests (plain Node, against the stand-in server),
// the player in Chromium, then the end-to-end suite in a real VS Code (code-server).
// Ends with one line "N passed, N failed" and exits non-zero if anything failed or did not run.
// Options: --unit (unit and browser tests only), --e2e (end-to-end only).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const only = process.argv.includes('--unit') ? 'unit' : process.argv.includes('--e2e') ? 'e2e' : 'all';
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

const testFiles = (dir) => (existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.test.js')).sort().map((f) => path.join(dir, f)) : []);

step('build', 'npm', ['run', '--silent', 'build']);
rmSync(path.join(repo, 'out'), { recursive: true, force: true }); // no test compiled from a file that is gone
step('type-check and compile tests', process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.test.json']);
step('type-check the webview', process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'media/tsconfig.json']);
if (only !== 'unit') step('install the real VS Code for end-to-end tests (once)', 'bash', ['scripts/e2e/install.sh']);

if (only !== 'e2e') {
  await mochaRun('unit tests (plain Node)', testFiles(path.join(repo, 'out', 'test', 'unit')));
  if (existsSync(process.env.CHROMIUM ?? '/usr/bin/chromium')) await mochaRun('player in Chromium', testFiles(path.join(repo, 'out', 'test', 'browser')));
  else if (only === 'unit') console.log('\n(player tests skipped: no Chromium; run scripts/e2e/install.sh)');
  else totals.failed++;
}
if (only !== 'unit') {
  console.log('\n== end-to-end tests in a real VS Code (code-server)');
  const { runE2E } = await import('./e2e/run.mjs');
  const result = await runE2E();
  totals.passed += result.passed;
  totals.failed += result.failed + (result.ok ? 0 : result.failed === 0 ? 1 : 0);
  totals.skipped += result.pending ?? 0;
}
finish();
