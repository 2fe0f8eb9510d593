import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { SETTING_KEYS, type SettingSchema, parseConfig, serverSettings, settingLocation, writeTarget } from '../../src/config';
import { parseServerUrl } from '../../src/kokoro/serverUrl';

const root = path.join(__dirname, '..', '..', '..');
const manifest = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
const schema: Record<
  string,
  SettingSchema & { scope?: string; pattern?: string; patternErrorMessage?: string; items?: { pattern?: string } }
> = manifest.contributes.configuration.properties;

/** Reads the config from these raw values (full keys); every other setting is unset. */
const read = (values: Record<string, unknown> = {}) => parseConfig(schema, (key) => values[key]);

describe('settings', () => {
  it('every setting in package.json is read into the config, and every config field is a setting there', () => {
    const read = Object.values(SETTING_KEYS)
      .map((name) => `kokoro.${name}`)
      .sort();
    assert.deepEqual(read, Object.keys(schema).sort());
  });

  it("unset settings take package.json's defaults, with no problem", () => {
    const { config, problems } = read();
    assert.deepEqual(problems, []);
    for (const [field, name] of Object.entries(SETTING_KEYS))
      assert.deepEqual(config[field as keyof typeof config], schema[`kokoro.${name}`].default, field);
  });

  it('the defaults in package.json fit their own declared types, ranges and enums', () => {
    // Each default, given as a user value, is accepted as is.
    const values = Object.fromEntries(Object.entries(schema).map(([key, s]) => [key, s.default]));
    assert.deepEqual(read(values).problems, []);
  });

  it("numbers are checked against package.json's minimum and maximum: the ends are kept, beyond them is the default with a problem", () => {
    for (const [field, name] of Object.entries(SETTING_KEYS)) {
      const key = `kokoro.${name}`;
      const { minimum, maximum, default: fallback } = schema[key];
      if (minimum === undefined && maximum === undefined) continue;
      assert.ok(minimum !== undefined && maximum !== undefined, `${key} declares both ends of its range`);
      for (const inside of [minimum, maximum]) {
        const { config, problems } = read({ [key]: inside });
        assert.deepEqual(problems, [], `${key} = ${inside}`);
        assert.equal(config[field as keyof typeof config], inside);
      }
      const step = schema[key].type === 'integer' ? 1 : 0.01;
      for (const outside of [minimum - step, maximum + step]) {
        const { config, problems } = read({ [key]: outside });
        assert.equal(config[field as keyof typeof config], fallback, `${key} = ${outside}`);
        assert.equal(problems.length, 1);
        assert.equal(problems[0].key, key);
        assert.ok(problems[0].message.includes(key) && problems[0].message.includes(String(outside)), problems[0].message);
      }
    }
  });

  it('a value of the wrong type falls back to the default with one problem naming the setting and the value, never a throw', () => {
    const cases: [string, unknown][] = [
      ['kokoro.speed', '1.5'],
      ['kokoro.speed', null],
      ['kokoro.speed', Number.NaN],
      ['kokoro.connections', 2.5],
      ['kokoro.connections', '4'],
      ['kokoro.warmUpOnStartup', 'false'],
      ['kokoro.voice', 42],
      ['kokoro.voice', '   '],
      ['kokoro.model', ['kokoro']],
      ['kokoro.extraRequestFields', '{"use_gpu": true}'],
      ['kokoro.extraRequestFields', [1, 2]],
      ['kokoro.extraRequestFields', null],
      ['kokoro.pronunciations', 'kubectl=cube control'],
      ['kokoro.punctuation', 'most'],
      ['kokoro.punctuation', 2],
      ['kokoro.announceDiagnostics', 'always'],
      ['kokoro.announceMinSeverity', 'Error'],
      ['kokoro.serverUrl', 8880],
      ['kokoro.serverUrls', 'http://cpu-laptop:8880'],
      ['kokoro.timeouts.healthMs', {}],
    ];
    for (const [key, value] of cases) {
      const { config, problems } = read({ [key]: value });
      const field = Object.entries(SETTING_KEYS).find(([, name]) => `kokoro.${name}` === key)![0];
      assert.deepEqual(config[field as keyof typeof config], schema[key].default, `${key} = ${JSON.stringify(value)}`);
      assert.equal(problems.length, 1, `${key} = ${JSON.stringify(value)}: ${JSON.stringify(problems)}`);
      assert.equal(problems[0].key, key);
      assert.match(problems[0].message, new RegExp(`^${key.replace(/\./g, '\\.')} is .*: the default .* is used\\.$`));
      assert.ok(problems[0].message.includes(String(JSON.stringify(value) ?? value)), problems[0].message);
    }
  });

  it('several bad values give one problem each, and the good ones are kept', () => {
    const { config, problems } = read({
      'kokoro.speed': 9,
      'kokoro.punctuation': 'loud',
      'kokoro.voice': ' bf_emma ',
      'kokoro.extraRequestFields': { use_gpu: true },
    });
    assert.deepEqual(
      problems.map((p) => p.key),
      ['kokoro.speed', 'kokoro.punctuation'],
    );
    assert.equal(config.voice, 'bf_emma');
    assert.deepEqual(config.extraRequestFields, { use_gpu: true });
  });

  it('pronunciations keep the usable entries and name each one left out', () => {
    const { config, problems } = read({ 'kokoro.pronunciations': { kubectl: ' cube control ', nginx: 42, '  ': 'nothing', k8s: '' } });
    assert.deepEqual(config.pronunciations, { kubectl: 'cube control' });
    assert.equal(problems.length, 3);
    for (const p of problems) assert.equal(p.key, 'kokoro.pronunciations');
    assert.match(problems[0].message, /\{"nginx":42\} is left out/);
    assert.deepEqual(read({}).config.pronunciations, {});
  });

  it('the enum settings accept exactly the values package.json lists', () => {
    for (const key of ['kokoro.punctuation', 'kokoro.announceDiagnostics', 'kokoro.announceMinSeverity']) {
      for (const value of schema[key].enum!) assert.deepEqual(read({ [key]: value }).problems, [], `${key} = ${value}`);
    }
  });
});

