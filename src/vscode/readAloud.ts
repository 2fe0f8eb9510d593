// What the commands read through: text made speakable the way its kind asks (code, prose, problem
// descriptions), followed in the editor it came from, timed from the command that asked for it.

import type { KokoroConfig } from '../config';
import type { ServerConnection } from '../kokoro/connection';
import type { ReadingRequest, ReadingResult } from '../speech/reader';
import type { Readings } from '../speech/readings';
import {
  applyPronunciations,
  neutralizeControlSyntax,
  type Pronunciations,
  type PunctuationLevel,
  type TextKind,
  toSpeakable,
} from '../speech/speakable';
import type { Playback } from '../speech/playback';
import type { Reader } from '../speech/reader';
import { EditorText, type FollowAlong, type FollowedSource } from './followAlong';

export type ReadOptions = {
  /** How to make the text speakable; 'spoken' is text already worded for speech (problem descriptions). */
  kind: TextKind | 'spoken';
  languageId?: string;
  title?: string;
  /** Where the text is in an editor: read sentence by sentence, followed there with a highlight. */
  source?: FollowedSource;
} &
  /** An automatic announcement: never interrupts the user's own reading; no command started it, so "command → audio playing" is not recorded. */
  (
    | { announcement: true }
    /** performance.now() taken first thing in the command's handler: "command → audio playing" is measured from it. */
    | { announcement?: false; startedAt: number }
  );

export interface ReadAloudParts {
  settings: { readonly config: KokoroConfig; readonly pronunciations: Pronunciations | undefined };
  server: ServerConnection;
  reader: Reader;
  playback: Playback;
  readings: Readings;
  followAlong: FollowAlong;
  log: { info(message: string): void; warn(message: string): void };
  /** The user started a reading of their own (announcements waiting give way). */
  userReadStarted(): void;
}

export class ReadAloud {
  /** Whether the server times words (captioned speech), once asked; undefined until then. */
  private captions: boolean | undefined;

  constructor(private readonly parts: ReadAloudParts) {}

  get punctuation(): PunctuationLevel {
    return this.parts.settings.config.punctuation;
  }

  /** Text already worded for speech (problem descriptions): the user's pronunciations, no control syntax. */
  private readonly prepareSpoken = (block: string) =>
    neutralizeControlSyntax(applyPronunciations(block, this.parts.settings.pronunciations));

  /** Reads `text` (or text in pieces, copied from a document as it is read) aloud, replacing whatever is being read. Shows errors; resolves with the outcome. */
  read(text: string | Iterable<string>, options: ReadOptions): Promise<ReadingResult> {
    const { settings, server, followAlong, log } = this.parts;
    const { kind, languageId } = options;
    const { punctuation, highlight } = settings.config;
    const { pronunciations } = settings;
    if (!options.announcement) this.parts.userReadStarted();
    const followed = options.source && new EditorText(options.source, pronunciations);
    const words = followed !== undefined && highlight === 'word' && this.captions === true;
    const request: ReadingRequest = {
      text,
      title: options.title ?? (typeof text === 'string' ? text : undefined),
      params: server.speech,
      cache: kind === 'spoken',
      prepare: kind === 'spoken' ? this.prepareSpoken : (block) => toSpeakable(block, { kind, punctuation, languageId, pronunciations }),
      sentences: followed !== undefined,
      origin: followed,
      onSegment: followed?.offsets.mapSentence,
      words,
      onWords: words ? (index, timed) => followAlong.wordsTimed(followed!, index, timed) : undefined,
      onResumedAfterBreak: (error) =>
        log.warn(
          `The audio stream broke in the middle of the reading (${error.message}); it goes on from the next sentence with a fresh request.`,
        ),
      onWordsRefused: () => {
        this.captions = false;
        log.info('The server refused captioned speech (it changed?): the highlight follows the sentence heard from now on.');
      },
    };
    const commandStartedAt = options.announcement ? undefined : options.startedAt;
    // A Retry is a new command: its latency starts when the user picks Retry, not with the failed reading.
    const retry = () => this.read(text, options.announcement ? options : { ...options, startedAt: performance.now() });
    return this.parts.readings.run(request, { commandStartedAt, announcement: options.announcement }, () => retry);
  }

  /** Reads text already worded for speech (problem descriptions), cached for repeats. */
  speak(text: string, options: { title?: string; startedAt: number }): Promise<ReadingResult> {
    return this.read(text, { kind: 'spoken', ...options });
  }

  /** An automatic announcement: waits for the user's own reading, replaces an older queued one, replaces an older announcement. */
  announce(text: string): void {
    this.parts.playback.announce(() => void this.read(text, { kind: 'spoken', announcement: true }));
  }

  /** Synthesises spoken text ahead of time into the audio cache (skipped while reading). */
  prefetch(text: string): Promise<number> {
    const { playback, server, reader } = this.parts;
    if (playback.reading || server.state !== 'ready') return Promise.resolve(0);
    return reader.prefetch({ text, params: server.speech, prepare: this.prepareSpoken });
  }

  /** The server changed: whether it times words is asked again. */
  forgetCaptions(): void {
    this.captions = undefined;
  }

  /** Asks the server once whether it times words, when the highlight follows words; until it answers, sentences. */
  probeCaptions(): void {
    const { settings, server, log } = this.parts;
    if (settings.config.highlight !== 'word' || this.captions !== undefined || server.state !== 'ready') return;
    const client = server.client;
    client.supportsCaptions().then(
      (supported) => {
        if (client !== server.client) return;
        this.captions = supported;
        log.info(
          supported
            ? 'The server times words (captioned speech): the highlight follows the word heard.'
            : 'The server does not time words: the highlight follows the sentence heard.',
        );
      },
      (err: unknown) => log.warn(`Could not ask the server whether it times words: ${(err as Error)?.message ?? String(err)}`),
    );
  }
}
