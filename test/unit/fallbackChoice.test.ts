import * as assert from 'node:assert/strict';
import { type FallbackEngine, type FallbackSetting, chooseFallback } from '../../src/fallback/choice';

const ESPEAK = '/usr/bin/espeak-ng';
const EVERY_INSTALL = /sudo apt install espeak-ng.*brew install espeak-ng.*https:\/\/github\.com\/espeak-ng\/espeak-ng\/releases/;

describe('fallback voice choice', () => {
  // setting, espeak-ng installed, system voices the player lists → engine
  const table: Array<[FallbackSetting, boolean, number | undefined, FallbackEngine]> = [
    ['auto', true, 3, 'system'],
    ['auto', true, 0, 'espeak'],
    ['auto', true, undefined, 'espeak'],
    ['auto', false, 3, 'system'],
    ['auto', false, 0, 'none'],
    ['auto', false, undefined, 'none'],
    ['espeak', true, 3, 'espeak'],
    ['espeak', true, 0, 'espeak'],
    ['espeak', true, undefined, 'espeak'],
    ['espeak', false, 3, 'none'],
    ['espeak', false, 0, 'none'],
    ['espeak', false, undefined, 'none'],
    ['system', true, 3, 'system'],
    ['system', true, 0, 'none'],
    ['system', true, undefined, 'none'],
    ['system', false, 3, 'system'],
    ['system', false, 0, 'none'],
    ['system', false, undefined, 'none'],
    ['off', true, 3, 'none'],
    ['off', true, 0, 'none'],
    ['off', true, undefined, 'none'],
    ['off', false, 3, 'none'],
    ['off', false, 0, 'none'],
    ['off', false, undefined, 'none'],
  ];

  for (const [setting, installed, systemVoices, engine] of table) {
    it(`${setting}, espeak-ng ${installed ? 'installed' : 'missing'}, ${systemVoices ?? 'unknown'} system voices → ${engine}`, () => {
      const choice = chooseFallback({ setting, espeakPath: installed ? ESPEAK : undefined, systemVoices });
      assert.equal(choice.engine, engine);
      assert.ok(choice.why.trim(), 'always says why');
      if (engine === 'espeak') assert.match(choice.why, /espeak-ng \(\/usr\/bin\/espeak-ng\) reads instead/);
      if (engine === 'system') assert.match(choice.why, /system voices reads instead/);
      if (engine !== 'none') return;
      if (setting === 'off') {
        assert.equal(choice.why, 'The fallback voice is off: nothing reads while the Kokoro server is down.');
        return;
      }
      // Nothing can read: the user is told what to install, unless espeak-ng is there and only needs choosing.
      const toldToInstall = EVERY_INSTALL.test(choice.why);
      if (setting === 'system' && systemVoices === 0) {
        assert.match(choice.why, /browser engine offers the player no system voices \(VS Code on the Linux desktop lists none\)/);
        assert.match(choice.why, installed ? /espeak-ng is installed: choose it/ : /Choose espeak-ng as the fallback voice instead/);
        assert.equal(toldToInstall, !installed);
      } else if (setting === 'system') {
        assert.equal(choice.why, 'No fallback voice yet: the player has not listed its system voices.');
      } else {
        assert.ok(toldToInstall, choice.why);
        assert.match(choice.why, /espeak-ng is not installed/);
      }
    });
  }

  it('tells each platform how to install espeak-ng when a platform is given', () => {
    const why = (platform: NodeJS.Platform) => chooseFallback({ setting: 'espeak', systemVoices: 0, platform }).why;
    assert.equal(
      why('linux'),
      'No fallback voice: espeak-ng is not installed. To install espeak-ng on Debian or Ubuntu, run sudo apt install espeak-ng.',
    );
    assert.match(why('darwin'), /on macOS, run brew install espeak-ng\.$/);
    assert.match(why('win32'), /on Windows, run its installer from https:\/\/github\.com\/espeak-ng\/espeak-ng\/releases\.$/);
    assert.match(why('freebsd'), EVERY_INSTALL);
    assert.doesNotMatch(why('linux'), /brew|releases/);
  });
});
