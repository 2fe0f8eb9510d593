// Facts about a server URL that decide what the user must be told before code is sent.

import * as l10n from '@vscode/l10n';

const LOOPBACK_HOSTS = new Set(['localhost', '::1', '[::1]']);

export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase();
  return LOOPBACK_HOSTS.has(host) || host.endsWith('.localhost') || /^127(\.\d{1,3}){3}$/.test(host);
}

/** True when text would travel unencrypted to another machine. */
export function sendsPlainTextOffMachine(serverUrl: string): boolean {
  try {
    const url = new URL(serverUrl);
    return url.protocol === 'http:' && !isLoopbackHost(url.hostname);
  } catch {
    return false;
  }
}

/** The URL without credentials, for messages and logs. */
export function displayUrl(serverUrl: string): string {
  try {
    const url = new URL(serverUrl);
    url.username = '';
    url.password = '';
    return url.toString().replace(/\/$/, '');
  } catch {
    return serverUrl;
  }
}

export type ParsedServerUrl = { ok: true; url: string } | { ok: false; reason: string };

/**
 * What people copy along with a server's address: the OpenAI-style base (`…/v1`, as OpenAI clients
 * take it), a route from the docs (`…/v1/audio/speech`), Kokoro-FastAPI's web player or API docs
 * from the browser's address bar (`…/web/`, `…/docs`). The client adds its routes itself.
 */
const COPIED_ROUTE = /\/(?:v1(?:\/audio\/(?:speech|voices)|\/voices|\/models)?|dev\/captioned_speech|health|docs|web)$/i;

/**
 * The server URL as people type it, made exact: spaces and trailing slashes go, `host:port`
 * (no scheme) means `http://host:port`, and a route copied with the address (`/v1`, `/v1/audio/speech`,
 * `/web`, `/docs`) goes, leaving any path prefix (`/api`). Anything else that is not an http(s) URL
 * with a host is refused, with why.
 */
export function parseServerUrl(raw: string): ParsedServerUrl {
  const text = raw.trim();
  if (!text) return { ok: false, reason: l10n.t('it is empty') };
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `http://${text}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    return { ok: false, reason: l10n.t('it is not a URL (expected e.g. http://localhost:8880 or localhost:8880)') };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    return { ok: false, reason: l10n.t('{0} is not supported: use http:// or https://', url.protocol) };
  if (!url.hostname) return { ok: false, reason: l10n.t('it names no host') };
  if (url.username || url.password)
    return { ok: false, reason: l10n.t('a user name or password in the URL is never sent: use Kokoro: Set API Key') };
  if (url.search || url.hash) return { ok: false, reason: l10n.t('a ? query or # fragment cannot be part of a server URL') };
  return { ok: true, url: url.origin + url.pathname.replace(/\/+$/, '').replace(COPIED_ROUTE, '') };
}

/** What the user is told about a server URL that cannot be used. */
export function invalidServerUrlMessage(raw: string, reason: string): string {
  return l10n.t('kokoro.serverUrl "{0}" cannot be used: {1}.', raw.trim(), reason);
}
