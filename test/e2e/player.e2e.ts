// The player as the user sees it: its speed slider visible in light, dark and both High
// Contrast themes (screenshots kept as artifacts), and its pause control telling the state.

import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { KokoroApi } from '../../src/extension';
import * as driver from './driver';
import { activateReady, isEnded, isStarted, nextReport, openSample, waitUntil } from './helpers';

const THEMES = [
  { name: 'Default Light Modern', bodyClass: 'vscode-light' },
  { name: 'Default Dark Modern', bodyClass: 'vscode-dark' },
  { name: 'Default High Contrast', bodyClass: 'vscode-high-contrast' },
  { name: 'Default High Contrast Light', bodyClass: 'vscode-high-contrast-light' },
];

/** WCAG relative luminance of an sRGB colour. */
function luminance(r: number, g: number, b: number): number {
  const lin = (c: number) => (c / 255 <= 0.04045 ? c / 255 / 12.92 : ((c / 255 + 0.055) / 1.055) ** 2.4);
  return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
}

/**
 * What is on screen around the speed slider: how many pixels of the 7×7 square at the thumb's centre
 * stand out from the background around the slider at 3:1, and how many of the track's far third (away
 * from the thumb) differ from it at 1.5:1.
 */
async function sliderContrast(): Promise<{ thumbPixels: number; trackPixels: number }> {
  const margin = 4;
  const at = await driver.webviewEvaluate<number>(
    '#speed',
    '(() => { const s = document.getElementById("speed"); return (s.value - s.min) / (s.max - s.min); })()',
  );
  assert.ok(at < 0.5, `the thumb is in the slider's left half (at ${at})`);
  const { width, height, rgba } = await driver.webviewPixels('#speed', margin);
  const background = luminance(rgba[0], rgba[1], rgba[2]);
  const contrastAt = (x: number, y: number) => {
    const i = (y * width + x) * 4;
    const l = luminance(rgba[i], rgba[i + 1], rgba[i + 2]);
    return (Math.max(l, background) + 0.05) / (Math.min(l, background) + 0.05);
  };
  const inner = width - 2 * margin;
  const thumbSize = 14; // about what Chromium draws and what player.css asks for
  const cx = margin + Math.round(at * (inner - thumbSize) + thumbSize / 2);
  const cy = Math.round(height / 2);
  let thumbPixels = 0;
  for (let y = cy - 3; y <= cy + 3; y++) for (let x = cx - 3; x <= cx + 3; x++) if (contrastAt(x, y) >= 3) thumbPixels++;
  let trackPixels = 0;
  for (let y = margin; y < height - margin; y++)
    for (let x = margin + Math.ceil((inner * 2) / 3); x < width - margin; x++) if (contrastAt(x, y) >= 1.5) trackPixels++;
  return { thumbPixels, trackPixels };
}

describe('The player', function () {
  this.timeout(90_000);
  let api: KokoroApi;

  before(async () => {
    api = await activateReady();
    await api.session.player.reveal();
    await waitUntil(() => api.session.player.isReady, 30_000, 'the player to be ready');
  });

  afterEach(async () => {
    api.session.stop();
    await driver.standinOptions({ rtf: 4 }).catch(() => undefined);
  });

  after(async () => {
    await vscode.workspace.getConfiguration('workbench').update('colorTheme', undefined, vscode.ConfigurationTarget.Global);
  });

  for (const theme of THEMES) {
    it(`shows its speed slider in ${theme.name}`, async () => {
      await vscode.workspace.getConfiguration('workbench').update('colorTheme', theme.name, vscode.ConfigurationTarget.Global);
      await api.session.player.reveal();
      await waitUntil(
        async () => (await driver.webviewEvaluate<string>('#speed', 'document.body.className')).split(' ').includes(theme.bodyClass),
        15_000,
        `the player in ${theme.name}`,
      );
      await driver.screenshot(`player-${theme.bodyClass}`);
      const slider = await sliderContrast();
      console.log(
        `E2E SLIDER in ${theme.name}: thumb ${slider.thumbPixels} of 49 px at 3:1 or more, track ${slider.trackPixels} px at 1.5:1 or more`,
      );
      assert.ok(slider.thumbPixels >= 40, `the thumb stands out from the background at 3:1 (${slider.thumbPixels} of 49 px)`);
      assert.ok(slider.trackPixels >= 30, `the track differs from the background (${slider.trackPixels} px)`);
    });
  }

  it('its title bar shows Pause while playing and Resume while paused, and the controls do not move', async () => {
    const pauseAction = '.part.panel .title-actions [aria-label^="Pause Reading"]';
    const resumeAction = '.part.panel .title-actions [aria-label^="Resume Reading"].codicon-debug-continue';
    const controls = `JSON.stringify(['playPause', 'stop', 'speed', 'speedValue'].map((id) => { const r = document.getElementById(id).getBoundingClientRect(); return [id, r.left, r.width]; }))`;
    const editor = await openSample(
      'long.md',
      Array.from({ length: 8 }, (_, i) => `Paragraph ${i + 1} keeps the player busy long enough to pause it and resume it.`).join('\n'),
    );
    editor.selection = new vscode.Selection(0, 0, editor.document.lineCount, 0);
    await driver.standinOptions({ rtf: 1 });
    const started = nextReport(api, isStarted, 20_000);
    await driver.focusEditor();
    await driver.press('Control+Alt+S');
    await started;
    await waitUntil(() => driver.exists(pauseAction), 10_000, "a Pause action in the player's title bar");
    assert.equal(await driver.exists(resumeAction), false);
    const playing = await driver.webviewEvaluate<string>('#speed', controls);
    await driver.press('Control+Alt+P');
    await waitUntil(() => driver.exists(resumeAction), 10_000, "a Resume action in the player's title bar");
    assert.equal(await driver.exists(pauseAction), false, 'Pause is gone while paused');
    await waitUntil(
      async () => (await driver.webviewEvaluate<string>('#playPause', 'document.getElementById("playPause").innerText')) === 'Resume',
      10_000,
      'the player to say Resume',
    );
    assert.equal(await driver.webviewEvaluate<string>('#speed', controls), playing, 'no control moved when Pause became Resume');
    await driver.screenshot('player-paused');
    const ended = nextReport(api, isEnded, 20_000);
    await driver.click(resumeAction);
    await waitUntil(() => driver.exists(pauseAction), 10_000, 'Pause back in the title bar');
    assert.equal(api.session.playback.paused, false);
    api.session.stop();
    await ended;
  });
});
