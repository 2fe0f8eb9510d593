// The player webview's page. Pure, so its Content Security Policy is tested in plain Node
// and enforced in a real browser engine (test/browser/player.test.ts).

import * as l10n from '@vscode/l10n';
import { type PageResources, escapeHtml as e, webviewPage } from '../webview/page';
import { SPEED } from './messages';

export interface PlayerPageResources extends PageResources {
  scriptUri: string;
  styleUri: string;
  /** The translations of the player's own texts (vscode.l10n.bundle); none in English. */
  l10nBundle?: Readonly<Record<string, string>>;
}

export function playerHtml(resources: PlayerPageResources): string {
  const { l10nBundle, ...page } = resources;
  // The page's script reads the bundle from here before it shows any text (no inline script: the CSP allows none).
  const bundle = l10nBundle ? ` data-l10n="${e(JSON.stringify(l10nBundle))}"` : '';
  return webviewPage({
    ...page,
    title: l10n.t('Kokoro Player'),
    body: `<main aria-label="${e(l10n.t('Kokoro player'))}"${bundle}>
  <div class="controls" role="toolbar" aria-label="${e(l10n.t('Playback'))}">
    <button id="enable" class="primary" hidden>${e(l10n.t('Enable audio'))}</button>
    <button id="playPause" aria-label="${e(l10n.t('Pause'))}" title="${e(l10n.t('Pause/Resume (Space)'))}" disabled><span class="pause">${e(l10n.t('Pause'))}</span><span class="resume">${e(l10n.t('Resume'))}</span></button>
    <button id="stop" aria-label="${e(l10n.t('Stop reading'))}" title="${e(l10n.t('Stop (Escape)'))}" disabled>${e(l10n.t('Stop'))}</button>
    <button id="previous" aria-label="${e(l10n.t('Previous sentence'))}" title="${e(l10n.t('Previous sentence (Left Arrow)'))}" disabled>${e(l10n.t('Previous'))}</button>
    <button id="repeat" aria-label="${e(l10n.t('Repeat sentence'))}" title="${e(l10n.t('Repeat sentence (R)'))}" disabled>${e(l10n.t('Repeat'))}</button>
    <button id="next" aria-label="${e(l10n.t('Next sentence'))}" title="${e(l10n.t('Next sentence (Right Arrow)'))}" disabled>${e(l10n.t('Next'))}</button>
    <button id="fromCursor" title="${e(l10n.t('Read the active editor from its cursor to the end'))}">${e(l10n.t('From cursor'))}</button>
    <label for="speed">${e(l10n.t('Speed'))}</label>
    <input id="speed" type="range" min="${SPEED.min}" max="${SPEED.max}" step="${SPEED.step}" value="1" aria-valuetext="${e(l10n.t('{0} times', 1))}">
    <output id="speedValue" for="speed">1×</output>
  </div>
  <p id="status" class="status" role="status" aria-live="polite">${e(l10n.t('Idle. Select text and run “Kokoro: Read Selection”.'))}</p>
  <div class="position" hidden>
    <progress id="progress" max="1" value="0" aria-label="${e(l10n.t('Position in the text'))}"></progress>
    <span id="sentence"></span>
  </div>
  <p id="moved" class="visually-hidden" aria-live="polite"></p>
  <p id="now" class="now" tabindex="0" aria-label="${e(l10n.t('Now reading'))}"></p>
  <p id="serverNote" class="note" hidden></p>
</main>`,
  });
}