describe('kokoro.serverUrl', () => {
  const usable: [string, string][] = [
    ['http://localhost:8880', 'http://localhost:8880'],
    ['localhost:8880', 'http://localhost:8880'],
    [' http://gpu-box:8880/ ', 'http://gpu-box:8880'],
    ['gpu-box:8880/v1', 'http://gpu-box:8880'],
    ['http://gpu-box:8880/v1/audio/speech', 'http://gpu-box:8880'],
    ['http://localhost:8880/web/', 'http://localhost:8880'],
    ['http://localhost:8880/docs', 'http://localhost:8880'],
    ['localhost:3000/api/', 'http://localhost:3000/api'],
    ['http://localhost:3000/api/v1/', 'http://localhost:3000/api'],
    ['https://tts.example.com/kokoro/V1', 'https://tts.example.com/kokoro'],
    ['https://tts.example.com', 'https://tts.example.com'],
    ['HTTPS://TTS.example.com:443/', 'https://tts.example.com'],
    ['127.0.0.1:8880', 'http://127.0.0.1:8880'],
    ['[::1]:8880', 'http://[::1]:8880'],
    ['localhost', 'http://localhost'],
  ];
  const unusable = [
    'ftp://x',
    'http://',
    ':::',
    'file:///tmp/x',
    'http://local host:8880',
    'http://user:secret@gpu-box:8880',
    'http://gpu-box:8880/?key=1',
    'localhost:port',
    'ws://localhost:8880',
  ];

  it('host:port means http://host:port; spaces, trailing slashes and a copied route (/v1, /v1/audio/speech, /web, /docs) go; a path prefix stays', () => {
    for (const [typed, url] of usable) {
      assert.deepEqual(parseServerUrl(typed), { ok: true, url }, typed);
      const { config, problems } = read({ 'kokoro.serverUrl': typed });
      assert.equal(config.serverUrl, url, typed);
      assert.deepEqual(problems, []);
    }
  });

  it('a URL that cannot be used is kept as typed (nothing is sent to another server) and reported with why', () => {
    for (const typed of unusable) {
      const parsed = parseServerUrl(typed);
      assert.equal(parsed.ok, false, typed);
      const { config, problems } = read({ 'kokoro.serverUrl': typed });
      assert.equal(config.serverUrl, typed.trim());
      assert.equal(problems.length, 1);
      assert.match(problems[0].message, /^kokoro\.serverUrl ".*" cannot be used: .+\.$/);
    }
    assert.match((parseServerUrl('ftp://x') as { reason: string }).reason, /ftp: is not supported: use http:\/\/ or https:\/\//);
  });

  it('an empty URL means the default, with a problem', () => {
    const { config, problems } = read({ 'kokoro.serverUrl': '  ' });
    assert.equal(config.serverUrl, 'http://localhost:8880');
    assert.deepEqual(
      problems.map((p) => p.key),
      ['kokoro.serverUrl'],
    );
  });

  it('kokoro.serverUrls: the fallbacks are made exact the same way; an entry that cannot be used is left out with why', () => {
    const { config, problems } = read({ 'kokoro.serverUrls': [' localhost:8880/ ', 'ftp://x', 42, 'https://gpu-box:8880'] });
    assert.deepEqual(config.serverUrls, ['http://localhost:8880', 'https://gpu-box:8880']);
    assert.deepEqual(
      problems.map((p) => p.key),
      ['kokoro.serverUrls', 'kokoro.serverUrls'],
    );
    assert.equal(problems[0].message, 'kokoro.serverUrls: "ftp://x" is left out: ftp: is not supported: use http:// or https://.');
    assert.equal(problems[1].message, 'kokoro.serverUrls: 42 is left out: not text.');
    assert.deepEqual(serverSettings(config, undefined).fallbackUrls, ['http://localhost:8880', 'https://gpu-box:8880']);
  });

  it("the Settings editor's pattern in package.json accepts what the extension can use and flags what it cannot", () => {
    assert.equal(schema['kokoro.serverUrls'].items?.pattern, schema['kokoro.serverUrl'].pattern, 'each fallback is checked alike');
    const { pattern } = schema['kokoro.serverUrl'];
    assert.ok(pattern && schema['kokoro.serverUrl'].patternErrorMessage, 'pattern and patternErrorMessage are declared');
    // VS Code compiles it with the u flag in current versions, without in older ones.
    for (const flags of ['', 'u']) {
      const re = new RegExp(pattern!, flags);
      for (const [typed] of usable) assert.ok(re.test(typed), `${typed} matches (${flags})`);
      for (const typed of unusable) assert.ok(!re.test(typed), `${typed} is flagged (${flags})`);
      assert.ok(re.test(schema['kokoro.serverUrl'].default as string));
    }
  });
});

describe('where settings are written and found', () => {
  it('a change goes where the value is set now: the workspace when it overrides the user value, else the user settings', () => {
    assert.equal(writeTarget(undefined), 'global');
    assert.equal(writeTarget({}), 'global');
    assert.equal(writeTarget({ globalValue: 1.5 }), 'global');
    assert.equal(writeTarget({ workspaceValue: 2 }), 'workspace');
    assert.equal(writeTarget({ globalValue: 1.5, workspaceValue: 2 }), 'workspace');
  });

  it('a machine-scoped setting of a remote window opens in the Remote settings; the rest in the User settings', () => {
    const remote = settingLocation('kokoro.serverUrl', 'machine', 'ssh-remote');
    assert.equal(remote.command, 'workbench.action.openRemoteSettings');
    assert.deepEqual(remote.args, [{ query: 'kokoro.serverUrl' }]);
    assert.match(remote.place, /Remote tab/);
    for (const [scope, remoteName] of [
      ['machine', undefined],
      [undefined, 'ssh-remote'],
      ['window', 'wsl'],
    ] as const) {
      const local = settingLocation('kokoro.x', scope, remoteName);
      assert.equal(local.command, 'workbench.action.openSettings');
      assert.deepEqual(local.args, ['kokoro.x']);
      assert.match(local.place, /User settings/);
    }
  });

  it('every machine-scoped setting is one a remote window must open in the Remote settings', () => {
    const machine = Object.keys(schema).filter((key) => schema[key].scope === 'machine');
    assert.deepEqual(machine.sort(), ['kokoro.connections', 'kokoro.extraRequestFields', 'kokoro.serverUrl', 'kokoro.serverUrls']);
  });
});
