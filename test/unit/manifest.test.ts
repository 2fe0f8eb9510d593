import * as assert from 'node:assert/strict';
import { SPEED } from '../../src/player/messages';
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import * as path from 'node:path';

const root = path.join(__dirname, '..', '..', '..');
const manifest = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
const contributes = manifest.contributes;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : [],
  );
}

describe('package.json manifest', () => {
  it("no default keybinding clashes with one of VS Code's own defaults", () => {
    const defaults = new Set(
      readFileSync(path.join(root, 'test', 'fixtures', 'vscode-default-keys.txt'), 'utf8')
        .split('\n')
        .filter((l) => l && !l.startsWith('#')),
    );
    assert.ok(defaults.size > 300, "the fixture lists VS Code's defaults");
    assert.ok(defaults.has('f8'), 'sanity: F8 is a VS Code default');
    for (const binding of contributes.keybindings) {
      for (const key of [binding.key, binding.mac].filter(Boolean))
        assert.ok(!defaults.has(key), `${binding.command}: ${key} is already a VS Code default`);
    }
  });

  it('every contributed command is registered by the extension, and every registered one is contributed', () => {
    const source = sourceFiles(path.join(root, 'src'))
      .map((f) => readFileSync(f, 'utf8'))
      .join('\n');
    const registered = new Set([...source.matchAll(/'(kokoro\.[A-Za-z]+)':\s/g)].map((m) => m[1]));
    const contributed = new Set<string>(contributes.commands.map((c: { command: string }) => c.command));
    assert.deepEqual(
      [...contributed].filter((c) => !registered.has(c)),
      [],
      'contributed but not registered',
    );
    assert.deepEqual(
      [...registered].filter((c) => !contributed.has(c)),
      [],
      'registered but not contributed',
    );
    for (const c of contributes.commands) assert.equal(c.category, 'Kokoro', `${c.command} has the Kokoro category`);
  });

  it('settings that decide where code goes cannot come from a workspace', () => {
    const props = contributes.configuration.properties;
    for (const key of ['kokoro.serverUrl', 'kokoro.serverUrls', 'kokoro.extraRequestFields']) {
      assert.ok(['machine', 'application'].includes(props[key].scope), `${key} scope is ${props[key].scope}`);
      assert.ok(
        manifest.capabilities.untrustedWorkspaces.restrictedConfigurations.includes(key),
        `${key} is restricted in untrusted workspaces`,
      );
    }
  });

  it('the .vsix ships only what runs: the two bundles, the player style, the manifest and code strings, and the docs', function () {
    this.timeout(30_000);
    const vsce = path.join(root, 'node_modules', '@vscode', 'vsce', 'vsce');
    const run = spawnSync(process.execPath, [vsce, 'ls', '--no-dependencies'], { cwd: root, encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    const files = run.stdout
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean)
      .sort();
    assert.deepEqual(files, [
      'CHANGELOG.md',
      'LICENSE',
      'README.md',
      'dist/extension.js',
      'dist/player.js',
      'l10n/bundle.l10n.json',
      'media/player.css',
      'package.json',
      'package.nls.json',
    ]);
  });

  it("the speed range is one: the setting, the player's slider and the messages it may send agree", () => {
    const speed = manifest.contributes.configuration.properties['kokoro.speed'];
    assert.deepEqual([speed.minimum, speed.maximum], [SPEED.min, SPEED.max]);
    assert.ok(Number.isInteger((SPEED.max - SPEED.min) / SPEED.step), 'the slider reaches both ends in steps');
  });

  it('names its repository, so `vsce package` never stops to ask about it', () => {
    assert.match(manifest.repository?.url ?? '', /^https:\/\/github\.com\/[\w.-]+\/[\w.-]+(\.git)?$/);
    assert.ok(manifest.bugs?.url && manifest.homepage, 'bugs and homepage are set');
  });

  it('ships two production dependencies, undici and @vscode/l10n, pinned to exact versions and bundled into dist/extension.js', () => {
    assert.deepEqual(Object.keys(manifest.dependencies).sort(), ['@vscode/l10n', 'undici']);
    const bundle = readFileSync(path.join(root, 'dist', 'extension.js'), 'utf8');
    for (const [name, version] of Object.entries<string>(manifest.dependencies)) {
      assert.match(version, /^\d+\.\d+\.\d+$/, `${name}: an exact version: what was reviewed is what ships`);
      const required = new RegExp(`require\\(["']${name.replace(/[/.]/g, '\\$&')}["']\\)`);
      assert.ok(!required.test(bundle), `${name} is inside the bundle, not loaded from node_modules`);
    }
  });
});
