import * as assert from 'node:assert/strict';
import { type VoiceItem, type VoicePick, pickVoice, voiceDescription } from '../../src/commands/voicePicker';

/** A quick pick as VS Code's behaves for these calls; it notes every change made after it was disposed. */
class FakePick implements VoicePick {
  private state = { items: [] as readonly VoiceItem[], activeItems: [] as readonly VoiceItem[], busy: false };
  selectedItems: readonly VoiceItem[] = [];
  value = '';
  visible = false;
  disposed = false;
  changedAfterDispose: string[] = [];
  private accept: Array<() => void> = [];
  private hidden: Array<() => void> = [];

  private change<K extends keyof FakePick['state']>(key: K, value: FakePick['state'][K]): void {
    if (this.disposed) this.changedAfterDispose.push(key);
    this.state[key] = value;
  }
  get items() {
    return this.state.items;
  }
  set items(v) {
    this.change('items', v);
  }
  get activeItems() {
    return this.state.activeItems;
  }
  set activeItems(v) {
    this.change('activeItems', v);
  }
  get busy() {
    return this.state.busy;
  }
  set busy(v) {
    this.change('busy', v);
  }

  show(): void {
    this.visible = true;
  }
  hide(): void {
    if (!this.visible) return;
    this.visible = false;
    for (const listener of this.hidden) listener();
  }
  dispose(): void {
    this.hide();
    this.disposed = true;
  }
  onDidAccept(listener: () => void): void {
    this.accept.push(listener);
  }
  onDidHide(listener: () => void): void {
    this.hidden.push(listener);
  }
  /** The user presses Escape. */
  escape(): void {
    this.hide();
  }
  /** The user presses Enter. */
  enter(): void {
    this.selectedItems = this.activeItems;
    for (const listener of this.accept) listener();
  }
}

function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}

const settled = <T>(p: Promise<T>) =>
  Promise.race([
    p.then(
      () => 'settled',
      () => 'settled',
    ),
    new Promise((r) => setTimeout(() => r('pending'), 50)),
  ]);

describe('Select Voice quick pick', () => {
  it('ends and disposes the pick when Escape is pressed while the voice list loads', async () => {
    const pick = new FakePick();
    const voices = deferred<string[]>();
    const chosen = pickVoice(pick, 'af_heart', () => voices.promise);
    assert.equal(pick.visible, true);
    assert.equal(pick.busy, true, 'shown as loading');
    pick.escape();
    assert.equal(await settled(chosen), 'settled', 'the command does not hang');
    assert.equal(await chosen, undefined);
    assert.equal(pick.disposed, true);
    voices.resolve(['af_heart', 'af_bella']);
    await new Promise((r) => setTimeout(r, 0));
    assert.deepEqual(pick.changedAfterDispose, [], 'the list arriving late does not touch the disposed pick');
  });

  it('a list that fails to load after Escape is not reported', async () => {
    const pick = new FakePick();
    const voices = deferred<string[]>();
    const chosen = pickVoice(pick, 'af_heart', () => voices.promise);
    pick.escape();
    voices.reject(new Error('server down'));
    assert.equal(await chosen, undefined);
  });

  it('lists the voices with the current one active, and resolves with the one accepted', async () => {
    const pick = new FakePick();
    const chosen = pickVoice(pick, 'af_heart', async () => ['af_bella', 'af_heart', 'bm_george']);
    await new Promise((r) => setTimeout(r, 0));
    assert.equal(pick.busy, false);
    assert.deepEqual(
      pick.items.map((i) => [i.voice, i.description]),
      [
        ['af_bella', 'American English, female'],
        ['af_heart', 'current'],
        ['bm_george', 'British English, male'],
      ],
    );
    assert.deepEqual(
      pick.activeItems.map((i) => i.voice),
      ['af_heart'],
    );
    pick.activeItems = [pick.items[2]];
    pick.enter();
    assert.equal(await chosen, 'bm_george');
    assert.equal(pick.disposed, true);
  });

  it('takes a typed voice id or mix, also before the list has loaded', async () => {
    const pick = new FakePick();
    const chosen = pickVoice(pick, 'af_heart', () => new Promise<string[]>(() => undefined));
    pick.value = ' af_bella+af_sky ';
    pick.enter();
    assert.equal(await chosen, 'af_bella+af_sky');
    assert.equal(pick.disposed, true);
  });

  it('rejects with the loading error while the pick is open, and closes it', async () => {
    const pick = new FakePick();
    const error = new Error('server down');
    await assert.rejects(
      pickVoice(pick, 'af_heart', async () => Promise.reject(error)),
      (e) => e === error,
    );
    assert.equal(pick.visible, false);
    assert.equal(pick.disposed, true);
  });

  it('describes voice ids by language and gender', () => {
    assert.equal(voiceDescription('jf_alpha'), 'Japanese, female');
    assert.equal(voiceDescription('xm_new'), 'male');
    assert.equal(voiceDescription('custom'), '');
  });
});
