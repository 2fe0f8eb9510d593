// The playback state machine: which reading is being heard, pause, announcements waiting for
// the user's own reading, the latency waterfall of each command, and where a reading goes on after a
// speed or voice change. Written against the reader and player interfaces, so it runs in plain Node.
//
// A reading is "fetching" while the reader still requests its audio, then "playing" until the
// player reports its end: the reader finishes long before the listener does.

import { type ClockEstimate, computeWaterfall, type PlayerMarks, type Waterfall } from '../stats/waterfall';
import type { FirstAudioMarks, ReadingRequest, ReadingResult } from './reader';

/** What playback needs of the reader (the Reader class). */
export interface ReadingSource {
  read(request: ReadingRequest): Promise<ReadingResult>;
  stop(): boolean;
  readonly reading: boolean;
  readonly currentId: number | undefined;
  continuation(readingId: number, samplesPlayed: number): ReadingRequest | undefined;
  continuationAt(readingId: number, segment: number): ReadingRequest | undefined;
}

/** What playback needs of the player beyond the audio it is sent (the PlayerView). */
export interface PlaybackPlayer {
  pause(): void;
  resume(): void;
  abort(readingId: number): void;
  playedSamples(readingId: number): number;
  /** When the first audio of reading `readingId` was posted to the webview (performance.now() ms). */
  firstPostedAt(readingId: number): number | undefined;
  /** The webview's clock relative to ours, when measured. */
  readonly clock: ClockEstimate | undefined;
}

export interface PlaybackEvents {
  /** Whether something is read, or paused, changed (status bar, context keys). */
  changed(): void;
  /** A command's reading became audible: where its time went. */
  audioPlaying(waterfall: Waterfall): void;
  /** Reading `readingId` of `request` started (or continues a text under a new id). */
  readingStarted?(readingId: number, request: ReadingRequest): void;
  /** The sentence numbered `segment` of reading `readingId` (its word number `word`, where words are timed) became audible. */
  heard?(readingId: number, segment: number, word?: number): void;
  /** Nothing is heard any more (the reading ended or was stopped). */
  silent?(): void;
}

export interface PlayOptions {
  /** When the user's command started (performance.now()); undefined for announcements and continuations: nothing is timed. */
  commandStartedAt?: number;
  /** An automatic announcement: waits for the user's own reading instead of interrupting it. */
  announcement?: boolean;
}

interface CommandTimeline {
  commandAt: number;
  firstAudio?: FirstAudioMarks;
}

export class Playback {
  private playingId: number | undefined;
  private pausedValue = false;
  private announcementPlaying = false;
  /** The announcement waiting for the user's reading to end; a newer one replaces it. */
  private waiting: (() => void) | undefined;
  /** The readings of commands not yet audible: when the command started, how their first audio came. */
  private readonly timelines = new Map<number, CommandTimeline>();
  /** The sentence of the reading being heard: the last one the player reported audible, else the reading's first. */
  private segment: number | undefined;

