import * as assert from 'node:assert/strict';
import { Announcer, type AnnounceMode, type AnnouncerOptions, type Clock, type Utterance } from '../../src/diagnostics/announcer';
import { nextProblem, problemKey, problemsAtCursor, severityAtLeast } from '../../src/diagnostics/navigation';
import {
  columnHelps,
  describeFileProblems,
  describeProblem,
  describeProblems,
  type ProblemInfo,
  type Severity,
  shortenMessage,
  summarizeNewErrors,
  summarizeProblems,
} from '../../src/diagnostics/wording';

const problem = (line: number, character: number, message: string, extra: Partial<ProblemInfo> = {}): ProblemInfo => ({
  severity: 'error',
  message,
  line,
  character,
  endLine: line,
  endCharacter: character + 3,
  ...extra,
});

/** Timers in a queue, run in order of due time (then of creation) by `advance`. No real time passes. */
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
  get pending(): number {
    return this.timers.length;
  }
  advance(ms: number): void {
    const end = this.time + ms;
    for (;;) {
      this.timers.sort((a, b) => a.at - b.at || a.id - b.id);
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
  describe('real messages, said like a person would', () => {
    const cases: Array<[string, ProblemInfo, string]> = [
      // TypeScript (tsc / tsserver)
      [
        'tsc 2304',
        problem(11, 4, "Cannot find name 'foo'.", { source: 'ts', code: 2304 }),
        'Error on line 12: cannot find name foo. TypeScript 2304.',
      ],
      [
        'tsc 2322 generics',
        problem(3, 0, "Type 'Promise<Map<string, User>>' is not assignable to type 'Promise<User>'.", { source: 'ts', code: 2322 }),
        'Error on line 4: type promise of map of string, user is not assignable to type promise of user. TypeScript 2322.',
      ],
      [
        'tsc 2339 array union',
        problem(3, 0, "Property 'map' does not exist on type 'string[] | undefined'.", { source: 'ts', code: 2339 }),
        'Error on line 4: property map does not exist on type string array or undefined. TypeScript 2339.',
      ],
      [
        'tsc 2365 operator',
        problem(3, 0, "Operator '+' cannot be applied to types 'number' and 'boolean'.", { source: 'ts', code: 2365 }),
        'Error on line 4: operator plus cannot be applied to types number and boolean. TypeScript 2365.',
      ],
      [
        'tsc 2532',
        problem(3, 0, "Object is possibly 'undefined'.", { source: 'ts', code: 2532 }),
        'Error on line 4: object is possibly undefined. TypeScript 2532.',
      ],
      [
        'tsc 2305 module',
        problem(0, 9, "Module '\"./foo\"' has no exported member 'Bar'.", { source: 'ts', code: 2305 }),
        'Error on line 1: module foo has no exported member bar. TypeScript 2305.',
      ],
      [
        'tsc 2307 path',
        problem(0, 9, "Cannot find module '../lib/util/strings' or its corresponding type declarations.", { source: 'ts', code: 2307 }),
        'Error on line 1: cannot find module lib slash util slash strings or its corresponding type declarations. TypeScript 2307.',
      ],
      [
        'tsc 6133 hint',
        problem(3, 0, "'x' is declared but its value is never read.", { severity: 'hint', source: 'ts', code: 6133 }),
        'Hint on line 4: x is declared but its value is never read. TypeScript 6133.',
      ],
      [
        'tsc 1005 symbols',
        problem(8, 2, "';' expected.", { source: 'ts', code: 1005 }),
        'Error on line 9: semicolon expected. TypeScript 1005.',
      ],
      // ESLint
      [
        'eslint no-unused-vars',
        problem(2, 0, "'unusedVar' is assigned a value but never used.", { severity: 'warning', source: 'eslint', code: 'no-unused-vars' }),
        'Warning on line 3: unused var is assigned a value but never used. ESLint no unused vars.',
      ],
      [
        'eslint eqeqeq',
        problem(3, 0, "Expected '===' and instead saw '=='.", { severity: 'warning', source: 'eslint', code: 'eqeqeq' }),
        'Warning on line 4: expected triple equals and instead saw double equals. ESLint eqeqeq.',
      ],
      [
        'typescript-eslint',
        problem(3, 0, 'Unexpected any. Specify a different type.', {
          severity: 'warning',
          source: 'eslint',
          code: '@typescript-eslint/no-explicit-any',
        }),
        'Warning on line 4: unexpected any. Specify a different type. ESLint no explicit any.',
      ],
      [
        'eslint react-hooks (proper noun kept)',
        problem(3, 0, "React Hook useEffect has a missing dependency: 'user'. Either include it or remove the dependency array.", {
          severity: 'warning',
          source: 'eslint',
          code: 'react-hooks/exhaustive-deps',
        }),
        'Warning on line 4: React Hook use effect has a missing dependency: user. Either include it or remove the dependency array. ESLint react hooks exhaustive deps.',
      ],
      // Rust
      [
        'rustc E0308',
        problem(7, 1, 'mismatched types\nexpected `u32`, found `&str`', { source: 'rustc', code: 'E0308' }),
        'Error on line 8: mismatched types. Rust E0308.',
      ],
      [
        'rust-analyzer E0502',
        problem(3, 0, 'cannot borrow `x` as mutable because it is also borrowed as immutable', { source: 'rust-analyzer', code: 'E0502' }),
        'Error on line 4: cannot borrow x as mutable because it is also borrowed as immutable. Rust E0502.',
      ],
      [
        'rustc lint',
        problem(3, 0, 'unused variable: `count`\n`#[warn(unused_variables)]` on by default', {
          severity: 'warning',
          source: 'rustc',
          code: 'unused_variables',
        }),
        'Warning on line 4: unused variable: count. Rust unused variables.',
      ],
      [
        'raw rustc output',
        problem(3, 0, 'error[E0425]: cannot find value `y` in this scope'),
        'Error on line 4: cannot find value y in this scope. Code E0425.',
      ],
      // Python
      [
        'Pylance missing import',
        problem(0, 7, 'Import "numpy" could not be resolved', { severity: 'warning', source: 'Pylance', code: 'reportMissingImports' }),
        'Warning on line 1: import numpy could not be resolved. Pyright missing imports.',
      ],
      [
        'Pylance hint',
        problem(0, 0, '"requests" is not accessed', { severity: 'hint', source: 'Pylance' }),
        'Hint on line 1: requests is not accessed. Pyright.',
      ],
      [
        'pyright undefined',
        problem(3, 0, '"self" is not defined', { source: 'pyright', code: 'reportUndefinedVariable' }),
        'Error on line 4: self is not defined. Pyright undefined variable.',
      ],
      [
        'pylint',
        problem(0, 0, 'Missing module docstring', { severity: 'information', source: 'pylint', code: 'C0114:missing-module-docstring' }),
        'Info on line 1: missing module docstring. Pylint C0114 missing module docstring.',
      ],
      // C and C++
      [
        'gcc -W flag',
        problem(41, 9, "implicit declaration of function 'printf' [-Wimplicit-function-declaration]", {
          severity: 'warning',
          source: 'gcc',
        }),
        'Warning on line 42: implicit declaration of function printf. C compiler implicit function declaration.',
      ],
      [
        'gcc symbols',
        problem(9, 14, "expected ';' before '}' token", { source: 'gcc' }),
        'Error on line 10: expected semicolon before close brace token. C compiler.',
      ],
      [
        'clangd',
        problem(3, 0, "use of undeclared identifier 'foo'", { source: 'clangd', code: 'undeclared_var_use' }),
        'Error on line 4: use of undeclared identifier foo. Clang D undeclared var use.',
      ],
      // Go
      [
        'go vet',
        problem(4, 2, 'result of fmt.Sprintf call not used', { source: 'go vet' }),
        'Error on line 5: result of fmt.Sprintf call not used. Go vet.',
      ],
      [
        'gopls compiler',
        problem(3, 1, 'declared and not used: x', { source: 'compiler', code: 'UnusedVar' }),
        'Error on line 4: declared and not used: x. Go unused var.',
      ],
      // Others
      [
        'cSpell',
        problem(9, 0, 'Unknown word (kokoro)', { severity: 'information', source: 'cSpell' }),
        'Info on line 10: unknown word (kokoro). Spell check.',
      ],
      [
        'Java (internal id dropped)',
        problem(3, 0, 'The value of the local variable x is not used', { severity: 'warning', source: 'Java', code: '536870973' }),
        'Warning on line 4: the value of the local variable x is not used. Java.',
      ],
      [
        'unknown source as given, acronym kept',
        problem(0, 0, 'HTTP request failed', { source: 'Lua Diagnostics.' }),
        'Error on line 1: HTTP request failed. Lua Diagnostics.',
      ],
      ['no source', problem(0, 0, 'HTTP request failed'), 'Error on line 1: HTTP request failed.'],
    ];
    for (const [title, p, expected] of cases) it(`${title} → ${expected}`, () => assert.equal(describeProblem(p).short, expected));
  });

  it('a short one-line message is whole: short equals full, nothing truncated', () => {
    const words = describeProblem(problem(11, 4, "Cannot find name 'foo'.", { source: 'ts', code: 2304 }));
    assert.equal(words.full, words.short);
    assert.equal(words.truncated, false);
  });

  it('says the column when asked, never when told not to', () => {
    const p = problem(7, 1, 'mismatched types\nexpected `u32`, found `&str`', { source: 'rustc', code: 'E0308' });
    assert.equal(describeProblem(p, { includeColumn: true }).short, 'Error on line 8, column 2: mismatched types. Rust E0308.');
    const twins = [problem(3, 4, 'first'), problem(3, 12, 'second')];
    assert.equal(describeProblems(twins, { includeColumn: false }), 'Error on line 4: first. Error on line 4: second.');
  });

  it('says the column by itself only where it tells two problems of one severity on one line apart', () => {
    const line = [
      problem(3, 4, 'first'),
      problem(3, 12, 'second'),
      problem(3, 20, 'a warning', { severity: 'warning' }),
      problem(5, 0, 'elsewhere'),
    ];
    assert.equal(
      describeProblems(line.slice(0, 3)),
      'Error on line 4, column 5: first. Error on line 4, column 13: second. Warning on line 4: a warning.',
    );
    assert.deepEqual(describeFileProblems(line, 'a.ts').slice(1), [
      'Error on line 4, column 5: first.',
      'Error on line 4, column 13: second.',
      'Warning on line 4: a warning.',
      'Error on line 6: elsewhere.',
    ]);
    assert.equal(columnHelps(line[0], line), true);
    assert.equal(columnHelps(line[2], line), false);
    assert.equal(columnHelps(line[0], [line[0], problem(3, 4, 'same place')]), false, 'the same column tells nothing');
  });

  it('a message of several lines: short has the first, full has every line as a sentence', () => {
    const p = problem(7, 1, 'mismatched types\nexpected `u32`, found `&str`', { source: 'rustc', code: 'E0308' });
    const words = describeProblem(p);
    assert.equal(words.full, 'Error on line 8: mismatched types. Expected u32, found reference to str. Rust E0308.');
    assert.equal(words.truncated, true);
    const chain = problem(
      3,
      0,
      "No overload matches this call.\n  Overload 1 of 2, '(x: string): void', gave the following error.\n    Argument of type 'number' is not assignable to parameter of type 'string'.",
      { source: 'ts', code: 2769 },
    );
    assert.equal(describeProblem(chain).short, 'Error on line 4: no overload matches this call. TypeScript 2769.');
    assert.equal(
      describeProblem(chain).full,
      'Error on line 4: no overload matches this call. Overload 1 of 2, x string void, gave the following error. Argument of type number is not assignable to parameter of type string. TypeScript 2769.',
    );
  });

  describe('long messages', () => {
    it('collapses an object type literal and keeps the sentence', () => {
      const p = problem(
        3,
        0,
        "Type '{ a: string; b: { c: number; d: string[]; }; }' is not assignable to type 'Props'.\n  Property 'x' is missing in type '{ a: string; b: { c: number; d: string[]; }; }' but required in type 'Props'.",
        { source: 'ts', code: 2322 },
      );
      const words = describeProblem(p);
      assert.equal(words.short, 'Error on line 4: type, an object type, is not assignable to type props. TypeScript 2322.');
      assert.equal(words.truncated, true);
      assert.match(words.full, /c number, d string array/, 'full keeps the whole type');
      assert.match(words.full, /Property x is missing/);
    });

    it('shortens a TypeScript type dump to its point, and keeps the full text on demand', () => {
      const dump =
        "Type '{ id: number; name: string; address: { street: string; city: string; zip: string; }; tags: string[]; }' is not assignable to type 'User'. Property 'email' is missing in type '{ id: number; name: string; }' but required in type 'User'.";
      const shortened = shortenMessage(dump, 160);
      assert.equal(shortened.truncated, true);
      assert.equal(
        shortened.text,
        "Type, an object type, is not assignable to type 'User'. Property 'email' is missing in type, an object type, but required in type 'User'.",
      );
      const words = describeProblem(problem(3, 0, dump, { source: 'ts', code: 2322 }));
      assert.equal(
        words.short,
        'Error on line 4: type, an object type, is not assignable to type user. Property email is missing in type, an object type, but required in type user. TypeScript 2322.',
      );
      assert.ok(words.full.length > words.short.length && /street string/.test(words.full));
    });

    it('says a long union as "a union of N types", counting TypeScript\'s own "... N more ..."', () => {
      const values = Array.from({ length: 11 }, (_, i) => `"value${i}"`).join(' | ');
      const union = shortenMessage(
        `Argument of type '${values} | ... 14 more ... | "last"' is not assignable to parameter of type 'never'.`,
        160,
      );
      assert.equal(union.text, "Argument of type, a union of 26 types, is not assignable to parameter of type 'never'.");
      assert.equal(
        shortenMessage("Type 'string | number | undefined' is not assignable to type 'string'.").truncated,
        false,
        'a short union is kept',
      );
    });

    it('says a generic with long arguments as "a Promise type"', () => {
      const text = shortenMessage(
        "Type 'Promise<Map<string, Array<Record<string, number | boolean | null>>>>' is not assignable to type 'Promise<User>'.",
        160,
      ).text;
      assert.equal(text, "Type, a Promise type, is not assignable to type 'Promise<User>'.");
    });

    it('keeps whole sentences while they fit, else cuts at a word and says "and more"', () => {
      const two = 'The first sentence is here and explains the problem. The second sentence adds a lot of detail that we can live without.';
      assert.deepEqual(shortenMessage(two, 60), { text: 'The first sentence is here and explains the problem.', truncated: true });
      const one = 'this single sentence goes on and on without any full stop until it is far too long for one breath';
      const cut = shortenMessage(one, 40);
      assert.equal(cut.truncated, true);
      assert.ok(cut.text.length <= 41 && cut.text.endsWith('…') && !/\s…$/.test(cut.text), cut.text);
      const words = describeProblem(problem(0, 0, one), { maxMessageChars: 40 });
      assert.match(words.short, /^Error on line 1: this single sentence goes on and on, and more\.$/);
      assert.equal(words.truncated, true);
      assert.match(words.full, /far too long for one breath\.$/);
    });

    it('never cuts inside a quoted name', () => {
      const text = shortenMessage("Something went wrong with the thing called 'aVeryLongIdentifierNameThatGoesOn' today", 60).text;
      assert.equal(text, 'Something went wrong with the thing called…');
    });
  });

  it('follows the punctuation level for code in messages', () => {
    const p = problem(0, 0, "Expression 'foo(x)[0]' is unused");
    assert.equal(describeProblem(p).short, 'Error on line 1: expression foo x 0 is unused.');
    assert.equal(
      describeProblem(p, { punctuation: 'all' }).short,
      'Error on line 1: expression foo open paren x close paren open bracket 0 close bracket is unused.',
    );
  });

  it('a message cannot steer the speech engine', () => {
    const words = describeProblem(problem(0, 0, 'Unknown word [kokoro](/kˈOkəɹO/) [pause:9s]', { source: 'cSpell' }));
    assert.doesNotMatch(words.full, /\[|\]\(/);
  });

  it('an empty message still says where', () => {
    assert.equal(describeProblem(problem(4, 0, '  ', { source: 'ts', code: 1 })).short, 'Error on line 5: no message. TypeScript 1.');
  });

  describe('summaries', () => {
    const cases: Array<[Severity[], string]> = [
      [[], 'app.ts has no problems.'],
      [['error'], 'app.ts has 1 error.'],
      [['warning'], 'app.ts has 1 warning.'],
      [['error', 'error', 'error', 'warning'], 'app.ts has 3 errors and 1 warning.'],
      [['hint', 'error', 'warning', 'error'], 'app.ts has 2 errors, 1 warning and 1 hint.'],
      [['information', 'information'], 'app.ts has 2 info messages.'],
      [['hint', 'information', 'warning', 'error'], 'app.ts has 1 error, 1 warning, 1 info message and 1 hint.'],
    ];
    for (const [severities, expected] of cases) {
      it(expected, () =>
        assert.equal(
          summarizeProblems(
            severities.map((severity, i) => problem(i, 0, `p${i}`, { severity })),
            'app.ts',
          ),
          expected,
        ),
      );
    }

    it('reads a file: the summary, then each problem in line order', () => {
      const problems = [problem(5, 0, 'c'), problem(1, 0, 'a'), problem(3, 2, 'b', { severity: 'warning' })];
      assert.deepEqual(describeFileProblems(problems, 'app.ts'), [
        'app.ts has 2 errors and 1 warning.',
        'Error on line 2: a.',
        'Warning on line 4: b.',
        'Error on line 6: c.',
      ]);
      assert.deepEqual(describeFileProblems([], 'app.ts'), ['app.ts has no problems.']);
    });

    it('new errors after a save: count, then the first few, then "and N more"', () => {
      const errors = [5, 1, 2, 3, 4].map((l) => problem(l, 0, `problem ${l}`));
      assert.equal(summarizeNewErrors([], 'a.ts'), '');
      assert.equal(summarizeNewErrors(errors.slice(1, 2), 'a.ts'), '1 new error in a.ts. Error on line 2: problem 1.');
      assert.equal(
        summarizeNewErrors(errors.slice(1, 3), 'a.ts'),
        '2 new errors in a.ts. Error on line 2: problem 1. Error on line 3: problem 2.',
      );
      assert.equal(
        summarizeNewErrors(errors, 'a.ts'),
        '5 new errors in a.ts. Error on line 2: problem 1. Error on line 3: problem 2. Error on line 4: problem 3. And 2 more.',
      );
      assert.equal(summarizeNewErrors(errors, 'a.ts', 1), '5 new errors in a.ts. Error on line 2: problem 1. And 4 more.');
      assert.equal(
        summarizeNewErrors([problem(0, 0, 'x', { severity: 'warning' })], 'a.ts'),
        '1 new warning in a.ts. Warning on line 1: x.',
      );
      assert.equal(
        summarizeNewErrors([problem(0, 0, 'x'), problem(1, 0, 'y', { severity: 'warning' })], 'a.ts'),
        '2 new problems in a.ts. Error on line 1: x. Warning on line 2: y.',
      );
    });
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
  const messages = (list: ProblemInfo[]) => list.map((p) => p.message);

  describe('problems at the cursor', () => {
    it('reads the line most severe first, then the one under the cursor, then the nearest', () => {
      assert.deepEqual(messages(problemsAtCursor(problems, 2, 5)), ['under cursor error', 'far on line', 'under cursor hint']);
    });

    it('among equal severities: the one containing the cursor, then the nearest by column', () => {
      const line = [problem(4, 30, 'far'), problem(4, 12, 'near', { endCharacter: 14 }), problem(4, 2, 'under', { endCharacter: 6 })];
      assert.deepEqual(messages(problemsAtCursor(line, 4, 3)), ['under', 'near', 'far']);
      assert.deepEqual(messages(problemsAtCursor(line, 4, 20)), ['near', 'far', 'under'], 'near ends 6 columns away, far starts 10 away');
    });

    it('counts a range over several lines on each of its lines, and an empty range at the cursor', () => {
      assert.deepEqual(messages(problemsAtCursor(problems, 6, 0)), ['multi-line']);
      assert.deepEqual(messages(problemsAtCursor(problems, 7, 40)), ['multi-line']);
      assert.deepEqual(messages(problemsAtCursor([problem(1, 5, 'empty', { endCharacter: 5 })], 1, 5)), ['empty']);
    });

    it('is empty on a line without problems, and for none', () => {
      assert.deepEqual(problemsAtCursor(problems, 3, 0), []);
      assert.deepEqual(problemsAtCursor([], 0, 0), []);
    });

    it('does not reorder its input', () => {
      const copy = [...problems];
      problemsAtCursor(problems, 2, 5);
      assert.deepEqual(problems, copy);
    });
  });

  describe('next and previous, like F8 and Shift+F8', () => {
    it('goes to the first problem strictly after the cursor, most severe first at one place', () => {
      assert.equal(nextProblem(problems, 0, 0, 'next')?.message, 'under cursor error');
      assert.equal(nextProblem(problems, 2, 4, 'next')?.message, 'far on line', 'not the one the cursor is on');
      assert.equal(nextProblem(problems, 2, 11, 'next')?.message, 'multi-line');
      assert.equal(nextProblem(problems, 6, 0, 'next')?.message, 'last', 'a range started above the cursor is behind it');
    });

    it('goes to the last problem strictly before the cursor', () => {
      assert.equal(nextProblem(problems, 5, 0, 'previous')?.message, 'far on line');
      assert.equal(nextProblem(problems, 9, 3, 'previous')?.message, 'multi-line');
      assert.equal(nextProblem(problems, 9, 4, 'previous')?.message, 'last', 'from inside a problem, to its start');
      assert.equal(nextProblem(problems, 2, 10, 'previous')?.message, 'under cursor hint', 'the last in order at that place');
    });

    it('wraps around, unless told not to', () => {
      assert.equal(nextProblem(problems, 9, 3, 'next')?.message, 'under cursor error');
      assert.equal(nextProblem(problems, 9, 3, 'next', false), undefined);
      assert.equal(nextProblem(problems, 0, 0, 'previous')?.message, 'last');
      assert.equal(nextProblem(problems, 2, 4, 'previous', false), undefined);
      const single = [problem(3, 3, 'only')];
      assert.equal(nextProblem(single, 3, 3, 'next')?.message, 'only', 'the only problem, again');
      assert.equal(nextProblem([], 0, 0, 'next'), undefined);
      assert.equal(nextProblem([], 0, 0, 'previous'), undefined);
    });

    it('with the problem it went to last, reaches each of several at one place', () => {
      const first = nextProblem(problems, 0, 0, 'next')!;
      const second = nextProblem(problems, first.line, first.character, 'next', true, first)!;
      assert.equal(second.message, 'under cursor hint');
      const third = nextProblem(problems, second.line, second.character, 'next', true, second)!;
      assert.equal(third.message, 'far on line');
      assert.equal(nextProblem(problems, 2, 4, 'previous', true, second)?.message, 'under cursor error');
      assert.equal(nextProblem(problems, 9, 3, 'next', true, problems[4])?.message, 'under cursor error', 'wraps');
      assert.equal(
        nextProblem(problems, 0, 0, 'next', true, problems[4])?.message,
        'under cursor error',
        'the cursor moved away: position decides',
      );
    });
  });

  it('compares severities', () => {
    const cases: Array<[Severity, Severity, boolean]> = [
      ['error', 'warning', true],
      ['warning', 'warning', true],
      ['hint', 'warning', false],
      ['information', 'hint', true],
      ['hint', 'hint', true],
      ['warning', 'error', false],
      ['error', 'hint', true],
    ];
    for (const [s, min, expected] of cases) assert.equal(severityAtLeast(s, min), expected, `${s} ≥ ${min}`);
  });

  it('gives the same problem the same key, and another problem another key', () => {
    const p = problem(3, 4, 'x', { source: 'ts', code: 1 });
    assert.equal(problemKey(p), problemKey({ ...p, endCharacter: 99 }));
    for (const change of [
      { line: 4 },
      { character: 5 },
      { message: 'y' },
      { source: 'eslint' },
      { code: 2 },
      { severity: 'warning' as const },
    ]) {
      assert.notEqual(problemKey(p), problemKey({ ...p, ...change }), JSON.stringify(change));
    }
  });
});

describe('automatic announcements', () => {
  const uri = 'file:///a.ts';
  const errorA = problem(2, 0, 'first error', { endCharacter: 20 });
  const errorB = problem(6, 0, 'second error', { endCharacter: 20 });
  const warning = problem(4, 0, 'a warning', { severity: 'warning', endCharacter: 20 });
  const problems = [errorA, warning, errorB];

  function setup(mode: AnnounceMode = 'cursor', extra: Partial<AnnouncerOptions> = {}) {
    const clock = new FakeClock();
    const spoken: Utterance[] = [];
    const announcer = new Announcer({ mode, minSeverity: 'error', debounceMs: 500, clock, speak: (u) => spoken.push(u), ...extra });
    return { clock, spoken, announcer, texts: () => spoken.map((u) => u.text) };
  }

  it('off never speaks', () => {
    const { clock, announcer, spoken } = setup('off');
    announcer.cursorMoved(uri, 2, 0, problems);
    clock.advance(5000);
    announcer.problemsChanged(uri, [...problems, problem(2, 5, 'another')]);
    clock.advance(5000);
    announcer.saved(uri, 'a.ts', [...problems, problem(8, 0, 'new')]);
    clock.advance(5000);
    assert.deepEqual(spoken, []);
    assert.equal(clock.pending, 0, 'not even a timer');
  });

  describe("mode 'cursor'", () => {
    it('reads the problem once the cursor comes to rest, not before', () => {
      const { clock, announcer, spoken } = setup();
      announcer.cursorMoved(uri, 2, 0, problems);
      clock.advance(499);
      assert.deepEqual(spoken, []);
      clock.advance(1);
      assert.deepEqual(spoken, [{ text: 'Error on line 3: first error.', kind: 'cursor', key: problemKey(errorA) }]);
    });

    it('does not repeat on the same line', () => {
      const { clock, announcer, texts } = setup();
      announcer.cursorMoved(uri, 2, 0, problems);
      clock.advance(600);
      announcer.cursorMoved(uri, 2, 7, problems);
      clock.advance(600);
      announcer.cursorMoved(uri, 2, 19, problems);
      clock.advance(600);
      announcer.problemsChanged(uri, [...problems]); // the same problems reported again
      clock.advance(600);
      assert.deepEqual(texts(), ['Error on line 3: first error.']);
    });

    it('repeats after the cursor left the line and came back', () => {
      const { clock, announcer, texts } = setup();
      announcer.cursorMoved(uri, 2, 0, problems);
      clock.advance(600);
      announcer.cursorMoved(uri, 3, 0, problems);
      clock.advance(600);
      announcer.cursorMoved(uri, 2, 0, problems);
      clock.advance(600);
      assert.deepEqual(texts(), ['Error on line 3: first error.', 'Error on line 3: first error.']);
    });

    it('does not repeat a problem over several lines while the cursor moves within it', () => {
      const { clock, announcer, texts } = setup();
      const block = [problem(10, 0, 'unclosed block', { endLine: 14, endCharacter: 1 })];
      for (const line of [10, 11, 12, 14]) {
        announcer.cursorMoved(uri, line, 0, block);
        clock.advance(600);
      }
      assert.deepEqual(texts(), ['Error on line 11: unclosed block.']);
      announcer.cursorMoved(uri, 15, 0, block);
      clock.advance(600);
      announcer.cursorMoved(uri, 14, 0, block);
      clock.advance(600);
      assert.equal(texts().length, 2, 'out of it and back in: said again');
    });

    it('speaks only where the cursor rests when moving quickly over problem lines', () => {
      const { clock, announcer, texts } = setup();
      for (const line of [2, 3, 4, 5, 6]) {
        announcer.cursorMoved(uri, line, 0, problems);
        clock.advance(100);
        assert.equal(clock.pending, 1, 'one announcement waits at most');
      }
      clock.advance(600);
      assert.deepEqual(texts(), ['Error on line 7: second error.']);
    });

    it('says nothing below the severity threshold, and follows a new threshold', () => {
      const { clock, announcer, texts } = setup();
      announcer.cursorMoved(uri, 4, 0, problems);
      clock.advance(600);
      assert.deepEqual(texts(), [], 'a warning is below the error threshold');
      announcer.setOptions({ minSeverity: 'warning' });
      announcer.cursorMoved(uri, 4, 1, problems);
      clock.advance(600);
      assert.deepEqual(texts(), ['Warning on line 5: a warning.']);
    });

    it('on a line with an error and a hint, says the error, whatever is under the cursor', () => {
      const { clock, announcer, texts } = setup('cursor', { minSeverity: 'hint' });
      announcer.cursorMoved(uri, 1, 1, [problem(1, 0, 'a hint', { severity: 'hint', endCharacter: 4 }), problem(1, 30, 'the error')]);
      clock.advance(600);
      assert.deepEqual(texts(), ['Error on line 2: the error.']);
    });

    it('says the column when two errors share the line, as Read Problem at Cursor would', () => {
      const { clock, announcer, texts } = setup();
      const line = [problem(3, 4, 'left one', { endCharacter: 8 }), problem(3, 20, 'right one', { endCharacter: 24 })];
      announcer.cursorMoved(uri, 3, 21, line);
      clock.advance(600);
      assert.deepEqual(texts(), ['Error on line 4, column 21: right one.']);
      assert.ok(describeProblems(problemsAtCursor(line, 3, 21)).startsWith(texts()[0]), 'the same first sentence');
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
      clock.advance(200);
      assert.deepEqual(texts(), ['Error on line 9: new error while typing.']);
    });

    it('says the line again when its problem changes, not when it only moved along the line', () => {
      const { clock, announcer, texts } = setup();
      announcer.cursorMoved(uri, 8, 30, [problem(8, 10, "';' expected.")]);
      clock.advance(600);
      announcer.problemsChanged(uri, [problem(8, 12, "';' expected.")]); // typing before it moved it two columns
      clock.advance(600);
      assert.equal(texts().length, 1);
      announcer.problemsChanged(uri, [problem(8, 12, "Cannot find name 'fo'.")]);
      clock.advance(600);
      assert.deepEqual(texts(), ['Error on line 9: semicolon expected.', 'Error on line 9: cannot find name fo.']);
      announcer.problemsChanged(uri, [problem(8, 12, "';' expected.")]);
      clock.advance(600);
      assert.equal(texts().length, 2, 'heard on this line already: not again');
    });

    it('a newer announcement replaces the waiting one: only the newest is said', () => {
      const { clock, announcer, texts } = setup();
      announcer.cursorMoved(uri, 2, 0, problems);
      clock.advance(400);
      announcer.cursorMoved(uri, 6, 0, problems);
      assert.equal(clock.pending, 1);
      clock.advance(2000);
      assert.deepEqual(texts(), ['Error on line 7: second error.']);
    });

    it("the user's own reading cancels a waiting announcement", () => {
      const { clock, announcer, texts } = setup();
      announcer.cursorMoved(uri, 2, 0, problems);
      clock.advance(300);
      announcer.userReadStarted();
      assert.equal(clock.pending, 0);
      clock.advance(1000);
      assert.deepEqual(texts(), []);
      announcer.cursorMoved(uri, 2, 1, problems);
      clock.advance(500);
      assert.deepEqual(texts(), ['Error on line 3: first error.'], 'not marked as said: the next rest says it');
    });

    it('different documents are independent', () => {
      const { clock, announcer, texts } = setup();
      announcer.cursorMoved(uri, 2, 0, problems);
      clock.advance(600);
      announcer.cursorMoved('file:///b.ts', 2, 0, [problem(2, 0, 'other file error', { endCharacter: 9 })]);
      clock.advance(600);
      announcer.cursorMoved(uri, 2, 0, problems);
      clock.advance(600);
      assert.deepEqual(
        texts(),
        ['Error on line 3: first error.', 'Error on line 3: other file error.'],
        'back in a.ts on the same line: not again',
      );
      announcer.problemsChanged('file:///b.ts', [problem(2, 0, 'changed elsewhere')]);
      clock.advance(600);
      assert.equal(texts().length, 2, 'problems of a document without the cursor say nothing');
    });

    it('turning the mode off cancels what waits; dispose stops everything', () => {
      const { clock, announcer, texts } = setup();
      announcer.cursorMoved(uri, 2, 0, problems);
      announcer.setOptions({ mode: 'off' });
      clock.advance(1000);
      assert.deepEqual(texts(), []);
      announcer.setOptions({ mode: 'cursor' });
      announcer.cursorMoved(uri, 6, 0, problems);
      announcer.dispose();
      assert.equal(clock.pending, 0);
      announcer.cursorMoved(uri, 2, 0, problems);
      announcer.saved(uri, 'a.ts', problems);
      clock.advance(1000);
      assert.deepEqual(texts(), []);
    });

    it('uses the debounce set later, and a save says nothing in this mode', () => {
      const { clock, announcer, texts } = setup();
      announcer.setOptions({ debounceMs: 100 });
      announcer.saved(uri, 'a.ts', [...problems, problem(9, 0, 'new')]);
      announcer.cursorMoved(uri, 2, 0, problems);
      clock.advance(100);
      assert.deepEqual(texts(), ['Error on line 3: first error.']);
    });
  });

  describe("mode 'newErrors'", () => {
    it('after a save, reads only the errors that appeared since the last save, even when lines moved', () => {
      const { announcer, spoken, texts } = setup('newErrors');
      announcer.problemsChanged(uri, [errorA]);
      announcer.saved(uri, 'a.ts', [errorA]);
      assert.deepEqual(texts(), []);
      const moved = { ...errorA, line: 5, endLine: 5 };
      announcer.saved(uri, 'a.ts', [moved, errorB, warning]);
      assert.deepEqual(texts(), ['1 new error in a.ts. Error on line 7: second error.']);
      assert.equal(spoken[0].kind, 'newErrors');
      assert.equal(spoken[0].key, problemKey(errorB));
      announcer.saved(uri, 'a.ts', [moved, errorB]);
      assert.equal(texts().length, 1, 'nothing new, nothing said');
    });

    it('a first save is compared to what was first seen of the document, or to nothing', () => {
      const { announcer, texts } = setup('newErrors');
      announcer.cursorMoved(uri, 0, 0, [errorA]);
      announcer.problemsChanged(uri, [errorA, errorB]); // only the first sight counts
      announcer.saved(uri, 'a.ts', [errorA, errorB]);
      assert.deepEqual(texts(), ['1 new error in a.ts. Error on line 7: second error.']);
      announcer.saved('file:///never-seen.ts', 'never-seen.ts', [errorA]);
      assert.deepEqual(texts().at(-1), '1 new error in never-seen.ts. Error on line 3: first error.');
    });

    it('counts equal errors: a second copy of one is new', () => {
      const { announcer, texts } = setup('newErrors');
      announcer.saved(uri, 'a.ts', []);
      announcer.saved(uri, 'a.ts', [errorA]);
      announcer.saved(uri, 'a.ts', [errorA, { ...errorA, line: 12, endLine: 12 }]);
      assert.deepEqual(texts(), [
        '1 new error in a.ts. Error on line 3: first error.',
        '1 new error in a.ts. Error on line 13: first error.',
      ]);
    });

    it('lists a few and counts the rest; warnings only from the threshold', () => {
      const { announcer, texts } = setup('newErrors');
      announcer.saved(uri, 'a.ts', []);
      const many = [1, 2, 3, 4, 5].map((l) => problem(l, 0, `error ${l}`));
      announcer.saved(uri, 'a.ts', [...many, warning]);
      assert.deepEqual(texts(), [
        '5 new errors in a.ts. Error on line 2: error 1. Error on line 3: error 2. Error on line 4: error 3. And 2 more.',
      ]);
      announcer.setOptions({ minSeverity: 'warning' });
      announcer.saved(uri, 'a.ts', [...many, warning]);
      assert.equal(texts().length, 1, 'the warning was there at the last save, though not said then: not new');
      const another = problem(9, 0, 'another warning', { severity: 'warning' });
      announcer.saved(uri, 'a.ts', [...many, warning, another]);
      assert.deepEqual(texts().at(-1), '1 new warning in a.ts. Warning on line 10: another warning.');
    });

    it('an error fixed and back again is new again', () => {
      const { announcer, texts } = setup('newErrors');
      announcer.problemsChanged(uri, [errorA]);
      announcer.saved(uri, 'a.ts', [errorA]);
      announcer.saved(uri, 'a.ts', []);
      assert.deepEqual(texts(), []);
      announcer.saved(uri, 'a.ts', [errorA]);
      assert.deepEqual(texts(), ['1 new error in a.ts. Error on line 3: first error.']);
    });

    it('documents are compared each with its own last save', () => {
      const { announcer, texts } = setup('newErrors');
      announcer.saved('file:///a.ts', 'a.ts', [errorA]);
      announcer.saved('file:///b.ts', 'b.ts', []);
      announcer.saved('file:///b.ts', 'b.ts', [errorA]);
      assert.deepEqual(texts(), [
        '1 new error in a.ts. Error on line 3: first error.',
        '1 new error in b.ts. Error on line 3: first error.',
      ]);
    });

    it('a cursor at rest says nothing in this mode', () => {
      const { clock, announcer, texts } = setup('newErrors');
      announcer.cursorMoved(uri, 2, 0, problems);
      clock.advance(2000);
      assert.deepEqual(texts(), []);
    });
  });
});
