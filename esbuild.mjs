// One build script, several contexts: the CLI/server (with its store worker), the extension host,
// and the webview/dashboard app. `--watch` rebuilds on change, `--production` minifies.
import * as esbuild from 'esbuild';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');
const only = process.argv.find((a) => a.startsWith('--only='))?.slice('--only='.length);
const root = path.dirname(new URL(import.meta.url).pathname);
const dist = path.join(root, 'dist');
fs.mkdirSync(dist, { recursive: true });

const wasmSrc = path.join(root, 'node_modules', 'sql.js', 'dist', 'sql-wasm.wasm');
fs.copyFileSync(wasmSrc, path.join(dist, 'sql-wasm.wasm'));
// sql.js is not bundled: src/core/store/sqlJsRuntime.ts loads this file and patches it at run time.
fs.copyFileSync(path.join(path.dirname(wasmSrc), 'sql-wasm.js'), path.join(dist, 'sql-wasm.js'));

/** Problem-matcher friendly output, as in the VS Code esbuild sample. */
const reporter = (name) => ({
  name: 'reporter',
  setup(build) {
    build.onStart(() => { if (watch) console.log(`[watch] build started (${name})`); });
    build.onEnd((result) => {
      for (const { text, location } of result.errors) {
        console.error(`✘ [ERROR] ${text}`);
        if (location) console.error(`    ${location.file}:${location.line}:${location.column}:`);
      }
      if (watch) console.log(`[watch] build finished (${name})`);
    });
  },
});

const common = {
  bundle: true,
  sourcemap: production ? false : 'linked',
  minify: production,
  logLevel: 'warning',
  legalComments: 'none',
};

const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
// sql.js stays a file of its own (dist/sql-wasm.js, loaded by sqlJsRuntime.ts); only its types are imported.
const nodeCommon = { ...common, platform: 'node', target: 'node20', format: 'cjs', external: ['sql.js'], define: { __AGENTMONITOR_VERSION__: JSON.stringify(pkg.version) } };

const contexts = [
  {
    name: 'server',
    ...nodeCommon,
    entryPoints: { cli: 'src/cli.ts', storeWorker: 'src/core/store/worker.ts', importWorker: 'src/core/importers/parseWorker.ts' },
    outdir: dist,
    banner: { js: '#!/usr/bin/env node' },
  },
  {
    name: 'extension',
    ...nodeCommon,
    entryPoints: { extension: 'src/extension/extension.ts' },
    outdir: dist,
    external: ['vscode', 'sql.js'],
  },
  {
    name: 'webview',
    ...common,
    platform: 'browser',
    target: ['chrome114', 'firefox115', 'safari16'],
    format: 'iife',
    entryPoints: { webview: 'webview/main.tsx' },
    outdir: dist,
    jsx: 'automatic',
    jsxImportSource: 'preact',
    loader: { '.css': 'css' },
  },
].filter((c) => Object.values(c.entryPoints).every((p) => fs.existsSync(path.join(root, p))))
  // `--only=webview` (or server, extension) builds one context, e.g. for the browser tests.
  .filter((c) => !only || only.split(',').includes(c.name));

function reportWebviewSize() {
  for (const f of ['webview.js', 'webview.css']) {
    const p = path.join(dist, f);
    if (!fs.existsSync(p)) continue;
    const buf = fs.readFileSync(p);
    console.log(`${f}: ${(buf.length / 1024).toFixed(1)} KB, ${(gzipSync(buf).length / 1024).toFixed(1)} KB gzipped`);
  }
}

if (watch) {
  for (const { name, ...opts } of contexts) {
    const ctx = await esbuild.context({ ...opts, plugins: [reporter(name)] });
    await ctx.watch();
  }
} else {
  await Promise.all(contexts.map(({ name, ...opts }) => esbuild.build({ ...opts, plugins: [reporter(name)] })));
  if (fs.existsSync(path.join(dist, 'cli.js'))) fs.chmodSync(path.join(dist, 'cli.js'), 0o755);
  if (production || only === 'webview') reportWebviewSize();
}
