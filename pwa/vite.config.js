// The build: Vite bundles the app; the plugin below then writes dist/sw.js, the service
// worker of src/sw.js with this build's precache list and version injected (the
// "injectManifest" idea in twenty lines, without a library: sw.js stays readable).
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { defineConfig } from 'vite';

function files(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : [path];
  });
}

function serviceWorker() {
  let outDir;
  return {
    name: 'field-dossier-service-worker',
    apply: 'build',
    configResolved(config) {
      outDir = config.build.outDir;
    },
    closeBundle() {
      const shell = files(outDir).map((path) => relative(outDir, path)).filter((path) => path !== 'sw.js').sort();
      const hash = createHash('sha256');
      for (const path of shell) hash.update(path).update(readFileSync(join(outDir, path)));
      const version = hash.digest('hex').slice(0, 12);
      const precache = shell.map((path) => (path === 'index.html' ? '/' : `/${path}`));
      const source = readFileSync(new URL('./src/sw.js', import.meta.url), 'utf8');
      writeFileSync(join(outDir, 'sw.js'),
        `const VERSION = ${JSON.stringify(version)};\nconst PRECACHE = ${JSON.stringify(precache)};\n${source}`);
    },
  };
}

// The record's preview (src/paper.js) bundles the server's document templates as text:
// the dev server may read them too.
export default defineConfig({
  plugins: [serviceWorker()],
  server: { fs: { allow: ['.', '../backend/documents/templates', '../backend/glossary.json'] } },
});
