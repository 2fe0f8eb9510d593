// The local fallback voice: espeak-ng run as a child process (no shell), the text on its stdin,
// its WAV output on stdout decoded to s16le mono PCM while it is still being written.

import { type ChildProcess, spawn } from 'node:child_process';
import { constants as fsConstants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import * as l10n from '@vscode/l10n';
import type { AudioCallback, SpeechParams, SpeechTimings } from '../kokoro/client';
import { type PcmDecoder, WavDecoder } from '../kokoro/decoder';
import { KokoroError } from '../kokoro/errors';
import { outcome } from '../kokoro/outcome';

export interface EspeakVoiceOptions {
  /** The espeak-ng (or espeak) executable, as `EspeakVoice.find()` returns it. */
  path: string;
  /** An espeak-ng voice name (`en-us`, `en-gb+f3`, `de`); espeak's default English when absent. */
  voice?: string;
}

/** espeak-ng's speaking rate at speed 1, and the range its `-s` accepts. */
export const ESPEAK_DEFAULT_WPM = 175;
export const ESPEAK_MIN_WPM = 80;
export const ESPEAK_MAX_WPM = 450;
/** The sample rate of espeak-ng's own voices (MBROLA voices differ: the WAV header says which). */
export const ESPEAK_SAMPLE_RATE = 22_050;

const STDERR_KEEP_BYTES = 4096;
const VOICE_NAME = /^[A-Za-z0-9][A-Za-z0-9_+\-./]{0,99}$/;

const now = () => performance.now();

/** The `-s` words per minute for a Kokoro speed (1 = espeak's default rate), within espeak's range. */
export function espeakWordsPerMinute(speed: number): number {
  const wpm = Math.round(ESPEAK_DEFAULT_WPM * (Number.isFinite(speed) && speed > 0 ? speed : 1));
  return Math.min(ESPEAK_MAX_WPM, Math.max(ESPEAK_MIN_WPM, wpm));
}

/**
 * The text as espeak-ng should get it: control characters become spaces, tab and newline stay. A NUL would end
 * espeak's text early and Ctrl-A starts one of its embedded commands (speed, pitch, volume) even without SSML.
 */
export function espeakText(input: string): string {
  return input.replace(/(?![\t\n])\p{Cc}/gu, ' ');
}

export class EspeakVoice {
  constructor(readonly options: EspeakVoiceOptions) {}

  /**
   * Speaks `input` (plain text: no SSML, since `-m` is never passed) like `KokoroClient.speak`: `onAudio` gets
   * s16le mono PCM at espeak's own sample rate while espeak writes it. Resolves when espeak exits; rejects with
   * a KokoroError: 'aborted' when `signal` fires (espeak is killed at once), 'espeakMissing' when it cannot be
   * started, 'espeakFailed' when it crashes, exits with an error or writes no audio, 'badVoice' for a voice
   * name espeak could not take.
   */
  speak(input: string, params: Pick<SpeechParams, 'speed'>, onAudio: AudioCallback, signal?: AbortSignal): Promise<SpeechTimings> {
    if (signal?.aborted) return Promise.reject(new KokoroError('aborted', l10n.t('Stopped.')));
    const { voice } = this.options;
    if (voice !== undefined && !VOICE_NAME.test(voice)) {
      return Promise.reject(new KokoroError('badVoice', l10n.t('"{0}" is not an espeak-ng voice name.', voice)));
    }
    const text = espeakText(input);
    const sentAt = now();
    // espeak writes nothing at all, not even a WAV header, for empty text.
    if (!text.trim()) {
      return Promise.resolve({
        sentAt,
        headersAt: sentAt,
        firstByteAt: undefined,
        endedAt: sentAt,
        samples: 0,
        sampleRate: ESPEAK_SAMPLE_RATE,
      });
    }

    const program = this.options.path;
    const args = ['--stdout', '--stdin', '-b', '1', '-s', String(espeakWordsPerMinute(params.speed))];
    if (voice !== undefined) args.push('-v', voice);

    return new Promise<SpeechTimings>((resolve, reject) => {
      const decoder: PcmDecoder = new WavDecoder();
      let headersAt = sentAt;
      let firstByteAt: number | undefined;
      let samples = 0;
      let stderr = '';
      let child: ChildProcess | undefined;
      const result = outcome<SpeechTimings>(resolve, reject, signal, () => {
        if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      });
      const { settle, fail } = result;

      try {
        child = spawn(program, args, { stdio: ['pipe', 'pipe', 'pipe'], windowsHide: true });
      } catch (err) {
        settle(startError(err, program));
        return;
      }
      result.listen();

      child.on('spawn', () => (headersAt = now()));
      child.on('error', (err) => fail(startError(err, program)));
      // espeak may exit before reading all of its input (a crash, a bad voice): its exit tells what went wrong, not the broken pipe.
      child.stdin!.on('error', () => undefined);
      child.stdin!.end(text, 'utf8');
      child.stderr!.on('data', (chunk: Buffer) => {
        if (stderr.length < STDERR_KEEP_BYTES) stderr += chunk.toString('utf8');
      });
      child.stdout!.on('data', (chunk: Buffer) => {
        if (result.settled) return;
        firstByteAt ??= now();
        let pcm: Uint8Array;
        try {
          pcm = decoder.push(chunk);
        } catch {
          fail(new KokoroError('espeakFailed', l10n.t('{0} did not write WAV audio.', program)));
          return;
        }
        if (pcm.length === 0) return;
        samples += pcm.length >> 1;
        try {
          onAudio(pcm, decoder.sampleRate, { sentAt, headersAt, firstByteAt });
        } catch (err) {
          fail(err);
        }
      });
      child.on('close', (code, signalName) => {
        if (result.settled) return;
        if (signalName) {
          settle(new KokoroError('espeakFailed', l10n.t('{0} stopped unexpectedly ({1}).', program, signalName)));
          return;
        }
        if (code !== 0) {
          const detail = firstLine(stderr);
          if (voice !== undefined && /voice/i.test(detail)) {
            settle(new KokoroError('badVoice', l10n.t('espeak-ng cannot speak with the voice "{0}": {1}', voice, detail)));
            return;
          }
          settle(
            new KokoroError(
              'espeakFailed',
              detail
                ? l10n.t('{0} failed with exit code {1}: {2}', program, code ?? '?', detail)
                : l10n.t('{0} failed with exit code {1}.', program, code ?? '?'),
            ),
          );
          return;
        }
        try {
          decoder.end();
        } catch {
          settle(new KokoroError('espeakFailed', l10n.t('{0} ended without writing any audio.', program)));
          return;
        }
        settle(undefined, { sentAt, headersAt, firstByteAt, endedAt: now(), samples, sampleRate: decoder.sampleRate });
      });
    });
  }

  /**
   * Where espeak-ng (else the older espeak) is installed: the first executable file of that name in a PATH folder,
   * then, on Windows, where the espeak-ng installer puts it. Relative PATH entries are skipped, so nothing in the
   * open folder is ever run. No shell is involved.
   */
  static async find(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): Promise<string | undefined> {
    const windows = platform === 'win32';
    const paths = windows ? path.win32 : path.posix;
    const pathKey = Object.keys(env).find((key) => key.toUpperCase() === 'PATH');
    const folders = (pathKey ? (env[pathKey] ?? '') : '')
      .split(windows ? ';' : ':')
      .map((folder) => (windows ? folder.replace(/^"(.*)"$/, '$1') : folder))
      .filter((folder) => paths.isAbsolute(folder));
    if (windows) {
      for (const key of ['ProgramFiles', 'ProgramFiles(x86)', 'ProgramW6432']) {
        const programFiles = env[key];
        if (programFiles) folders.push(paths.join(programFiles, 'eSpeak NG'));
      }
    }
    const names = windows ? ['espeak-ng.exe', 'espeak.exe'] : ['espeak-ng', 'espeak'];
    for (const name of names) {
      for (const folder of folders) {
        const candidate = paths.join(folder, name);
        if (await isExecutableFile(candidate)) return candidate;
      }
    }
    return undefined;
  }
}

async function isExecutableFile(file: string): Promise<boolean> {
  try {
    if (!(await stat(file)).isFile()) return false;
    await access(file, fsConstants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function startError(err: unknown, program: string): KokoroError {
  const e = err as { code?: string; message?: string };
  switch (e?.code) {
    case 'ENOENT':
      return new KokoroError('espeakMissing', l10n.t('Cannot run {0}: there is no such file (is espeak-ng installed?).', program));
    case 'EACCES':
    case 'EPERM':
      return new KokoroError('espeakMissing', l10n.t('Cannot run {0}: permission denied.', program));
  }
  return new KokoroError('espeakMissing', l10n.t('Cannot run {0}: {1}', program, e?.message ?? String(err)));
}

function firstLine(text: string): string {
  return (
    text
      .split(/\r?\n/)
      .map((line) => line.trim())
      .find((line) => line) ?? ''
  ).slice(0, 300);
}
