// The one typed view of the extension's settings.

import * as vscode from 'vscode';
import type { AnnounceMode } from './diagnostics/announcer';
import type { Severity } from './diagnostics/wording';
import type { ServerSettings } from './kokoro/server';
import type { PunctuationLevel } from './speech/speakable';

export interface KokoroConfig {
  serverUrl: string;
  voice: string;
  speed: number;
  model: string;
  connections: number;
  warmUpOnStartup: boolean;
  preparePlayerOnStartup: boolean;
  keepConnectionsWarm: boolean;
  healthTimeoutMs: number;
  firstByteTimeoutMs: number;
  streamTimeoutMs: number;
  extraRequestFields: Record<string, unknown>;
  punctuation: PunctuationLevel;
  quietStatusBar: boolean;
  announceDiagnostics: AnnounceMode;
  announceMinSeverity: Severity;
  announceDelayMs: number;
}

export const SECTION = 'kokoro';

const clamp = (value: number, min: number, max: number, fallback: number) =>
  Number.isFinite(value) ? Math.min(max, Math.max(min, value)) : fallback;

function oneOf<T extends string>(value: unknown, allowed: readonly T[], fallback: T): T {
  return allowed.includes(value as T) ? (value as T) : fallback;
}

export function readConfig(): KokoroConfig {
  const c = vscode.workspace.getConfiguration(SECTION);
  const extra = c.get<unknown>('extraRequestFields');
  return {
    serverUrl: (c.get<string>('serverUrl') || 'http://localhost:8880').trim(),
    voice: (c.get<string>('voice') || 'af_heart').trim(),
    speed: clamp(Number(c.get('speed')), 0.25, 4, 1),
    model: (c.get<string>('model') || 'kokoro').trim(),
    connections: Math.round(clamp(Number(c.get('connections')), 1, 16, 2)),
    warmUpOnStartup: c.get<boolean>('warmUpOnStartup') ?? true,
    preparePlayerOnStartup: c.get<boolean>('preparePlayerOnStartup') ?? false,
    keepConnectionsWarm: c.get<boolean>('keepConnectionsWarm') ?? true,
    healthTimeoutMs: clamp(Number(c.get('timeouts.healthMs')), 50, 60_000, 500),
    firstByteTimeoutMs: clamp(Number(c.get('timeouts.firstByteMs')), 100, 600_000, 15_000),
    streamTimeoutMs: clamp(Number(c.get('timeouts.streamMs')), 100, 600_000, 10_000),
    extraRequestFields: typeof extra === 'object' && extra !== null && !Array.isArray(extra) ? (extra as Record<string, unknown>) : {},
    punctuation: oneOf(c.get('punctuation'), ['none', 'some', 'all'] as const, 'some'),
    quietStatusBar: c.get<boolean>('quietStatusBar') ?? false,
    announceDiagnostics: oneOf(c.get('announceDiagnostics'), ['off', 'cursor', 'newErrors'] as const, 'off'),
    announceMinSeverity: oneOf(c.get('announceMinSeverity'), ['error', 'warning', 'information', 'hint'] as const, 'error'),
    announceDelayMs: clamp(Number(c.get('announceDelayMs')), 100, 5000, 600),
  };
}

export function serverSettings(config: KokoroConfig, apiKey: string | undefined): ServerSettings {
  return {
    client: {
      serverUrl: config.serverUrl,
      connections: config.connections,
      apiKey,
      healthTimeoutMs: config.healthTimeoutMs,
      firstByteTimeoutMs: config.firstByteTimeoutMs,
      streamTimeoutMs: config.streamTimeoutMs,
    },
    speech: { model: config.model, voice: config.voice, speed: config.speed, extraFields: config.extraRequestFields },
    warmUp: config.warmUpOnStartup,
    keepWarmMs: config.keepConnectionsWarm ? undefined : 0,
  };
}
