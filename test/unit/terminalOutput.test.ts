import * as assert from 'node:assert/strict';
import { toSpeakable } from '../../src/speech/speakable';
import {
  announceCommandFinished,
  DEFAULT_SUMMARY_CHARS,
  spokenCommandName,
  spokenDuration,
  stripAnsi,
  summarizeCommandOutput,
} from '../../src/speech/terminalOutput';

const ESC = '\x1b';
const BEL = '\x07';
const ST = `${ESC}\\`;
const green = (s: string) => `${ESC}[32m${s}${ESC}[39m`;
const red = (s: string) => `${ESC}[31m${s}${ESC}[39m`;
/** How VS Code's shell integration wraps a command run in the terminal (OSC 633). */
const shellIntegration = (command: string, output: string, exitCode: number) =>
  `${ESC}]633;A${BEL}$ ${ESC}]633;B${BEL}${command}\r\n${ESC}]633;E;${command.replace(/ /g, '\\x20')};a1b2${BEL}${ESC}]633;C${BEL}` +
  `${output}${ESC}]633;D;${exitCode}${BEL}${ESC}]633;P;Cwd=/home/dev/project${ST}`;
const crlf = (s: string) => s.replace(/\n/g, '\r\n');

/** `npm test` running mocha with two failures, as the terminal received it (colours, CR LF). */
const MOCHA_RUN = crlf(`
> kokoro-read-aloud@0.1.0 test
> mocha 'out/test/**/*.test.js'



  Array
    #indexOf()
      ${green('✔')} should return -1 when the value is not present
      ${red('1) should return the index when present')}
  userService
    ${green('✔')} creates a user ${ESC}[90m(45ms)${ESC}[39m
    ${red('2) rejects a duplicate email')}


  ${green('2 passing')} ${ESC}[90m(63ms)${ESC}[39m
  ${red('2 failing')}

  1) Array
       #indexOf()
         should return the index when present:

      ${red('AssertionError [ERR_ASSERTION]: Expected values to be strictly equal:')}

-1 !== 2

      + expected - actual

      --1
      +2

      at Context.<anonymous> (test/array.test.js:12:14)
      at process.processImmediate (node:internal/timers:478:21)

  2) userService
       rejects a duplicate email:
     Error: Timeout of 2000ms exceeded. For async tests and hooks, ensure "done()" is called; if returning a Promise, ensure it resolves. (/home/dev/project/test/user.test.js)
      at listOnTimeout (node:internal/timers:573:17)
      at process.processTimers (node:internal/timers:514:7)



npm error Lifecycle script \`test\` failed with error:
npm error code 1
npm error path /home/dev/project
npm error workspace kokoro-read-aloud@0.1.0
npm error location /home/dev/project
npm error command failed
npm error command sh -c mocha 'out/test/**/*.test.js'
`);

/** `tsc -p .` without a TTY: one line an error. */
const TSC_RUN = `src/app.ts(12,5): error TS2304: Cannot find name 'foo'.
src/components/Button.tsx(8,3): error TS2322: Type '{ label: string; onClick: () => void; variant: "primary" | "secondary" | "danger"; size: number; }' is not assignable to type 'IntrinsicAttributes & ButtonProps'.
src/util/strings.ts(3,10): error TS2305: Module '"./format"' has no exported member 'pad'.
`;

/** A name of letters only: 0 → "a", 27 → "bb"; lines told apart by it are not "similar". */
const name = (i: number): string => (i < 26 ? String.fromCharCode(97 + i) : name(Math.floor(i / 26) - 1) + name(i % 26));

function timed<T>(run: () => T): { result: T; ms: number } {
  const started = process.hrtime.bigint();
  const result = run();
  return { result, ms: Number(process.hrtime.bigint() - started) / 1e6 };
}

