// Benchmark texts: real source code and prose from this repository.

import { readFileSync, readdirSync } from 'node:fs';
import * as path from 'node:path';

const root = path.join(__dirname, '..');

export const SHORT_TEXT = 'const total = items.reduce((sum, item) => sum + item.price, 0);';

function sourceAndProse(): string {
  const files = ['src/kokoro/client.ts', 'src/speech/reader.ts', 'src/kokoro/decoder.ts', 'README.md', 'src/kokoro/errors.ts'];
  const parts: string[] = [];
  for (const file of files) {
    try {
      parts.push(readFileSync(path.join(root, file), 'utf8'));
    } catch {
      // a packaged copy without sources: fall back to whatever .ts files exist
    }
  }
  if (parts.length === 0) {
    for (const file of readdirSync(__dirname)) if (file.endsWith('.js')) parts.push(readFileSync(path.join(__dirname, file), 'utf8'));
  }
  return parts.join('\n\n');
}

/** About 20 000 characters, starting with real prose, then source code. */
export const LONG_TEXT = (() => {
  const text = sourceAndProse();
  let out = text;
  while (out.length < 20_000) out += `\n\n${text}`;
  return out.slice(0, 20_000);
})();

export function megabyteText(): string {
  return LONG_TEXT.repeat(Math.ceil(1_048_576 / LONG_TEXT.length)).slice(0, 1_048_576);
}
