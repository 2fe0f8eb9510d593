// The player webview's page. Pure, so its Content Security Policy is tested in plain Node
// and enforced in a real browser engine (test/browser/player.test.ts).

export interface PlayerPageResources {
  /** A fresh random value per page: the only script allowed to run carries it. */
  nonce: string;
  /** webview.cspSource: where the webview's own resources come from. */
  cspSource: string;
  scriptUri: string;
  styleUri: string;
}

/** No network, no inline or injected script, no eval: only our bundled script and style. */
export function playerCsp({ nonce, cspSource }: Pick<PlayerPageResources, 'nonce' | 'cspSource'>): string {
  return [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    `style-src ${cspSource}`,
    `img-src ${cspSource}`,
    `font-src ${cspSource}`,
  ].join('; ');
}

export function playerHtml(resources: PlayerPageResources): string {
  const { nonce, scriptUri, styleUri } = resources;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${playerCsp(resources)}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${styleUri}">
<title>Kokoro Player</title>
</head>
<body>
<main aria-label="Kokoro player">
  <div class="controls" role="toolbar" aria-label="Playback">
    <button id="enable" class="primary" hidden>Enable audio</button>
    <button id="playPause" aria-label="Pause" title="Pause/Resume (Space)" disabled><span class="pause">Pause</span><span class="resume">Resume</span></button>
    <button id="stop" aria-label="Stop reading" title="Stop (Escape)" disabled>Stop</button>
    <label for="speed">Speed</label>
    <input id="speed" type="range" min="0.25" max="4" step="0.25" value="1" aria-valuetext="1 times">
    <output id="speedValue" for="speed">1×</output>
  </div>
  <p id="status" class="status" role="status" aria-live="polite">Idle. Select text and run “Kokoro: Read Selection”.</p>
  <p id="now" class="now" tabindex="0" aria-label="Now reading"></p>
</main>
<script nonce="${nonce}" src="${scriptUri}"></script>
</body>
</html>`;
}
