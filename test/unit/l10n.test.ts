import * as assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import * as l10n from '@vscode/l10n';
import { getL10nJson } from '@vscode/l10n-dev';
import { networkError } from '../../src/kokoro/errors';
import { metricHeading } from '../../src/stats/latency';

const root = path.join(__dirname, '..', '..', '..');

function typeScriptFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts'))
    .map((f) => path.join(dir, f));
}

describe('translations', () => {
  it('l10n/bundle.l10n.json holds every message passed to l10n.t in src and media, and nothing else (npm run l10n)', async function () {
    this.timeout(60_000);
    const files = [...typeScriptFiles(path.join(root, 'src')), ...typeScriptFiles(path.join(root, 'media'))];
    const extracted = await getL10nJson(files.map((file) => ({ contents: readFileSync(file, 'utf8'), extension: path.extname(file) })));
    const committed = JSON.parse(readFileSync(path.join(root, 'l10n', 'bundle.l10n.json'), 'utf8'));
    assert.deepEqual(Object.keys(committed).sort(), Object.keys(extracted).sort(), 'run `npm run l10n` and commit l10n/bundle.l10n.json');
    assert.deepEqual(committed, extracted);
  });

  it('the modules that do not import vscode translate through the bundle loaded at activation', () => {
    try {
      l10n.config({
        contents: {
          'Time to first byte (ms)': 'Zeit bis zum ersten Byte (ms)',
          'The network cannot reach {0}.': 'Das Netz erreicht {0} nicht.',
        },
      });
      assert.equal(metricHeading('firstByteMs'), 'Zeit bis zum ersten Byte (ms)');
      assert.equal(networkError({ code: 'ENETUNREACH' }, 'http://tts:8880').message, 'Das Netz erreicht http://tts:8880 nicht.');
    } finally {
      l10n.config({ contents: {} });
    }
    assert.equal(metricHeading('firstByteMs'), 'Time to first byte (ms)');
  });
});
