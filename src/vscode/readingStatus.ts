// Everything that shows whether something is read and by what: the status bar, the `when`-clause
// context keys, the note in the player (stand-in, fallback voice) and the stats view.

import * as vscode from 'vscode';
import { standInNote } from '../kokoro/client';
import type { ServerConnection } from '../kokoro/connection';
import type { PlayerView } from '../player/playerView';
import type { Playback } from '../speech/playback';
import type { Readings } from '../speech/readings';
import type { StatsView } from '../stats/statsView';
import type { StatusBar } from '../stats/statusBar';
import type { FallbackVoices } from './fallbackVoices';

export interface ReadingStatusParts {
  statusBar: StatusBar;
  statsView: StatsView;
  player: PlayerView;
  server: ServerConnection;
  playback: Playback;
  readings: Readings;
  fallbackVoices: FallbackVoices;
  voice: () => string;
}

/** Speech requests and how many of them opened a connection (connection reuse). */
export function speechCounters(server: ServerConnection): { requests: number; connectionsOpened: number } {
  return { requests: server.client.speechRequests, connectionsOpened: server.client.speechOnNewConnection };
}

export class ReadingStatus {
  private readonly contextKeys = new Map<string, boolean>();
  /** The note last shown in the player: the stand-in's, the fallback voice's, or '' for Kokoro. */
  private playerNote: string | undefined;

  constructor(private readonly parts: ReadingStatusParts) {}

  refresh(): void {
    const { statusBar, statsView, player, server, playback, readings, fallbackVoices } = this.parts;
    const reading = playback.reading;
    this.setContext('kokoro.reading', reading);
    this.setContext('kokoro.paused', playback.paused);
    const fallbackReading = readings.fallbackReading;
    statusBar.update({
      state: server.state,
      speaking: reading,
      serverUrl: server.client.url,
      voice: this.parts.voice(),
      error: server.lastError?.message,
      standIn: server.client.standIn,
      fallback: { speaking: fallbackReading, why: fallbackVoices.choice.why },
      firstServerDown: server.serverIndex > 0 ? server.serverUrls[0] : undefined,
      ...speechCounters(server),
    });
    const standIn = server.client.standIn ?? '';
    const note = fallbackReading ? fallbackVoices.note : standIn && standInNote(standIn);
    if (note !== this.playerNote) {
      this.playerNote = note;
      player.setServerNote(note);
    }
    statsView.refresh();
  }

  /** The player page was (re)loaded: it shows no note until told again. */
  playerReloaded(): void {
    this.playerNote = undefined;
    this.refresh();
  }

  /** Sets a `when`-clause key, only when its value changes (each is a message to the workbench). */
  private setContext(key: string, value: boolean): void {
    if (this.contextKeys.get(key) === value) return;
    this.contextKeys.set(key, value);
    void vscode.commands.executeCommand('setContext', key, value);
  }
}
