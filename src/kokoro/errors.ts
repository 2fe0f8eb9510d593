// One error type for everything that can go wrong talking to a TTS server, with a
// message a user can act on. Reads every error body shape in docs/kokoro-protocol.md.

import * as l10n from '@vscode/l10n';

export type KokoroErrorKind =
  | 'badUrl' // kokoro.serverUrl cannot be used: no request is sent
  | 'unreachable' // connection refused / DNS / reset before an answer
  | 'timeout' // no first byte, or the stream stalled, within the configured time
  | 'http' // an error status from the server
  | 'notFound' // 404 on the speech route: wrong URL or not a Kokoro server
  | 'redirect' // 3xx: the server is at another address (http → https), or something in the way sends to a login page
  | 'badVoice' // the server does not know the voice
  | 'badRequest' // 4xx validation errors
  | 'unsupportedFormat' // audio the client cannot stream (mp3, opus, …)
  | 'notAudio' // 200 with HTML/JSON instead of audio
  | 'emptyAudio' // 200 with no audio at all
  | 'tooLarge' // far more audio than the text can explain
  | 'truncated' // the stream ended or broke before the audio was complete
  | 'espeakMissing' // the fallback voice's espeak-ng cannot be started (no such file, not executable)
  | 'espeakFailed' // espeak-ng ran but crashed, exited with an error or wrote no audio
  | 'systemVoiceFailed' // the player's system voice (the fallback) could not speak
  | 'aborted'; // stopped by the user: not an error to show

export class KokoroError extends Error {
  constructor(
    readonly kind: KokoroErrorKind,
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'KokoroError';
  }

  /** Worth a Retry button: the same request may work a moment later. */
  get retryable(): boolean {
    return (
      this.kind === 'unreachable' ||
      this.kind === 'timeout' ||
      this.kind === 'truncated' ||
      (this.kind === 'http' && (this.status ?? 0) >= 500)
    );
  }

  /** The setting to look at when it is the server's address that is wrong or unanswered. */
  get setting(): string | undefined {
    return SERVER_URL_KINDS.has(this.kind) ? 'kokoro.serverUrl' : undefined;
  }

  /** The fix is most likely in the settings (URL, voice, model). */
  get settingsRelated(): boolean {
    return SERVER_URL_KINDS.has(this.kind) || SETTINGS_KINDS.has(this.kind);
  }
}

/** Kinds whose fix is most likely in kokoro.serverUrl. */
const SERVER_URL_KINDS: ReadonlySet<KokoroErrorKind> = new Set(['badUrl', 'unreachable', 'notFound', 'redirect', 'notAudio']);
/** Kinds whose fix is most likely in another setting (voice, model, format). */
const SETTINGS_KINDS: ReadonlySet<KokoroErrorKind> = new Set(['badVoice', 'badRequest', 'unsupportedFormat']);

const MAX_DETAIL_CHARS = 300;
const MAX_BRIEF_CHARS = 160;