  constructor(
    private readonly reader: ReadingSource,
    private readonly player: PlaybackPlayer,
    private readonly events: PlaybackEvents,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Something is being fetched or heard. */
  get reading(): boolean {
    return this.reader.reading || this.playingId !== undefined;
  }

  get paused(): boolean {
    return this.pausedValue;
  }

  /** The reading being heard (or fetched), if any. */
  get currentId(): number | undefined {
    return this.playingId;
  }

  /** Reads `request`, replacing whatever is read. Resolves when all its audio is fetched (or it failed or stopped). */
  async play(request: ReadingRequest, options: PlayOptions = {}): Promise<ReadingResult> {
    if (!options.announcement) this.waiting = undefined;
    this.announcementPlaying = options.announcement ?? false;
    this.setPaused(false);
    const timeline: CommandTimeline | undefined =
      options.commandStartedAt !== undefined ? { commandAt: options.commandStartedAt } : undefined;
    const fetched = this.reader.read({ ...request, onFirstAudio: timeline && ((marks) => (timeline.firstAudio = marks)) });
    const id = this.reader.currentId;
    if (id !== undefined) {
      this.playingId = id;
      this.segment = request.firstSegment ?? 0;
      if (timeline) this.timelines.set(id, timeline);
      this.events.readingStarted?.(id, request);
    }
    this.events.changed();
    const result = await fetched;
    // Nothing reached the player: nothing will report its end.
    const silent = result.outcome === 'empty' || (result.outcome === 'failed' && result.samples === 0);
    if (silent && this.playingId === result.id) this.forget(result.id);
    this.events.changed();
    return result;
  }

  /**
   * An announcement: started now unless the user's own reading is being heard; then it waits (a
   * newer announcement replaces one waiting) and starts when that reading ends. True when started.
   */
  announce(start: () => void): boolean {
    if (this.reading && !this.announcementPlaying) {
      this.waiting = start;
      return false;
    }
    start();
    return true;
  }

  /** Whether the reading being heard is an announcement. */
  get playingAnnouncement(): boolean {
    return this.announcementPlaying && this.reading;
  }

  /**
   * The rest of reading `readingId` (default: the one being heard) from the sentence under the
   * playhead, to read again with new settings or after a failure. Undefined when it is gone.
   */
  continuation(readingId = this.playingId): ReadingRequest | undefined {
    if (readingId === undefined) return undefined;
    return this.reader.continuation(readingId, this.player.playedSamples(readingId));
  }

  /** The rest of reading `readingId` after its first `samplesPlayed` samples (0: all of it). */
  continuationFrom(readingId: number, samplesPlayed: number): ReadingRequest | undefined {
    return this.reader.continuation(readingId, samplesPlayed);
  }

  /** The number of the sentence being heard (see ReadingRequest.firstSegment), while something is read. */
  get currentSegment(): number | undefined {
    return this.playingId === undefined ? undefined : this.segment;
  }

  /**
   * The reading being heard, from sentence number `segment` on: to skip or repeat. Undefined when
   * nothing is read or the text has no such sentence.
   */
  continuationAt(segment: number): ReadingRequest | undefined {
    if (this.playingId === undefined || segment < 0) return undefined;
    return this.reader.continuationAt(this.playingId, segment);
  }

  /** The player made sentence `segment` (its word `word`) of reading `readingId` audible. */
  playerHeard(readingId: number, segment: number, word?: number): void {
    if (readingId !== this.playingId) return;
    this.segment = segment;
    this.events.heard?.(readingId, segment, word);
  }

  stop(): boolean {
    this.waiting = undefined;
    const wasFetching = this.reader.stop();
    const playing = this.playingId;
    if (!wasFetching && playing !== undefined) this.player.abort(playing);
    if (playing !== undefined) this.forget(playing);
    this.setPaused(false);
    this.events.changed();
    return wasFetching || playing !== undefined;
  }

  togglePause(): void {
    if (this.reading) this.setPaused(!this.pausedValue);
  }

  pause(): void {
    if (this.reading) this.setPaused(true);
  }

  resume(): void {
    this.setPaused(false);
  }

  /** The player made reading `readingId` audible, as `marks` (webview clock) say. */
  playerStarted(readingId: number, marks: PlayerMarks): void {
    const reportedAt = this.now();
    const timeline = this.timelines.get(readingId);
    this.timelines.delete(readingId);
    const postedAt = this.player.firstPostedAt(readingId);
    if (timeline?.firstAudio && postedAt !== undefined) {
      const { firstAudio } = timeline;
      const waterfall = computeWaterfall(
        readingId,
        { ...firstAudio, commandAt: timeline.commandAt, postedAt, reportedAt },
        marks,
        this.player.clock,
      );
      this.events.audioPlaying(waterfall);
    }
    this.events.changed();
  }

  /** The player finished (or dropped) reading `readingId`: an announcement waiting may start. */
  playerEnded(readingId: number): void {
    this.timelines.delete(readingId);
    if (this.playingId !== readingId) return;
    this.forget(readingId);
    this.setPaused(false);
    this.events.changed();
    const waiting = this.waiting;
    this.waiting = undefined;
    if (waiting && !this.reading) waiting();
  }

  private forget(readingId: number): void {
    this.timelines.delete(readingId);
    this.playingId = undefined;
    this.segment = undefined;
    this.announcementPlaying = false;
    this.events.silent?.();
  }

  private setPaused(paused: boolean): void {
    if (paused === this.pausedValue) return;
    this.pausedValue = paused;
    if (paused) this.player.pause();
    else this.player.resume();
    this.events.changed();
  }
}
