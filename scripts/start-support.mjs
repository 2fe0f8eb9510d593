// The parts of `npm start` (scripts/start.mjs) that are tested on their own (test/unit/start.test.ts):
// is a server answering, watching it, and how the demo voice is started.

/** Whether a TTS server answers at `url` (any route under 500: Kokoros has no /health). */
export async function answers(url, timeoutMs = 1000) {
  for (const route of ['/health', '/v1/audio/voices']) {
    try {
      const res = await fetch(`${url.replace(/\/$/, '')}${route}`, { signal: AbortSignal.timeout(timeoutMs) });
      await res.body?.cancel();
      if (res.status < 500) return true;
    } catch {
      // try the next route
    }
  }
  return false;
}

/**
 * Checks `url` every `intervalMs` and calls `onGone` when it stops answering, `onBack` when it answers again.
 * Returns a function that stops watching.
 */
export function watchServer(url, { intervalMs = 5000, onGone, onBack }) {
  let up = true;
  let stopped = false;
  let timer;
  const check = async () => {
    const now = await answers(url);
    if (stopped) return;
    if (up && !now) onGone();
    else if (!up && now) onBack();
    up = now;
    timer = setTimeout(check, intervalMs);
    timer.unref?.();
  };
  timer = setTimeout(check, intervalMs);
  timer.unref?.();
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}

/** Arguments for the stand-in as the demo voice: it names itself (the extension says so), and logs each request only when `verbose`. */
export function demoServerArgs({ voiceSource, verbose }) {
  const label = `Demo voice (${voiceSource === 'espeak' ? 'espeak-ng' : 'a tone'})`;
  return [
    '--port',
    '0',
    '--control-port',
    '0',
    '--voice-source',
    voiceSource,
    '--rtf',
    '30',
    '--ttfb-ms',
    '30',
    '--label',
    label,
    ...(verbose ? [] : ['--quiet']),
  ];
}
