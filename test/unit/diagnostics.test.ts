import * as assert from 'node:assert/strict';
import { Announcer, AnnounceMode, Clock, Utterance } from '../../src/diagnostics/announcer';
import { nextProblem, problemsAtCursor, severityAtLeast } from '../../src/diagnostics/navigation';
import { describeFileProblems, describeProblem, ProblemInfo, shortenMessage, summarizeNewErrors, summarizeProblems } from '../../src/diagnostics/wording';

const problem = (line: number, character: number, message: string, extra: Partial<ProblemInfo> = {}): ProblemInfo => ({
  severity: 'error', message, line, character, endLine: line, endCharacter: character + 3, ...extra,
});

class FakeClock implements Clock {
  time = 0;
  private timers: Array<{ at: number; fn: () => void; id: number }> = [];
  private nextId = 1;
  now(): number {
    return this.time;
  }
  setTimeout(fn: () => void, ms: number): unknown {
    const id = this.nextId++;
    this.timers.push({ at: this.time + ms, fn, id });
    return id;
  }
  clearTimeout(handle: unknown): void {
    this.timers = this.timers.filter((t) => t.id !== handle);
  }
  advance(ms: number): void {
    const end = this.time + ms;
    for (;;) {
      this.timers.sort((a, b) => a.at - b.at);
      const next = this.timers[0];
      if (!next || next.at > end) break;
      this.timers.shift();
      this.time = next.at;
      next.fn();
    }
    this.time = end;
  }
}

describe('diagnostic wording', () => {
  const cases: Array<[ProblemInfo, string]> = [
    [problem(11, 4, "Cannot find name 'foo'.", { source: 'ts', code: 2304 }), 'Error on line 12: cannot find name foo. TypeScript 2304.'],
    [problem(2, 0, "'unusedVar' is assigned a value but never used.", { severity: 'warning', source: 'eslint', code: 'no-unused-vars' }), 'Warning on line 3: unused var is assigned a value but never used. ESLint no unused vars.'],
    [problem(7, 1, 'mismatched types\nexpected `u32`, found `&str`', { source: 'rustc', code: 'E0308' }), 'Error on line 8: mismatched types. Rust E0308.'],
    [problem(0, 0, '"requests" is not accessed', { severity: 'hint', source: 'Pylance' }), 'Hint on line 1: requests is not accessed. Pyright.'],
    [problem(41, 9, "implicit declaration of function 'printf'", { severity: 'warning', source: 'gcc' }), 'Warning on line 42: implicit declaration of function printf. C compiler.'],
    [problem(4, 2, 'result of fmt.Sprintf call not used', { source: 'go vet' }), 'Error on line 5: result of fmt.Sprintf call not used. Go vet.'],
    [problem(9, 0, 'Unknown word (kokoro)', { severity: 'information', source: 'cSpell' }), 'Info on line 10: unknown word (kokoro). spell check.'],
    [problem(0, 0, 'HTTP request failed'), 'Error on line 1: HTTP request failed.'],
  ];
  for (const [p, expected] of cases) it(expected, () => assert.equal(describeProblem(p).short, expected));

  it('says the column when asked, and keeps the whole multi-line message for "full"', () => {
    const p = problem(7, 1, 'mismatched types\nexpected `u32`, found `&str`', { source: 'rustc', code: 'E0308' });
    assert.equal(describeProblem(p, { includeColumn: true }).short, 'Error on line 8, column 2: mismatched types. Rust E0308.');
    const words = describeProblem(p);
    assert.equal(words.full, 'Error on line 8: mismatched types. expected u32, found and str. Rust E0308.');
    assert.equal(words.truncated, true);
  });

  it('shortens a TypeScript type dump to its point, and keeps the full text on demand', () => {
    const dump = "Type '{ id: number; name: string; address: { street: string; city: string; zip: string; }; tags: string[]; }' is not assignable to type 'User'. Property 'email' is missing in type '{ id: number; name: string; }' but required in type 'User'.";
    const shortened = shortenMessage(dump, 160);
    assert.equal(shortened.truncated, true);
    assert.equal(shortened.text, "Type an object type is not assignable to type 'User'. Property 'email' is missing in type an object type but required in type 'User'.");
    const words = describeProblem(problem(3, 0, dump, { source: 'ts', code: 2322 }));
    assert.equal(words.short, 'Error on line 4: type an object type is not assignable to type user. Property email is missing in type an object type but required in type user. TypeScript 2322.');
    assert.ok(words.full.length > words.short.length && /email/.test(words.full));
    const union = shortenMessage(`Argument of type '${Array.from({ length: 12 }, (_, i) => `"value${i}"`).join(' | ')}' is not assignable to parameter of type 'never'. ${'x'.repeat(100)}`, 160);
    assert.match(union.text, /a union of 12 types/);
  });

  it('summarises a file by severity, singular and plural, most severe first', () => {
    const problems = [problem(1, 0, 'a'), problem(3, 0, 'b', { severity: 'warning' }), problem(5, 0, 'c'), problem(6, 0, 'd', { severity: 'hint' })];
    assert.equal(summarizeProblems(problems, 'app.ts'), 'app.ts has 2 errors, 1 warning and 1 hint.');
    assert.equal(summarizeProblems([problem(0, 0, 'x', { severity: 'warning' })], 'a.py'), 'a.py has 1 warning.');
    assert.equal(summarizeProblems([], 'a.py'), 'a.py has no problems.');
    const spoken = describeFileProblems([problems[2], problems[0]], 'app.ts');
    assert.deepEqual(spoken, ['app.ts has 2 errors.', 'Error on line 2: a.', 'Error on line 6: c.']);
  });

  it('summarises new errors after a save, listing a few', () => {
    const errors = [1, 2, 3, 4, 5].map((l) => problem(l, 0, `problem ${l}`));
    assert.equal(summarizeNewErrors(errors.slice(0, 1), 'a.ts'), '1 new error in a.ts. Error on line 2: problem 1.');
    assert.equal(summarizeNewErrors(errors, 'a.ts'), '5 new errors in a.ts. Error on line 2: problem 1. Error on line 3: problem 2. Error on line 4: problem 3. And 2 more.');
  });
});

