// The player webview's page. Pure, so its Content Security Policy is tested in plain Node
// and enforced in a real browser engine (test/browser/player.test.ts).

import { type PageResources, webviewPage } from '../webview/page';
import { SPEED } from './messages';

export interface PlayerPageResources extends PageResources {
  scriptUri: string;
  styleUri: string;
}

export function playerHtml(resources: PlayerPageResources): string {
  return webviewPage({
    ...resources,
    title: 'Kokoro Player',
    body: `<main aria-label="Kokoro player">
  <div class="controls" role="toolbar" aria-label="Playback">
    <button id="enable" class="primary" hidden>Enable audio</button>
    <button id="playPause" aria-label="Pause" title="Pause/Resume (Space)" disabled><span class="pause">Pause</span><span class="resume">Resume</span></button>
    <button id="stop" aria-label="Stop reading" title="Stop (Escape)" disabled>Stop</button>
    <label for="speed">Speed</label>
    <input id="speed" type="range" min="${SPEED.min}" max="${SPEED.max}" step="${SPEED.step}" value="1" aria-valuetext="1 times">
    <output id="speedValue" for="speed">1×</output>
  </div>
  <p id="status" class="status" role="status" aria-live="polite">Idle. Select text and run “Kokoro: Read Selection”.</p>
  <p id="now" class="now" tabindex="0" aria-label="Now reading"></p>
  <p id="serverNote" class="note" hidden></p>
</main>`,
  });
}
