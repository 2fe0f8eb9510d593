// The end-to-end suite's entry, run inside the extension host (code-server or
// @vscode/test-electron): mocha over every *.e2e.js file, results written for the runner.

import { readdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import Mocha from 'mocha';
import { e2eConfig } from './driver';

interface TestResult {
  title: string;
  state: 'passed' | 'failed' | 'pending';
  durationMs?: number;
  error?: string;
}

export function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'bdd', timeout: 60_000, color: false, reporter: 'spec', grep: e2eConfig.grep });
  // A scenario needs its own VS Code start (scenarios/<name>.e2e.js); the default suite is every *.e2e.js here.
  const scenario = e2eConfig.scenario ?? 'default';
  const files =
    scenario === 'default'
      ? readdirSync(__dirname)
          .filter((f) => f.endsWith('.e2e.js'))
          .sort()
          .map((f) => path.join(__dirname, f))
      : [path.join(__dirname, 'scenarios', `${scenario}.e2e.js`)];
  for (const file of files) mocha.addFile(file);
  const results: TestResult[] = [];
  return new Promise((resolve, reject) => {
    const runner = mocha.run((failures) => {
      const summary = {
        passed: results.filter((r) => r.state === 'passed').length,
        failed: results.filter((r) => r.state === 'failed').length,
        pending: results.filter((r) => r.state === 'pending').length,
        tests: results,
      };
      writeFileSync(e2eConfig.resultsFile, JSON.stringify(summary, null, 2));
      if (failures > 0) reject(new Error(`${failures} end-to-end test(s) failed`));
      else resolve();
    });
    runner.on('pass', (t) => results.push({ title: t.fullTitle(), state: 'passed', durationMs: t.duration }));
    runner.on('fail', (t, err: Error) =>
      results.push({ title: t.fullTitle(), state: 'failed', durationMs: t.duration, error: err?.stack ?? String(err) }),
    );
    runner.on('pending', (t) => results.push({ title: t.fullTitle(), state: 'pending' }));
  });
}