describe('problem navigation', () => {
  const problems = [
    problem(2, 10, 'far on line', { severity: 'warning' }),
    problem(2, 4, 'under cursor hint', { severity: 'hint', endCharacter: 8 }),
    problem(2, 4, 'under cursor error', { endCharacter: 8 }),
    problem(5, 0, 'multi-line', { endLine: 7, endCharacter: 2 }),
    problem(9, 3, 'last'),
  ];

  it('reads the problems of the cursor\'s line most severe first, then the one under the cursor, then the nearest', () => {
    assert.deepEqual(problemsAtCursor(problems, 2, 5).map((p) => p.message), ['under cursor error', 'far on line', 'under cursor hint']);
    const twoErrors = [problem(4, 20, 'far error'), problem(4, 2, 'near error', { endCharacter: 6 })];
    assert.deepEqual(problemsAtCursor(twoErrors, 4, 3).map((p) => p.message), ['near error', 'far error']);
    assert.deepEqual(problemsAtCursor(problems, 6, 0).map((p) => p.message), ['multi-line']);
    assert.deepEqual(problemsAtCursor(problems, 3, 0), []);
  });

  it('moves like F8 and Shift+F8, wrapping around', () => {
    assert.equal(nextProblem(problems, 0, 0, 'next')?.message, 'under cursor error');
    assert.equal(nextProblem(problems, 2, 4, 'next')?.message, 'far on line');
    assert.equal(nextProblem(problems, 9, 3, 'next')?.message, 'under cursor error', 'wraps to the first');
    assert.equal(nextProblem(problems, 9, 3, 'next', false), undefined);
    assert.equal(nextProblem(problems, 5, 0, 'previous')?.message, 'far on line');
    assert.equal(nextProblem(problems, 0, 0, 'previous')?.message, 'last', 'wraps to the last');
    assert.equal(nextProblem([], 0, 0, 'next'), undefined);
  });

  it('compares severities', () => {
    assert.equal(severityAtLeast('error', 'warning'), true);
    assert.equal(severityAtLeast('hint', 'warning'), false);
    assert.equal(severityAtLeast('warning', 'warning'), true);
  });
});

