// Builds the service worker (workers/service-worker.ts) as `sw.js` at the site's root and writes
// into it the list of files to precache and a version that changes whenever any of them does,
// so a new build installs a new worker (a byte-identical sw.js would never update).
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

// The minifier may quote the string with any of the three quotes.
const PLACEHOLDER = /([`"'])__RAFTLAB_PRECACHE__\1/;
/** Not part of the app a visitor needs offline. */
const SKIP = [/\.map$/, /^_headers$/, /^bench\.html$/, /^assets\/bench-/, /^sw\.js$/];
/**
 * The page itself: Vite's HTML plugin writes it after this plugin has seen the bundle. Its
 * content only names hashed files, which the version already covers.
 */
const PAGE = '/index.html';

/**
 * @param {string} swSource the service worker's source file
 * @returns {import('vite').Plugin}
 */
export function precachePlugin(swSource) {
  let publicDir = '';
  return {
    name: 'raftlab-precache',
    apply: 'build',
    configResolved(config) {
      publicDir = config.publicDir;
    },
    buildStart() {
      this.emitFile({ type: 'chunk', id: swSource, fileName: 'sw.js' });
    },
    generateBundle(_options, bundle) {
      const sw = bundle['sw.js'];
      if (!sw || sw.type !== 'chunk') throw new Error('precache: sw.js was not built');
      const hash = createHash('sha256');
      /** @type {string[]} */
      const files = [PAGE];
      for (const [name, file] of Object.entries(bundle)) {
        if (SKIP.some((re) => re.test(name))) continue;
        files.push(`/${name}`);
        hash.update(name).update(file.type === 'chunk' ? file.code : file.source);
      }
      for (const name of readdirSync(publicDir)) {
        if (SKIP.some((re) => re.test(name))) continue;
        files.push(`/${name}`);
        hash.update(name).update(readFileSync(join(publicDir, name)));
      }
      files.sort();
      const precache = { version: hash.digest('hex').slice(0, 16), files };
      if (!PLACEHOLDER.test(sw.code)) throw new Error('precache: placeholder missing from sw.js');
      sw.code = sw.code.replace(PLACEHOLDER, JSON.stringify(JSON.stringify(precache)));
    },
  };
}
