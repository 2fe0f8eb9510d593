// The same end-to-end suite through @vscode/test-electron, for machines that can
// download desktop VS Code (`npm run test:electron`). UI driver actions are not
// available there; the tests that need them fail with a clear message.

import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { createInterface } from 'node:readline';
import { runTests } from '@vscode/test-electron';

async function main(): Promise<void> {
  const repo = path.resolve(__dirname, '..', '..', '..');
  const standin = spawn(
    process.execPath,
    [path.join(repo, 'out', 'test', 'standin', 'cli.js'), '--port', '0', '--control-port', '0', '--ttfb-ms', '20', '--rtf', '4', '--quiet'],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  try {
    const line = await new Promise<string>((resolve, reject) => {
      createInterface({ input: standin.stdout! }).once('line', resolve);
      standin.once('exit', (code) => reject(new Error(`stand-in exited with ${code}`)));
    });
    const { url, controlUrl } = JSON.parse(line) as { url: string; controlUrl: string };
    const workdir = mkdtempSync(path.join(tmpdir(), 'kokoro-electron-'));
    const workspace = path.join(workdir, 'workspace');
    cpSync(path.join(repo, 'test', 'e2e', 'workspace'), workspace, { recursive: true });
    const userData = path.join(workdir, 'user-data');
    const settingsDir = path.join(userData, 'User');
    mkdirSync(settingsDir, { recursive: true });
    writeFileSync(
      path.join(settingsDir, 'settings.json'),
      JSON.stringify({ 'kokoro.serverUrl': url, 'security.workspace.trust.enabled': false }),
    );
    const resultsFile = path.join(workdir, 'results.json');
    writeFileSync(
      path.join(__dirname, 'config.json'),
      JSON.stringify({ standinUrl: url, controlUrl, resultsFile, artifactsDir: path.join(repo, 'test-artifacts', 'electron'), workspace }),
    );
    await runTests({
      extensionDevelopmentPath: repo,
      extensionTestsPath: path.join(__dirname, 'index.js'),
      launchArgs: [workspace, '--disable-extensions', `--user-data-dir=${userData}`],
    });
    const results = JSON.parse(readFileSync(resultsFile, 'utf8')) as { passed: number; failed: number };
    console.log(`${results.passed} passed, ${results.failed} failed`);
  } finally {
    standin.kill('SIGTERM');
  }
}

main().catch((err) => {
  console.error(`test:electron failed: ${(err as Error)?.message ?? err}`);
  console.error('Desktop VS Code could not be downloaded or run here; use `npm test` (code-server) instead.');
  process.exit(1);
});
