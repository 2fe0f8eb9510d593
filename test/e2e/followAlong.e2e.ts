// Follow-along in the real VS Code: the sentence heard is highlighted at its source, the
// editor follows it, and the user moves through the reading with real key presses.

import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { KokoroApi } from '../../src/extension';
import * as driver from './driver';
import {
  activateReady,
  closeScratch,
  extensionLog,
  nextReading,
  showScratch,
  sleep,
  speechRequests,
  spokenInputs,
  waitUntil,
} from './helpers';

/** A TypeScript file longer than a screen: one statement a line, each its own sentence. */
const LINES = Array.from({ length: 40 }, (_, i) => `const valueNumber${i + 1} = computeTotal(${i + 1});`);
const CODE = `${LINES.join('\n')}\n`;

const PROSE = [
  'The first sentence opens the text.',
  'A second sentence follows it here.',
  'Then the third one comes along.',
  'The fourth sentence is the one we skip to.',
  'A fifth sentence closes the text.',
].join(' ');

/** The keyboard in `editor`, the cursor at its start (focusing clicks into the text, which moves the cursor). */
async function focusAtStart(editor: vscode.TextEditor): Promise<void> {
  await driver.focusEditor();
  await driver.press('Control+Home'); // as a user would: setting the selection from here races the click's own
  await waitUntil(() => editor.selection.active.character === 0 && editor.selection.active.line === 0, 5_000, 'the cursor at the start');
}