/** The first sentence of an error message, for a place with little room (the player's status line). */
export function briefly(message: string): string {
  const oneLine = message.replace(/\s+/g, ' ').trim();
  const end = oneLine.search(/[.!?](?= [A-Z"“(]|$)/);
  const sentence = end >= 0 ? oneLine.slice(0, end + 1) : oneLine;
  return sentence.length > MAX_BRIEF_CHARS ? `${sentence.slice(0, MAX_BRIEF_CHARS - 1)}…` : sentence;
}

function clip(text: string): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return oneLine.length > MAX_DETAIL_CHARS ? `${oneLine.slice(0, MAX_DETAIL_CHARS - 1)}…` : oneLine;
}

/** The human part of an error body, from any of the shapes Kokoro servers and OpenAI use. */
export function errorBodyMessage(body: string, contentType = ''): string | undefined {
  const text = body.trim();
  if (!text) return undefined;
  if (/html/i.test(contentType) || /^<(!doctype|html)/i.test(text)) return l10n.t('the server answered with a web page');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return clip(text);
  }
  if (typeof json === 'string') return clip(json);
  if (typeof json !== 'object' || json === null) return clip(text);
  const o = json as Record<string, unknown>;
  const detail = o.detail;
  if (typeof detail === 'string') return clip(detail);
  if (Array.isArray(detail)) {
    // FastAPI/pydantic validation list: [{loc:["body","speed"], msg:"…"}]
    const parts = detail.map((d) => {
      if (typeof d !== 'object' || d === null) return String(d);
      const item = d as Record<string, unknown>;
      const loc = Array.isArray(item.loc) ? item.loc.filter((p) => p !== 'body').join('.') : '';
      const msg = typeof item.msg === 'string' ? item.msg : JSON.stringify(item);
      return loc ? `${loc}: ${msg}` : msg;
    });
    return clip(parts.join('; '));
  }
  if (typeof detail === 'object' && detail !== null) {
    const d = detail as Record<string, unknown>;
    if (typeof d.message === 'string') return clip(d.message);
    if (typeof d.error === 'string') return clip(d.error);
  }
  const error = o.error;
  if (typeof error === 'string') return clip(error);
  if (typeof error === 'object' && error !== null && typeof (error as Record<string, unknown>).message === 'string') {
    return clip((error as Record<string, string>).message);
  }
  if (typeof o.message === 'string') return clip(o.message);
  return clip(text);
}

/** 502, 503, 504: what a proxy or load balancer answers when no server behind it does (nginx, a Kubernetes ingress). */
export function isGatewayFailure(status: number): boolean {
  return status === 502 || status === 503 || status === 504;
}

/** A proxy or load balancer answered for the server: unreachable, whatever page it sent with it. */
export function gatewayError(status: number, url: string): KokoroError {
  return new KokoroError(
    'unreachable',
    l10n.t(
      'No Kokoro server is answering behind the proxy or load balancer at {0} (HTTP {1}). Start the server (or its replicas), or check kokoro.serverUrl.',
      url,
      status,
    ),
    status,
  );
}

export const isRedirect = (status: number) => status >= 300 && status < 400;

/**
 * A 3xx answer. Requests are never sent on to where it points (the text and the API key would go to
 * an address the user did not set): when it is the same route elsewhere (http → https, another
 * host), the message names the server URL to set; otherwise (a login page) what it points to.
 */
export function redirectError(status: number, location: string, url: string, path: string): KokoroError {
  let target: URL | undefined;
  try {
    if (location.trim()) target = new URL(location, url + path);
  } catch {
    // no usable Location
  }
  if (!target)
    return new KokoroError(
      'redirect',
      l10n.t('The server at {0} redirects elsewhere (HTTP {1}). Check kokoro.serverUrl.', url, status),
      status,
    );
  const shown = `${target.origin}${target.pathname}`;
  const base = target.pathname.endsWith(path) && !target.search && target.origin + target.pathname.slice(0, -path.length);
  if (base && base !== url) {
    return new KokoroError(
      'redirect',
      l10n.t('The server at {0} redirects to {1} (HTTP {2}). Set kokoro.serverUrl to {1}.', url, base, status),
      status,
    );
  }
  return new KokoroError(
    'redirect',
    l10n.t(
      'The server at {0} redirects to {1} (HTTP {2}), not a Kokoro server: a login page or a proxy may be in the way. Check kokoro.serverUrl.',
      url,
      shown,
      status,
    ),
    status,
  );
}

/** Turns an error answer of the speech route into a KokoroError. */
export function speechHttpError(status: number, body: string, contentType: string, context: { voice: string; url: string }): KokoroError {
  if (isGatewayFailure(status)) return gatewayError(status, context.url);
  const detail = errorBodyMessage(body, contentType);
  if (detail && /voice\b.*\bnot found/i.test(detail)) {
    return new KokoroError('badVoice', l10n.t('The server does not know the voice "{0}". {1}', context.voice, detail), status);
  }
  if (status === 404) {
    return new KokoroError(
      'notFound',
      l10n.t('No speech endpoint at {0} (HTTP 404). Check kokoro.serverUrl: Kokoro-FastAPI listens on http://localhost:8880.', context.url),
      status,
    );
  }
  if (status === 401 || status === 403) {
    return new KokoroError(
      'badRequest',
      detail
        ? l10n.t(
            'The server refused the request (HTTP {0}): {1}. Set an API key with "Kokoro: Set API Key" if it needs one.',
            status,
            detail,
          )
        : l10n.t('The server refused the request (HTTP {0}). Set an API key with "Kokoro: Set API Key" if it needs one.', status),
      status,
    );
  }
  if (status >= 400 && status < 500) {
    return new KokoroError(
      'badRequest',
      detail
        ? l10n.t('The server rejected the request (HTTP {0}): {1}.', status, detail)
        : l10n.t('The server rejected the request (HTTP {0}).', status),
      status,
    );
  }
  return new KokoroError(
    'http',
    detail
      ? l10n.t('The server failed to speak (HTTP {0}): {1}.', status, detail)
      : l10n.t('The server failed to speak (HTTP {0}) with no details.', status),
    status,
  );
}

/** Turns a network-level failure (undici/Node error) into a KokoroError. */
export function networkError(err: unknown, url: string): KokoroError {
  if (err instanceof KokoroError) return err;
  const e = err as { code?: string; name?: string; message?: string; cause?: { code?: string } };
  const code = e?.code ?? e?.cause?.code ?? '';
  if (e?.name === 'AbortError' || code === 'UND_ERR_ABORTED' || code === 'ABORT_ERR') return new KokoroError('aborted', l10n.t('Stopped.'));
  switch (code) {
    case 'ECONNREFUSED':
      return new KokoroError(
        'unreachable',
        l10n.t('No Kokoro server is answering at {0} (connection refused). Start the server, or check kokoro.serverUrl.', url),
      );
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new KokoroError('unreachable', l10n.t('Cannot find the host of {0}. Check kokoro.serverUrl.', url));
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return new KokoroError('unreachable', l10n.t('The network cannot reach {0}.', url));
    case 'UND_ERR_CONNECT_TIMEOUT':
    case 'UND_ERR_HEADERS_TIMEOUT':
      return new KokoroError('timeout', l10n.t('The server at {0} did not answer in time.', url));
    case 'UND_ERR_BODY_TIMEOUT':
      return new KokoroError('timeout', l10n.t('The audio stream from {0} stalled.', url));
    case 'ECONNRESET':
    case 'EPIPE':
    case 'UND_ERR_SOCKET':
    case 'UND_ERR_CLOSED':
      return new KokoroError('unreachable', l10n.t('The connection to {0} was closed by the server.', url));
    case 'ERR_INVALID_URL':
    case 'ERR_INVALID_ARG_TYPE':
      return new KokoroError('unreachable', l10n.t('"{0}" is not a valid server URL. Check kokoro.serverUrl.', url));
  }
  return new KokoroError('unreachable', l10n.t('Cannot talk to {0}: {1}', url, e?.message ?? String(err)));
}
