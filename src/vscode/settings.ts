// The vscode side of the settings: raw values in, typed config out (src/config.ts decides),
// writing where a value takes effect, and opening the Settings editor where a setting can be changed.

import * as vscode from 'vscode';
import {
  type ConfigReading,
  SECTION,
  type SettingLocation,
  type SettingSchema,
  parseConfig,
  settingLocation,
  writeTarget,
} from '../config';

type ManifestSetting = SettingSchema & { scope?: string };

function schema(context: vscode.ExtensionContext): Record<string, ManifestSetting> {
  return context.extension.packageJSON?.contributes?.configuration?.properties ?? {};
}

export function readSettings(context: vscode.ExtensionContext): ConfigReading {
  const configuration = vscode.workspace.getConfiguration();
  return parseConfig(schema(context), (key) => configuration.get(key));
}

export function locateSetting(context: vscode.ExtensionContext, key: string): SettingLocation {
  return settingLocation(key, schema(context)[key]?.scope, vscode.env.remoteName);
}

export async function openSetting(context: vscode.ExtensionContext, key: string): Promise<void> {
  const { command, args } = locateSetting(context, key);
  await vscode.commands.executeCommand(command, ...args);
}

const TARGETS = { global: vscode.ConfigurationTarget.Global, workspace: vscode.ConfigurationTarget.Workspace };

/** Writes `kokoro.<name>` where its current value comes from, so a workspace value does not silently override the change. Returns where it went. */
export async function updateSetting(name: string, value: unknown): Promise<vscode.ConfigurationTarget> {
  const configuration = vscode.workspace.getConfiguration(SECTION);
  const target = TARGETS[writeTarget(configuration.inspect(name))];
  await configuration.update(name, value, target);
  return target;
}
