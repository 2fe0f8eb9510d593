// Acting like a user from inside the extension host: the e2e runner (scripts/e2e/run.mjs)
// serves these actions on the real workbench page, and controls the stand-in server.

import { readFileSync } from 'node:fs';
import * as path from 'node:path';

export interface E2EConfig {
  /** Which suite runs: the default one, or a scenario that needs its own VS Code start (test/e2e/scenarios). */
  scenario?:
    'default' | 'serverDownAtStartUp' | 'playerPreparedAtStartUp' | 'badServerUrlAtStartUp' | 'keyboardStaysInEditor' | 'teamBehindNginx';
  /** Run only the tests whose title matches (KOKORO_E2E_GREP). */
  grep?: string;
  standinUrl: string;
  controlUrl: string;
  /** teamBehindNginx: the control servers of the replicas behind nginx (kokoro.serverUrl is nginx). */
  replicaControlUrls?: string[];
  driverUrl?: string;
  resultsFile: string;
  artifactsDir: string;
  workspace: string;
}

export const e2eConfig: E2EConfig = JSON.parse(readFileSync(path.join(__dirname, 'config.json'), 'utf8'));
export const driverAvailable = Boolean(e2eConfig.driverUrl);

async function call<T>(base: string | undefined, route: string, body?: unknown): Promise<T> {
  if (!base) throw new Error('driver not available under test-electron');
  const res = await fetch(`${base}${route}`, {
    method: body === undefined && route.startsWith('/state') ? 'GET' : 'POST',
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const data = (await res.json()) as T & { error?: string };
  if (!res.ok) throw new Error(`${route}: ${data.error ?? res.status}`);
  return data;
}

const act = <T>(route: string, body: unknown = {}) => call<T>(e2eConfig.driverUrl, route, body);

export const press = (keys: string) => act('/press', { keys });
export const focusEditor = () => act('/focusEditor');
export const palette = (title: string) => act('/palette', { title });
export const typeText = (text: string) => act('/type', { text });
export const click = (selector: string) => act('/click', { selector });
/** Chooses `label` in the active editor's context menu (right click on the selection, or Shift+F10 and the arrow keys). */
export const editorContextMenu = (label: string, how: 'mouse' | 'keyboard') =>
  act<{ labels: string[]; chosen: boolean }>('/editorContextMenu', { label, keyboard: how === 'keyboard' });
export const hover = (selector: string) => act('/hover', { selector });
export const text = async (selector: string) => (await act<{ text: string | null }>('/text', { selector })).text;
export const webviewText = async () => (await act<{ text: string }>('/webviewText')).text;
/** Sends a message to the extension as if the player webview's script had posted it. */
export const playerPost = (message: unknown) => act('/playerPost', { message });
export const webviewClick = (selector: string) => act('/webviewClick', { selector });
export const webviewPolicies = async () => (await act<{ policies: Array<{ title: string; csp: string }> }>('/webviewPolicies')).policies;
/** Where the keyboard is: `inEditor` when key presses go to a text editor, `inWebview` when a webview's frame has them. */
export interface ActiveElement {
  hasFocus: boolean;
  tag: string | null;
  className: string;
  inEditor: boolean;
  inWebview: boolean;
}
export const activeElement = () => act<ActiveElement>('/activeElement');
export interface KeyDown {
  key: string;
  ctrl: boolean;
  alt: boolean;
  shift: boolean;
  /** When the workbench page got it (epoch ms). */
  at: number;
}
/** From now on, the workbench page notes each key-down it gets (see keyDowns). */
export const recordKeyDowns = () => act('/recordKeyDowns');
export const keyDowns = async () => (await act<{ keyDowns: KeyDown[] }>('/keyDowns')).keyDowns;
/** Evaluates `expression` (JavaScript source) in the webview document that contains `selector`. */
export const webviewEvaluate = async <T>(selector: string, expression: string) =>
  (await act<{ value: T }>('/webviewEvaluate', { selector, expression })).value;
/** What is on screen around `selector` in a webview: RGBA bytes, row by row. */
export const webviewPixels = async (selector: string, margin = 4) => {
  const { width, height, rgba } = await act<{ width: number; height: number; rgba: string }>('/webviewPixels', { selector, margin });
  return { width, height, rgba: Buffer.from(rgba, 'base64') };
};
/** The editor lines on screen under Kokoro's reading highlight (their text), and how many highlight boxes are drawn. */
export const editorHighlights = () => act<{ color: string; boxes: number; lines: string[] }>('/editorHighlights');
export const exists = async (selector: string) => (await act<{ exists: boolean }>('/exists', { selector })).exists;
export const screenshot = async (name: string) => (await act<{ path: string }>('/screenshot', { name })).path;
export const notifications = async () => (await act<{ messages: string[] }>('/notifications')).messages;
export const notificationAction = (contains: string, action: string) => act('/notificationAction', { contains, action });

export const standinState = () => call<unknown>(e2eConfig.controlUrl, '/state');
export const standinOptions = (options: Record<string, unknown>) => call(e2eConfig.controlUrl, '/options', options);
export const standinReset = () => call(e2eConfig.controlUrl, '/reset', {});
export const standinDown = () => call(e2eConfig.controlUrl, '/down', {});
export const standinUp = () => call(e2eConfig.controlUrl, '/up', {});
/** teamBehindNginx: replica `index` behind nginx. */
export const replicaState = (index: number) => call<unknown>(e2eConfig.replicaControlUrls![index], '/state');
export const replicaOptions = (index: number, options: Record<string, unknown>) =>
  call(e2eConfig.replicaControlUrls![index], '/options', options);
/** Forgets the requests replica `index` recorded and takes back its first options. */
export const replicaReset = (index: number) => call(e2eConfig.replicaControlUrls![index], '/reset', {});
export const replicaDown = (index: number) => call(e2eConfig.replicaControlUrls![index], '/down', {});
export const replicaUp = (index: number) => call(e2eConfig.replicaControlUrls![index], '/up', {});
export const killReplica = (index: number) => act('/killReplica', { index });
