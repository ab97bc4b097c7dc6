// Bundles the extension (src/extension.ts and everything it imports, vscode-jsonrpc included) into
// dist/extension.js, and the table editor's webview (src/webview/grid.ts with Tabulator and its CSS)
// into dist/grid.js + dist/grid.css, so the .vsix needs no node_modules and the webview loads nothing
// from outside the extension. `--watch` rebuilds on change.
import * as esbuild from 'esbuild';

const common = { bundle: true, sourcemap: true, logLevel: 'info' };
const builds = [
  {
    ...common,
    entryPoints: ['src/extension.ts'],
    outfile: 'dist/extension.js',
    platform: 'node',
    format: 'cjs',
    target: 'node18',
    external: ['vscode'],
    minify: false,
  },
  {
    ...common,
    entryPoints: { grid: 'src/webview/grid.ts' },
    outdir: 'dist',
    platform: 'browser',
    format: 'iife',
    target: 'chrome114',
    minify: true,
  },
];

if (process.argv.includes('--watch')) {
  for (const options of builds) await (await esbuild.context(options)).watch();
} else {
  await Promise.all(builds.map((options) => esbuild.build(options)));
}