describe('automatic announcements', () => {
  const uri = 'file:///a.ts';
  const errorA = problem(2, 0, 'first error', { endCharacter: 20 });
  const errorB = problem(6, 0, 'second error', { endCharacter: 20 });
  const warning = problem(4, 0, 'a warning', { severity: 'warning', endCharacter: 20 });
  const problems = [errorA, warning, errorB];

  function setup(mode: AnnounceMode = 'cursor') {
    const clock = new FakeClock();
    const spoken: Utterance[] = [];
    const announcer = new Announcer({ mode, minSeverity: 'error', debounceMs: 500, clock, speak: (u) => spoken.push(u) });
    return { clock, spoken, announcer, texts: () => spoken.map((u) => u.text) };
  }

  it('off never speaks', () => {
    const { clock, announcer, spoken } = setup('off');
    announcer.cursorMoved(uri, 2, 0, problems);
    clock.advance(5000);
    announcer.saved(uri, 'a.ts', problems);
    assert.deepEqual(spoken, []);
  });

  it('reads the problem once the cursor comes to rest, not before', () => {
    const { clock, announcer, texts } = setup();
    announcer.cursorMoved(uri, 2, 0, problems);
    clock.advance(499);
    assert.deepEqual(texts(), []);
    clock.advance(1);
    assert.deepEqual(texts(), ['Error on line 3: first error.']);
  });

  it('does not repeat on the same line, repeats after leaving and coming back', () => {
    const { clock, announcer, texts } = setup();
    announcer.cursorMoved(uri, 2, 0, problems);
    clock.advance(600);
    announcer.cursorMoved(uri, 2, 7, problems);
    clock.advance(600);
    assert.equal(texts().length, 1);
    announcer.cursorMoved(uri, 3, 0, problems);
    clock.advance(600);
    announcer.cursorMoved(uri, 2, 0, problems);
    clock.advance(600);
    assert.deepEqual(texts(), ['Error on line 3: first error.', 'Error on line 3: first error.']);
  });

  it('speaks only where the cursor rests when moving quickly over problem lines; respects the severity threshold', () => {
    const { clock, announcer, texts } = setup();
    for (const line of [2, 3, 4, 5, 6]) {
      announcer.cursorMoved(uri, line, 0, problems);
      clock.advance(100);
    }
    clock.advance(600);
    assert.deepEqual(texts(), ['Error on line 7: second error.']);
    announcer.cursorMoved(uri, 4, 0, problems);
    clock.advance(600);
    assert.equal(texts().length, 1, 'a warning is below the error threshold');
  });

  it('announces a problem that appears under a resting cursor, but not while the user keeps typing', () => {
    const { clock, announcer, texts } = setup();
    announcer.cursorMoved(uri, 8, 0, problems);
    clock.advance(600);
    const typed = problem(8, 0, 'new error while typing', { endCharacter: 20 });
    for (let i = 0; i < 5; i++) {
      announcer.problemsChanged(uri, [...problems, typed]);
      clock.advance(300);
    }
    assert.deepEqual(texts(), []);
    clock.advance(300);
    assert.deepEqual(texts(), ['Error on line 9: new error while typing.']);
    const changed = problem(8, 0, 'a different error now', { endCharacter: 20 });
    announcer.problemsChanged(uri, [...problems, changed]);
    clock.advance(600);
    assert.deepEqual(texts().at(-1), 'Error on line 9: a different error now.', 'a changed problem is read again');
  });

  it('the user\'s own reading cancels a pending announcement', () => {
    const { clock, announcer, texts } = setup();
    announcer.cursorMoved(uri, 2, 0, problems);
    clock.advance(300);
    announcer.userReadStarted();
    clock.advance(1000);
    assert.deepEqual(texts(), []);
  });

  it('newErrors: after a save, reads only the errors that appeared since the last save, even when lines moved', () => {
    const { announcer, texts } = setup('newErrors');
    announcer.problemsChanged(uri, [errorA]);
    announcer.saved(uri, 'a.ts', [errorA]);
    assert.deepEqual(texts(), []);
    const moved = { ...errorA, line: 5, endLine: 5 };
    announcer.saved(uri, 'a.ts', [moved, errorB, warning]);
    assert.deepEqual(texts(), ['1 new error in a.ts. Error on line 7: second error.']);
    announcer.saved(uri, 'a.ts', [moved, errorB]);
    assert.equal(texts().length, 1, 'nothing new, nothing said');
  });

  it('different documents are independent', () => {
    const { clock, announcer, texts } = setup();
    announcer.cursorMoved(uri, 2, 0, problems);
    clock.advance(600);
    announcer.cursorMoved('file:///b.ts', 2, 0, [problem(2, 0, 'other file error', { endCharacter: 9 })]);
    clock.advance(600);
    assert.deepEqual(texts(), ['Error on line 3: first error.', 'Error on line 3: other file error.']);
  });
});
