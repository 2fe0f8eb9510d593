// The one typed view of the extension's settings, read from raw values by the rules the
// manifest declares (type, default, range, enum): a bad value falls back to its default
// and becomes a problem to tell the user about, never an exception.

import * as l10n from '@vscode/l10n';
import type { AnnounceMode } from './diagnostics/announcer';
import type { Severity } from './diagnostics/wording';
import type { ServerSettings } from './kokoro/connection';
import { invalidServerUrlMessage, parseServerUrl } from './kokoro/serverUrl';
import type { FallbackSetting } from './fallback/choice';
import type { PunctuationLevel } from './speech/speakable';

export interface KokoroConfig {
  /** Normalised (`http://host:port`, no trailing slash); a value that cannot be used is kept as typed and reported. */
  serverUrl: string;
  /** Fallback servers in order, normalised like serverUrl; entries that cannot be used are left out (with a problem). */
  serverUrls: string[];
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
  /** Term → how to say it; entries that are not text are left out (with a problem). */
  pronunciations: Record<string, string>;
  /** What of the text being read is highlighted in the editor. */
  highlight: 'sentence' | 'word' | 'off';
  /** What reads while the Kokoro server is down. */
  fallbackVoice: FallbackSetting;
  /** Announce a terminal command that ran a while when it finishes. */
  announceCommandFinished: boolean;
  quietStatusBar: boolean;
  announceDiagnostics: AnnounceMode;
  announceMinSeverity: Severity;
  announceDelayMs: number;
}

export const SECTION = 'kokoro';

/** The setting (under `kokoro.`) behind each field of the config. */
export const SETTING_KEYS = {
  serverUrl: 'serverUrl',
  serverUrls: 'serverUrls',
  voice: 'voice',
  speed: 'speed',
  model: 'model',
  connections: 'connections',
  warmUpOnStartup: 'warmUpOnStartup',
  preparePlayerOnStartup: 'preparePlayerOnStartup',
  keepConnectionsWarm: 'keepConnectionsWarm',
  healthTimeoutMs: 'timeouts.healthMs',
  firstByteTimeoutMs: 'timeouts.firstByteMs',
  streamTimeoutMs: 'timeouts.streamMs',
  extraRequestFields: 'extraRequestFields',
  punctuation: 'punctuation',
  pronunciations: 'pronunciations',
  highlight: 'highlight',
  fallbackVoice: 'fallbackVoice',
  announceCommandFinished: 'announceCommandFinished',
  quietStatusBar: 'quietStatusBar',
  announceDiagnostics: 'announceDiagnostics',
  announceMinSeverity: 'announceMinSeverity',
  announceDelayMs: 'announceDelayMs',
} as const satisfies Record<keyof KokoroConfig, string>;

/** A setting's declaration in package.json `contributes.configuration.properties`. */
export interface SettingSchema {
  type?: string;
  default?: unknown;
  minimum?: number;
  maximum?: number;
  enum?: readonly unknown[];
}

export interface SettingProblem {
  /** The full key, e.g. `kokoro.speed`. */
  key: string;
  value: unknown;
  message: string;
}

export interface ConfigReading {
  config: KokoroConfig;
  problems: SettingProblem[];
}

/** Why a value is not of the setting's type (a function: messages are looked up once the bundle is loaded). */
function notOfType(type: string | undefined): string {
  switch (type) {
    case 'number':
      return l10n.t('not a number');
    case 'integer':
      return l10n.t('not a whole number');
    case 'boolean':
      return l10n.t('not true or false');
    case 'string':
      return l10n.t('not text');
    case 'array':
      return l10n.t('not a list');
    default:
      return l10n.t('not an object of fields');
  }
}

