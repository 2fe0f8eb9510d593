// Bundles the extension (Node, CommonJS, `vscode` external), the webview player
// (browser IIFE), and the command-line benchmark into dist/.
import * as esbuild from 'esbuild';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');
const common = { bundle: true, sourcemap: !production, minify: production, logLevel: 'warning' };

const builds = [
  {
    ...common,
    entryPoints: ['src/extension.ts'],
    outfile: 'dist/extension.js',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['vscode'],
  },
  { ...common, entryPoints: ['media/player.ts'], outfile: 'dist/player.js', platform: 'browser', format: 'iife', target: 'chrome120' },
];
if (!production) {
  // The benchmark and the stand-in server it starts (also the demo voice of `npm start`).
  builds.push({ ...common, entryPoints: ['bench/bench.ts'], outfile: 'dist/bench.js', platform: 'node', format: 'cjs', target: 'node20' });
  builds.push({
    ...common,
    entryPoints: ['test/standin/cli.ts'],
    outfile: 'dist/standin.js',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
  });
}

if (watch) {
  for (const options of builds) await (await esbuild.context(options)).watch();
} else {
  await Promise.all(builds.map((options) => esbuild.build(options)));
}