describe('Follow-along: highlight, skip, repeat, resume', function () {
  this.timeout(120_000);
  let api: KokoroApi;

  /** Sentence numbers heard, and the line the highlight was on for each, as they happen. */
  function recordHighlights(): { lines: Map<number, number>; stop: () => void } {
    const lines = new Map<number, number>();
    const timer = setInterval(() => {
      const h = api.session.followAlong.highlighted;
      if (h && !lines.has(h.sentence)) lines.set(h.sentence, h.range.start.line);
    }, 20);
    return { lines, stop: () => clearInterval(timer) };
  }

  before(async () => {
    api = await activateReady();
  });

  beforeEach(async () => {
    // Short sentences: about half a second of audio each.
    await driver.standinReset(); // (restores the stand-in's start-up options: set them after)
    await driver.standinOptions({ fault: 'none', rtf: 4, ttfbMs: 20, msPerChar: 12 });
  });

  afterEach(async () => {
    api.session.stop();
    await vscode.workspace.getConfiguration('kokoro').update('highlight', undefined, vscode.ConfigurationTarget.Global);
    await driver.standinOptions({ fault: 'none', rtf: 4, ttfbMs: 20, msPerChar: 60, captions: true }).catch(() => undefined);
  });

  it('highlights the line being heard, in order, drawn in the editor, and scrolls to keep it in view', async () => {
    const editor = await showScratch(CODE, 'typescript');
    const doc = editor.document;
    await focusAtStart(editor);
    const seen = recordHighlights();
    const done = nextReading(api, 60_000);
    await driver.press('Control+Alt+Shift+S');
    // Drawn on screen: the line heard has the highlight's colour behind it.
    await waitUntil(async () => (await driver.editorHighlights()).lines.length > 0, 20_000, 'the highlight to be drawn');
    const drawn = await driver.editorHighlights();
    const highlighted = api.session.followAlong.highlighted!;
    assert.ok(drawn.lines.length === 1, `one line is highlighted on screen: ${JSON.stringify(drawn)}`);
    assert.equal(drawn.lines[0].trim(), doc.lineAt(highlighted.range.start.line).text.trim(), 'the line drawn is the line heard');
    await driver.screenshot('follow-along-highlight');
    assert.equal((await done).outcome, 'completed');
    // The reading is fetched; the last sentences are still being heard.
    await waitUntil(() => seen.lines.has(LINES.length - 1), 60_000, 'the last line to be heard');
    seen.stop();
    // One line is one sentence, except that the reader may cut the first one at a clause for fast first audio
    // (after a server whose first byte grows with the text, such as Kokoro-FastAPI): then line n is sentence n + 1.
    const heard = [...seen.lines.entries()].sort((a, b) => a[0] - b[0]);
    let previous = 0;
    for (const [sentence, line] of heard) {
      assert.ok(
        line >= previous && line <= sentence && line >= sentence - 1,
        `sentence ${sentence + 1} is highlighted on line ${line + 1}`,
      );
      previous = line;
    }
    assert.ok(heard.length >= LINES.length * 0.8, `most sentences were seen highlighted (${heard.length} of ${LINES.length})`);
    const lastLine = doc.lineAt(LINES.length - 1).range;
    assert.ok(
      editor.visibleRanges.some((r) => r.intersection(lastLine)),
      'the editor scrolled down with the reading',
    );
    await waitUntil(() => !api.session.reading, 20_000, 'the reading to end');
    assert.equal(api.session.followAlong.highlighted, undefined, 'the highlight goes when the reading ends');
    await waitUntil(async () => (await driver.editorHighlights()).lines.length === 0, 5_000, 'the highlight to go from the screen');
    await closeScratch(editor);
  });

  it('the highlight stays on the line heard through a speed change and a pause (Ctrl+Alt+P)', async () => {
    const editor = await showScratch(CODE, 'typescript');
    await focusAtStart(editor);
    const seen = recordHighlights();
    try {
      await driver.press('Control+Alt+Shift+S');
      await waitUntil(() => (api.session.followAlong.highlighted?.sentence ?? 0) >= 1, 30_000, 'the second line to be heard');
      await vscode.commands.executeCommand('kokoro.speedUp');
      const atSpeedChange = api.session.followAlong.highlighted!.sentence;
      await waitUntil(
        () => (api.session.followAlong.highlighted?.sentence ?? 0) >= atSpeedChange + 2,
        30_000,
        'two more lines at the new speed',
      );
      await driver.press('Control+Alt+P');
      await waitUntil(() => api.session.playback.paused, 5_000, 'the pause');
      const atPause = api.session.followAlong.highlighted!.sentence;
      // Paused: nothing is heard, so the highlight does not move (watched for as long as two lines take).
      const until = Date.now() + 1500;
      await waitUntil(() => Date.now() > until || api.session.followAlong.highlighted?.sentence !== atPause, 5_000);
      assert.equal(api.session.followAlong.highlighted?.sentence, atPause, 'the highlight waits with the audio');
      await driver.press('Control+Alt+P');
      await waitUntil(() => (api.session.followAlong.highlighted?.sentence ?? 0) > atPause, 10_000, 'the reading to go on');
    } finally {
      seen.stop();
      await vscode.workspace.getConfiguration('kokoro').update('speed', undefined, vscode.ConfigurationTarget.Global);
    }
    for (const [sentence, line] of seen.lines) assert.equal(line, sentence, `sentence ${sentence + 1} is highlighted on its own line`);
    await closeScratch(editor);
  });

  it('moving the cursor away stops the scrolling (the highlight goes on); Next Sentence follows again', async () => {
    const editor = await showScratch(CODE, 'typescript');
    await focusAtStart(editor);
    await driver.press('Control+Alt+Shift+S');
    await waitUntil(() => (api.session.followAlong.highlighted?.sentence ?? 0) >= 1, 30_000, 'the second line to be heard');
    await driver.press('Control+End'); // the user goes to the end of the file to look at something
    const bottom = editor.document.lineAt(editor.document.lineCount - 1).range;
    await waitUntil(() => editor.visibleRanges.some((r) => r.intersection(bottom)), 10_000, 'the view at the end');
    const from = api.session.followAlong.highlighted!.sentence;
    await waitUntil(() => (api.session.followAlong.highlighted?.sentence ?? 0) >= from + 3, 30_000, 'three more lines to be heard');
    const heardLine = api.session.followAlong.highlighted!.range;
    assert.ok(
      editor.visibleRanges.some((r) => r.intersection(bottom)),
      'the view stays where the user went',
    );
    assert.ok(!editor.visibleRanges.some((r) => r.intersection(heardLine)), 'and the line heard is not pulled into view');
    await driver.press('Control+Alt+L');
    await waitUntil(
      () => {
        const h = api.session.followAlong.highlighted;
        return h !== undefined && editor.visibleRanges.some((r) => r.intersection(h.range));
      },
      10_000,
      'Next Sentence to bring the reading into view again',
    );
    await closeScratch(editor);
  });

  it('Next, Previous and Repeat Sentence (Ctrl+Alt+L / H / J) move at once; audio already here is reused, the rest cancelled', async () => {
    await driver.standinOptions({ rtf: 1.5, msPerChar: 40 }); // the server stays only a little ahead of the listener
    const editor = await showScratch(`${PROSE}\n`);
    await focusAtStart(editor);
    await driver.press('Control+Alt+Shift+S');
    await waitUntil(() => api.session.followAlong.highlighted?.sentence === 0, 20_000, 'the first sentence to be heard');
    const sentenceText = () => {
      const h = api.session.followAlong.highlighted;
      return h && editor.document.getText(h.range);
    };
    assert.equal(sentenceText(), 'The first sentence opens the text.');

    await driver.press('Control+Alt+L');
    await waitUntil(() => api.session.followAlong.highlighted?.sentence === 1, 10_000, 'the next sentence to be heard');
    assert.equal(sentenceText(), 'A second sentence follows it here.');
    await driver.press('Control+Alt+L');
    await driver.press('Control+Alt+L');
    await waitUntil(() => api.session.followAlong.highlighted?.sentence === 3, 10_000, 'two sentences further');
    assert.equal(sentenceText(), 'The fourth sentence is the one we skip to.');

    const before = await speechRequests();
    const completeBefore = new Set(before.filter((r) => r.completed).map((r) => r.body?.input));
    await driver.press('Control+Alt+H');
    await waitUntil(() => api.session.followAlong.highlighted?.sentence === 2, 10_000, 'the previous sentence');
    assert.equal(sentenceText(), 'Then the third one comes along.');
    await driver.press('Control+Alt+J');
    await waitUntil(() => api.session.playback.currentSegment === 2, 10_000, 'the same sentence again');
    const requests = await speechRequests();
    const after = requests.slice(before.length).map((r) => r.body?.input);
    for (const input of after)
      assert.ok(!completeBefore.has(input), `"${input}" was received whole before: played again, not requested again`);
    await waitUntil(
      async () => (await speechRequests()).every((r) => r.completed || r.clientDisconnected),
      10_000,
      'no request left running',
    );
    const all = await spokenInputs();
    assert.equal(
      all.filter((i) => i === 'A second sentence follows it here.').length <= 1,
      true,
      'sentence two was asked for at most once',
    );
    assert.equal((await driver.activeElement()).inEditor, true, 'the keyboard stays in the editor');
    assert.match(await driver.webviewText(), /Sentence 3 of 5|Sentence 3\b/, 'the player shows where the reading is');
    await closeScratch(editor);
  });

  it("the player's From cursor button reads the active editor from its cursor", async () => {
    const editor = await showScratch(`${PROSE}\n`);
    await focusAtStart(editor);
    editor.selection = new vscode.Selection(0, PROSE.indexOf('The fourth'), 0, PROSE.indexOf('The fourth'));
    await waitUntil(
      () => editor.selection.active.character === PROSE.indexOf('The fourth'),
      5_000,
      'the cursor before the fourth sentence',
    );
    await driver.webviewClick('#fromCursor');
    await waitUntil(async () => (await spokenInputs()).length >= 2, 20_000, 'the reading to start');
    assert.deepEqual((await spokenInputs()).slice(0, 2), [
      'The fourth sentence is the one we skip to.',
      'A fifth sentence closes the text.',
    ]);
    await closeScratch(editor);
  });

  it('Stop remembers the sentence; Read from Cursor on the unchanged file offers to resume there', async () => {
    const editor = await showScratch(CODE, 'typescript');
    await focusAtStart(editor);
    await driver.press('Control+Alt+Shift+S');
    await waitUntil(() => (api.session.followAlong.highlighted?.sentence ?? 0) >= 3, 30_000, 'the fourth line to be heard');
    const stoppedLine = api.session.followAlong.highlighted!.range.start.line;
    await driver.press('Control+Alt+X');
    await waitUntil(() => !api.session.reading, 10_000, 'the reading to stop');
    await driver.standinReset();
    await driver.standinOptions({ msPerChar: 12 });
    await driver.press('Control+Alt+Shift+S');
    await waitUntil(() => driver.exists('.quick-input-widget .quick-input-list'), 10_000, 'the offer to resume');
    await driver.press('Enter'); // the first choice: resume
    // Its first sentences may play from the audio received before the Stop: watched in the editor, not at the server.
    await waitUntil(() => api.session.followAlong.highlighted !== undefined, 10_000, 'the reading to go on');
    assert.equal(api.session.followAlong.highlighted!.range.start.line, stoppedLine, `it goes on at line ${stoppedLine + 1}`);
    api.session.stop();
    await waitUntil(() => !api.session.reading, 10_000, 'the reading to stop');
    // Edited since: no offer, it reads from the cursor.
    await editor.edit((e) => e.insert(new vscode.Position(0, 0), '// edited\n'));
    await driver.standinReset();
    await driver.standinOptions({ msPerChar: 12 });
    await focusAtStart(editor);
    await driver.press('Control+Alt+Shift+S');
    await waitUntil(async () => (await spokenInputs()).length > 0, 10_000, 'the reading to start');
    assert.equal(
      await driver.exists('.quick-input-widget:not([style*="display: none"]) .monaco-list-row'),
      false,
      'no offer for a changed file',
    );
    assert.match((await spokenInputs())[0], /edited/);
    await closeScratch(editor);
  });

  it('kokoro.highlight "word": the word heard is highlighted where the server times words; the sentence where it stopped doing so', async () => {
    await vscode.workspace.getConfiguration('kokoro').update('highlight', 'word', vscode.ConfigurationTarget.Global);
    await waitUntil(
      async () => /The server times words/.test(await extensionLog(api)),
      20_000,
      'the server to be asked whether it times words',
    );
    const editor = await showScratch(CODE, 'typescript');
    await focusAtStart(editor);
    const words: Array<{ sentence: number; word: number; start: number; end: number; line: number }> = [];
    const timer = setInterval(() => {
      const h = api.session.followAlong.highlighted;
      if (h?.word !== undefined && !words.some((w) => w.sentence === h.sentence && w.word === h.word))
        words.push({
          sentence: h.sentence,
          word: h.word,
          start: h.range.start.character,
          end: h.range.end.character,
          line: h.range.start.line,
        });
    }, 10);
    try {
      await driver.press('Control+Alt+Shift+S');
      await waitUntil(() => (api.session.followAlong.highlighted?.sentence ?? 0) >= 3, 30_000, 'the fourth line to be heard');
    } finally {
      clearInterval(timer);
    }

    api.session.stop();
    const state = (await driver.standinState()) as { requests: Array<{ method: string; path: string }> };
    assert.ok(
      state.requests.some((r) => r.path === '/dev/captioned_speech' && r.method === 'POST'),
      'the captioned route was used',
    );
    const second = words.filter((w) => w.sentence === 1);
    assert.ok(second.length >= 3, `several words of line 2 were highlighted one after another: ${JSON.stringify(words)}`);
    assert.ok(
      second.every((w) => w.line === 1),
      'on line 2',
    );
    assert.ok(
      second.every((w, i) => i === 0 || w.start >= second[i - 1].start),
      'left to right',
    );
    assert.ok(
      second.some((w) => w.end - w.start < LINES[1].length),
      'a word, not the whole line',
    );

    // The server stops timing words (replaced by one without the route): the reading goes on, by sentence.
    // (Another text: the sentences heard above would play from memory, with the words they came with.)
    await closeScratch(editor);
    const other = await showScratch(CODE.replace(/valueNumber/g, 'otherValue'), 'typescript');
    await driver.standinReset();
    await driver.standinOptions({ captions: false, msPerChar: 12 });
    await focusAtStart(other);
    await driver.press('Control+Alt+Shift+S');
    await waitUntil(() => (api.session.followAlong.highlighted?.sentence ?? 0) >= 1, 30_000, 'the second line to be heard');
    assert.equal(api.session.followAlong.highlighted!.word, undefined, 'the sentence is highlighted');
    assert.equal(api.session.followAlong.highlighted!.range.start.line, api.session.followAlong.highlighted!.sentence);
    assert.match(await extensionLog(api), /refused captioned speech/);
    await closeScratch(other);
  });

  it('the highlight follows an edit above it, and kokoro.highlight "off" draws none while reading goes on', async () => {
    const editor = await showScratch(CODE, 'typescript');
    const doc = editor.document;
    await focusAtStart(editor);
    await driver.press('Control+Alt+Shift+S');
    await waitUntil(() => (api.session.followAlong.highlighted?.sentence ?? 0) >= 2, 30_000, 'the third line to be heard');
    const heardText = () => {
      const h = api.session.followAlong.highlighted;
      return h && doc.getText(h.range);
    };
    await editor.edit((e) => e.insert(new vscode.Position(0, 0), '// a comment typed while listening\n'));
    await waitUntil(() => (api.session.followAlong.highlighted?.sentence ?? 0) >= 4, 30_000, 'two more lines to be heard');
    const h = api.session.followAlong.highlighted!;
    assert.equal(heardText(), LINES[h.sentence], 'the highlight is still on the line being heard');
    await vscode.workspace.getConfiguration('kokoro').update('highlight', 'off', vscode.ConfigurationTarget.Global);
    await waitUntil(async () => (await driver.editorHighlights()).lines.length === 0, 10_000, 'the highlight to go');
    await sleep(1000);
    assert.equal((await driver.editorHighlights()).lines.length, 0, 'none is drawn while reading goes on');
    assert.equal(api.session.reading, true);
    await closeScratch(editor);
  });
});