function show(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 59)}…` : text;
}

/** Why `value` does not fit `schema`, or undefined when it does. */
function misfit(value: unknown, schema: SettingSchema): string | undefined {
  switch (schema.type) {
    case 'number':
    case 'integer':
      if (typeof value !== 'number' || !Number.isFinite(value) || (schema.type === 'integer' && !Number.isInteger(value)))
        return notOfType(schema.type);
      if ((schema.minimum !== undefined && value < schema.minimum) || (schema.maximum !== undefined && value > schema.maximum))
        return l10n.t('outside {0}–{1}', schema.minimum ?? '−∞', schema.maximum ?? '∞');
      return undefined;
    case 'boolean':
      return typeof value === 'boolean' ? undefined : notOfType(schema.type);
    case 'string':
      if (typeof value !== 'string') return notOfType(schema.type);
      if (schema.enum && !schema.enum.includes(value)) return l10n.t('not one of {0}', schema.enum.join(', '));
      return value.trim() ? undefined : l10n.t('empty');
    case 'object':
      return typeof value === 'object' && value !== null && !Array.isArray(value) ? undefined : notOfType(schema.type);
    case 'array':
      return Array.isArray(value) ? undefined : notOfType(schema.type);
    default:
      return undefined;
  }
}

/**
 * Reads the configuration from raw values (`get` takes a full key such as `kokoro.speed`; undefined
 * means unset) by the rules of `schema` (the manifest's configuration properties).
 */
export function parseConfig(schema: Readonly<Record<string, SettingSchema>>, get: (key: string) => unknown): ConfigReading {
  const problems: SettingProblem[] = [];
  const values: Record<string, unknown> = {};
  for (const [field, name] of Object.entries(SETTING_KEYS)) {
    const key = `${SECTION}.${name}`;
    const spec = schema[key] ?? {};
    const raw = get(key);
    let value = raw === undefined ? spec.default : raw;
    const why = misfit(value, spec);
    if (why) {
      problems.push({
        key,
        value: raw,
        message: l10n.t('{0} is {1}, {2}: the default {3} is used.', key, show(raw), why, show(spec.default)),
      });
      value = spec.default;
    }
    values[field] = typeof value === 'string' ? value.trim() : value;
  }
  const config = values as unknown as KokoroConfig;
  config.pronunciations = usablePronunciations(config.pronunciations, problems);
  config.serverUrls = usableServerUrls(config.serverUrls, problems);
  const url = parseServerUrl(config.serverUrl);
  if (url.ok) config.serverUrl = url.url;
  else
    problems.push({
      key: `${SECTION}.${SETTING_KEYS.serverUrl}`,
      value: config.serverUrl,
      message: invalidServerUrlMessage(config.serverUrl, url.reason),
    });
  return { config, problems };
}

/** The entries of `kokoro.serverUrls` that can be used, made exact like kokoro.serverUrl; each other one is a problem. */
function usableServerUrls(raw: unknown[], problems: SettingProblem[]): string[] {
  const key = `${SECTION}.${SETTING_KEYS.serverUrls}`;
  const usable: string[] = [];
  for (const entry of raw) {
    const parsed = typeof entry === 'string' ? parseServerUrl(entry) : { ok: false as const, reason: notOfType('string') };
    if (parsed.ok) usable.push(parsed.url);
    else problems.push({ key, value: entry, message: l10n.t('{0}: {1} is left out: {2}.', key, show(entry), parsed.reason) });
  }
  return usable;
}

/** The entries of `kokoro.pronunciations` that can be used: a term with text to say instead; each other one is a problem. */
function usablePronunciations(raw: Record<string, unknown>, problems: SettingProblem[]): Record<string, string> {
  const key = `${SECTION}.${SETTING_KEYS.pronunciations}`;
  const usable: Record<string, string> = {};
  for (const [term, spoken] of Object.entries(raw)) {
    if (term.trim() && typeof spoken === 'string' && spoken.trim()) usable[term] = spoken.trim();
    else
      problems.push({
        key,
        value: { [term]: spoken },
        message: l10n.t('{0}: {1} is left out: a pronunciation needs a word and the text to say instead.', key, show({ [term]: spoken })),
      });
  }
  return usable;
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
    fallbackUrls: config.serverUrls,
    speech: { model: config.model, voice: config.voice, speed: config.speed, extraFields: config.extraRequestFields },
    warmUp: config.warmUpOnStartup,
    keepWarmMs: config.keepConnectionsWarm ? undefined : 0,
  };
}

/** Where the extension writes a setting (it reads the window's configuration, not a folder's). */
export type WriteTarget = 'global' | 'workspace';

/** The fields of a `WorkspaceConfiguration.inspect()` result that tell where a value is set. */
export interface SettingInspection {
  globalValue?: unknown;
  workspaceValue?: unknown;
}

/** Where a change must be written to take effect: in the workspace when it sets the value (a user value would be overridden), else in the user settings. */
export function writeTarget(inspection: SettingInspection | undefined): WriteTarget {
  return inspection?.workspaceValue !== undefined ? 'workspace' : 'global';
}

export interface SettingLocation {
  /** Where the user finds it, for messages. */
  place: string;
  command: string;
  args: unknown[];
}

/**
 * How to open the Settings editor where `key` can be changed. A machine-scoped setting of a
 * remote window (Remote-SSH, WSL, Codespaces, code-server) lives in the Remote settings: the
 * User tab shows "No Settings Found" for it.
 */
export function settingLocation(key: string, scope: string | undefined, remoteName: string | undefined): SettingLocation {
  if (remoteName && scope === 'machine')
    return {
      place: l10n.t('the Remote tab of the Settings editor'),
      command: 'workbench.action.openRemoteSettings',
      args: [{ query: key }],
    };
  return { place: l10n.t('your User settings'), command: 'workbench.action.openSettings', args: [key] };
}