describe('terminal output', () => {
  describe('stripAnsi: the text as the terminal shows it', () => {
    it('removes colours, 256-colour and true-colour SGR, and private modes', () => {
      assert.equal(
        stripAnsi(
          `${ESC}[?25l${ESC}[1;31mError:${ESC}[0m ${ESC}[38;5;208mwarn${ESC}[m ${ESC}[38;2;255;0;0mred${ESC}[39m${ESC}[?25h${ESC}[?2004h`,
        ),
        'Error: warn red',
      );
    });

    it("removes VS Code's shell integration sequences (OSC 633, ended by BEL or ST) and keeps the output", () => {
      assert.equal(stripAnsi(shellIntegration('npm test', 'ok\r\n', 0)), '$ npm test\nok\n');
    });

    it('keeps the text of an OSC 8 hyperlink, drops titles, DCS strings and two- and three-character escapes', () => {
      const text =
        `${ESC}]0;npm test${BEL}${ESC}]8;;https://example.com/docs${ST}the docs${ESC}]8;;${ST} ` +
        `${ESC}P1$r0m${ST}${ESC}7${ESC}(Bsaved${ESC}8${ESC}=${ESC}_Gf=100;AAAA${ST}.`;
      assert.equal(stripAnsi(text), 'the docs saved.');
    });

    it('understands the 8-bit forms (C1 CSI, OSC, ST) and drops other control characters', () => {
      assert.equal(stripAnsi('\u009b31mred\u009b0m \u009d0;title\u009cplain\u0000\u0007\u007f text'), 'red plain text');
    });

    it('a progress bar rewritten with \\r keeps only its last version; CR LF still ends a line', () => {
      const bar = (n: number) => `Downloading [${'='.repeat(n)}>${' '.repeat(10 - n)}] ${n * 10}%`;
      const text = `start\r\n${[1, 4, 7, 10].map(bar).join('\r')}\r\ndone\r\n`;
      assert.equal(stripAnsi(text), `start\n${bar(10)}\ndone\n`);
    });

    it('a spinner redrawn with \\r and erase-line ends as its last frame', () => {
      const frames = ['⠋', '⠙', '⠹', '⠸'].map((f) => `\r${ESC}[K${f} Installing dependencies`).join('');
      assert.equal(stripAnsi(`${frames}\r${ESC}[K✔ Installed dependencies\n`), '✔ Installed dependencies\n');
    });

    it('a shorter last version after \\r does not keep the end of a longer one', () => {
      assert.equal(stripAnsi('Compiling 100 files\rDone'), 'Done');
    });

    it('backspaces move back and what follows overwrites; a spinner of | / - \\ leaves what replaced it', () => {
      assert.equal(stripAnsi('abc\b\bX\n'), 'aXc\n');
      assert.equal(stripAnsi('Working |\b/\b-\b\\\bdone'), 'Working done');
      assert.equal(stripAnsi('_\bb_\bo_\bl_\bd'), 'bold');
    });

    it('a multi-line live region redrawn with cursor-up and erase-line (log-update, vitest) ends as its last frame', () => {
      const eraseLines = (n: number) => `${ESC}[2K${ESC}[1A`.repeat(n - 1) + `${ESC}[2K${ESC}[G`;
      const text =
        'vitest run\n' +
        ' RUNS  a.test.ts\n RUNS  b.test.ts' +
        eraseLines(2) +
        ' ✓ a.test.ts\n RUNS  b.test.ts' +
        eraseLines(2) +
        ' ✓ a.test.ts\n ✓ b.test.ts\n';
      assert.equal(stripAnsi(text), 'vitest run\n ✓ a.test.ts\n ✓ b.test.ts\n');
    });

    it('tabs move to the next tab stop; trailing spaces are trimmed', () => {
      assert.equal(stripAnsi('a\tb   \nc'), 'a       b\nc');
    });

    it('a sequence cut off at the end, or an OSC left open on a line, hides nothing after it', () => {
      assert.equal(stripAnsi(`done${ESC}[38;5`), 'done');
      assert.equal(stripAnsi(`done${ESC}`), 'done');
      assert.equal(stripAnsi(`${ESC}]0;a title never ended\nthe output`), '\nthe output');
    });

    it('never throws, whatever it is given', () => {
      for (const input of ['', '\ud800', `${ESC}[`, `${ESC}]`, `${ESC}P`, '\r\r\r', '\b\b', `${ESC}[999999999999A`, '\u009b', '\u0090']) {
        assert.equal(typeof stripAnsi(input), 'string');
      }
    });

    it('takes linear time on 5 MB inputs, even ones built to be slow', function () {
      this.timeout(60_000);
      const fiveMB = 5_000_000;
      const inputs: Record<string, string> = {
        'plain lines': 'compiled module '.repeat(fiveMB / 16 / 4).replace(/(?:compiled module ){4}/g, '$&\n'),
        colours: `${ESC}[31m${'x'.repeat(20)}${ESC}[0m\n`.repeat(fiveMB / 32),
        'progress over \\r': `${'#'.repeat(60)} 50%\r`.repeat(fiveMB / 65),
        'one line with cursor up and down': `${'y'.repeat(fiveMB - 800_000)}${`${ESC}[A${ESC}[B`.repeat(100_000)}`,
        'cursor up over many lines': `${'line\n'.repeat(1000)}${ESC}[999A`.repeat(fiveMB / 5006),
        backspaces: 'ab\b'.repeat(fiveMB / 3),
        'unterminated DCS': `${ESC}P${'q'.repeat(fiveMB)}`,
        'escape starts only': `${ESC}[`.repeat(fiveMB / 2),
        'cursor far to the right': `${ESC}[99999999Cx\n`.repeat(fiveMB / 14),
      };
      for (const [name, input] of Object.entries(inputs)) {
        const { result, ms } = timed(() => stripAnsi(input));
        assert.ok(result.length <= 2 * input.length, `${name}: ${result.length} characters`);
        assert.ok(ms < 5000, `${name}: ${Math.round(ms)} ms`);
      }
    });
  });

  describe('the command, named as a person would', () => {
    const cases: Array<[string, string]> = [
      ['npm test', 'npm test'],
      ['npm run build -- --watch', 'npm run build'],
      ['cd packages/app && npm test 2>&1 | tee test.log', 'npm test'],
      ['NODE_ENV=test npx tsc -p .', 'tsc'],
      ['python3 -m pytest -q tests/', 'pytest'],
      ['git commit -m "fix: read the hover"', 'git commit'],
      ['docker compose up -d', 'docker compose up'],
      ['node ./scripts/test.mjs --unit', 'node test.mjs'],
      ['cargo build --release', 'cargo build'],
      ['make > build.log', 'make'],
      ['.\\gradlew.bat build', 'gradlew build'],
      ['& "C:\\Tools\\lint tool.exe" --fix', 'lint tool'],
      ['npm run build && npm test', 'npm run build and npm test'],
      ["printf 'x'; sleep 5; (exit 2)", 'printf, sleep and exit'],
      ['{ make; } 2>&1', 'make'],
      ['', 'The command'],
    ];
    for (const [command, said] of cases) it(`${JSON.stringify(command)} → "${said}"`, () => assert.equal(spokenCommandName(command), said));
  });

  describe('how long it took, and how it ended', () => {
    const durations: Array<[number, string]> = [
      [400, ''],
      [1000, '1 second'],
      [42_300, '42 seconds'],
      [119_600, '2 minutes'],
      [125_000, '2 minutes and 5 seconds'],
      [14 * 60_000 + 20_000, '14 minutes'],
      [3_600_000, '1 hour'],
      [3_900_000, '1 hour and 5 minutes'],
    ];
    for (const [ms, said] of durations) it(`${ms} ms → "${said}"`, () => assert.equal(spokenDuration(ms), said));

    it('announces the end: the command, then whether it failed and after how long', () => {
      assert.equal(announceCommandFinished({ command: 'npm test', exitCode: 1 }), 'npm test finished, exit code 1');
      assert.equal(announceCommandFinished({ command: 'npm test', exitCode: 0 }), 'npm test finished successfully');
      assert.equal(
        announceCommandFinished({ command: 'npm test', exitCode: 0, durationMs: 120_000 }),
        'npm test finished successfully after 2 minutes',
      );
      assert.equal(
        announceCommandFinished({ command: 'npm test', exitCode: 1, durationMs: 95_000 }),
        'npm test finished after 1 minute and 35 seconds, exit code 1',
      );
      assert.equal(
        announceCommandFinished({ command: 'npm test', exitCode: undefined, durationMs: 12_000 }),
        'npm test finished after 12 seconds',
      );
      assert.equal(announceCommandFinished({ command: 'npm test', exitCode: undefined }), 'npm test finished');
    });
  });

  describe('summarizeCommandOutput', () => {
    it('npm test with mocha failures: the failures and the counts, without npm’s banner, trailer or runtime stack frames', () => {
      const said = summarizeCommandOutput({ command: 'npm test', exitCode: 1, output: shellIntegration('npm test', MOCHA_RUN, 1) });
      const lines = said.split('\n');
      assert.equal(lines[0], 'npm test finished, exit code 1.');
      for (const expected of [
        '2 passing (63ms)',
        '2 failing',
        'AssertionError [ERR_ASSERTION]: Expected values to be strictly equal:',
        'at Context.<anonymous> (array.test.js line 12)',
        '1) should return the index when present',
      ]) {
        assert.ok(lines.includes(expected), `missing "${expected}" in:\n${said}`);
      }
      assert.ok(
        lines.some((l) => l.startsWith('Error: Timeout of 2000ms exceeded.')),
        said,
      );
      for (const unwanted of ['npm error', 'kokoro-read-aloud@0.1.0', 'node:internal', '633', '\x1b', '> mocha']) {
        assert.ok(!said.includes(unwanted), `"${unwanted}" said in:\n${said}`);
      }
      assert.ok(said.length <= DEFAULT_SUMMARY_CHARS);
    });

    it('npm test shortened: the last lines first, then earlier errors, then how it began', () => {
      const said = summarizeCommandOutput({ command: 'npm test', exitCode: 1, output: MOCHA_RUN, maxChars: 500 });
      const lines = said.split('\n');
      assert.ok(said.length <= 500, `${said.length}`);
      assert.equal(lines[0], 'npm test finished, exit code 1.');
      assert.match(lines[1], /^The last \d+ of \d+ lines:$/);
      const earlier = lines.indexOf('Earlier errors:');
      const began = lines.indexOf('It began with:');
      assert.ok(earlier > 1 && began > earlier, said);
      assert.ok(lines.slice(earlier).includes('2 failing'), said);
      assert.equal(lines[began + 1], 'Array');
      // The newest line is the last of the tail, right before "Earlier errors:".
      assert.match(lines[earlier - 1], /^Error: Timeout of 2000ms exceeded/);
    });

    it('tsc errors: each said with its file and line, long type dumps collapsed as in diagnostics', () => {
      const said = summarizeCommandOutput({ command: 'npx tsc -p .', exitCode: 2, output: TSC_RUN });
      assert.equal(
        said,
        [
          'tsc finished, exit code 2.',
          "app.ts line 12: error TS2304: Cannot find name 'foo'.",
          "Button.tsx line 8: error TS2322: Type, an object type, is not assignable to type 'IntrinsicAttributes & ButtonProps'.",
          `strings.ts line 3: error TS2305: Module '"./format"' has no exported member 'pad'.`,
        ].join('\n'),
      );
    });

    it('a progress bar written with \\r, and one printed line by line, are left out; the result stays', () => {
      const bar = (n: number) => `[${'#'.repeat(n)}${'.'.repeat(20 - n)}] ${n * 5}% | ${n}/20 packages`;
      const tty = `${[2, 8, 14, 20].map(bar).join('\r')}\r\nadded 312 packages in 4s\r\n`;
      const piped = `${[2, 8, 14, 20].map(bar).join('\n')}\nadded 312 packages in 4s\n`;
      for (const output of [tty, piped]) {
        assert.equal(
          summarizeCommandOutput({ command: 'npm install', exitCode: 0, output }),
          'npm install finished successfully.\nadded 312 packages in 4s',
        );
      }
    });

    it('spinner frames and lines of only box drawing or punctuation are left out; text inside a box is kept', () => {
      const output = [
        '⠋ Resolving packages',
        '⠙ Resolving packages',
        '⠹ Resolving packages',
        '✔ Resolved 120 packages',
        '┌──────────────────────────────┐',
        '│   Update available 1.2 → 2.0 │',
        '└──────────────────────────────┘',
        '=====',
        '...',
      ].join('\n');
      assert.equal(
        summarizeCommandOutput({ command: 'pnpm install', exitCode: 0, output }),
        'pnpm install finished successfully.\n✔ Resolved 120 packages\nUpdate available 1.2 → 2.0',
      );
    });

    it('repeated identical lines are said once, with how many times', () => {
      const output = `${'warning: deprecated API used\n'.repeat(40)}build complete\n`;
      assert.equal(
        summarizeCommandOutput({ command: 'make', exitCode: 0, output }),
        'make finished successfully.\nwarning: deprecated API used (repeated 40 times)\nbuild complete',
      );
    });

    it('lines that differ only in their numbers are said once, by the last of them; error lines stay apart', () => {
      const output = [
        ...Array.from({ length: 200 }, (_v, i) => `copied asset ${i + 1}.png`),
        "src/a.ts(3,1): error TS2304: Cannot find name 'x'.",
        "src/a.ts(9,1): error TS2304: Cannot find name 'x'.",
        "src/a.ts(12,1): error TS2304: Cannot find name 'x'.",
      ].join('\n');
      assert.equal(
        summarizeCommandOutput({ command: 'npm run build', exitCode: 1, output }),
        [
          'npm run build finished, exit code 1.',
          'copied asset 200.png (the last of 200 similar lines)',
          "a.ts line 3: error TS2304: Cannot find name 'x'.",
          "a.ts line 9: error TS2304: Cannot find name 'x'.",
          "a.ts line 12: error TS2304: Cannot find name 'x'.",
        ].join('\n'),
      );
    });

    it('says when the exit code is unknown, and when there was no output', () => {
      assert.equal(
        summarizeCommandOutput({ command: 'ls', exitCode: undefined, output: 'README.md' }),
        'ls finished, exit code unknown.\nREADME.md',
      );
      assert.equal(
        summarizeCommandOutput({ command: 'touch out.txt', exitCode: 0, output: `${ESC}]633;D;0${BEL}\r\n` }),
        'touch finished successfully.\nNo output.',
      );
    });

    it('an error in the middle of long output is said among the earlier errors', () => {
      const output = [
        ...Array.from({ length: 200 }, (_v, i) => `compiled src/${name(i)}.ts`),
        "src/module.ts:3:1 - error TS1005: ';' expected.",
        ...Array.from({ length: 200 }, (_v, i) => `copied asset ${name(i)}.png`),
        'Build finished with 1 error.',
      ].join('\n');
      const said = summarizeCommandOutput({ command: 'npm run build', exitCode: 1, output });
      const lines = said.split('\n');
      assert.ok(said.length <= DEFAULT_SUMMARY_CHARS);
      assert.equal(lines.at(-1) === 'Build finished with 1 error.' || lines.includes('Build finished with 1 error.'), true);
      assert.ok(lines.includes("module.ts line 3 - error TS1005: ';' expected."), said);
      assert.ok(lines.indexOf("module.ts line 3 - error TS1005: ';' expected.") > lines.indexOf('Earlier errors:'), said);
      assert.equal(lines[lines.indexOf('It began with:') + 1], 'compiled src/a.ts');
    });

    it('never longer than maxChars, for any room', () => {
      for (let maxChars = 80; maxChars <= 2000; maxChars += 37) {
        const said = summarizeCommandOutput({ command: 'npm test', exitCode: 1, output: MOCHA_RUN, maxChars });
        assert.ok(said.length <= maxChars, `${maxChars}: ${said.length}`);
        assert.ok(said.startsWith('npm test finished, exit code 1.'));
      }
    });

    it('5 MB of output is summarised in bounded length and time, its end kept', function () {
      this.timeout(60_000);
      const chunk = `${green('PASS')} src/feature.test.ts ${ESC}[2m(12 ms)${ESC}[22m\r\n  ✓ renders the list of items in order\r\n`;
      const output = `${chunk.repeat(Math.ceil(5_000_000 / chunk.length))}${red('FAIL')} src/last.test.ts\r\n  ✕ keeps the cursor (3 ms)\r\nTests: 1 failed, 91000 passed\r\n`;
      assert.ok(output.length >= 5_000_000);
      const { result, ms } = timed(() => summarizeCommandOutput({ command: 'npx jest', exitCode: 1, output }));
      assert.ok(ms < 10_000, `${Math.round(ms)} ms`);
      assert.ok(result.length <= DEFAULT_SUMMARY_CHARS, `${result.length}`);
      const lines = result.split('\n');
      assert.equal(lines[0], 'jest finished, exit code 1.');
      assert.equal(lines.at(-1) === 'Tests: 1 failed, 91000 passed' || lines.includes('Tests: 1 failed, 91000 passed'), true);
      assert.ok(lines.includes('FAIL src/last.test.ts'), result);
    });

    it('reads well through toSpeakable as a message: one sentence a line', () => {
      const spoken = toSpeakable(summarizeCommandOutput({ command: 'npx tsc -p .', exitCode: 2, output: TSC_RUN }), { kind: 'message' });
      assert.match(spoken, /^tsc finished, exit code 2\. app\.ts line 12: error TS2304: Cannot find name foo\. Button\.tsx line 8: /);
      assert.ok(!spoken.includes('{'), spoken);
    });
  });
});
