// The service worker: raftlab works offline once loaded, and installs as an app.
//
// At install it fetches every file of the build into a cache named after the build's version
// (scripts/precache.ts writes the list and the version into this file when it is built), so one
// visit is enough. Navigations go to the network first (a new deploy shows at once) and fall
// back to the cached page; everything else is served from the cache first: built files are named
// by their content hash, so a cached one is never stale. When a new build's worker activates it
// deletes the caches of older builds.
//
// Cached responses keep the headers they were fetched with, so the page stays cross-origin
// isolated offline (COOP/COEP), and the CSP <meta> tag travels in the page itself.

interface Precache {
  version: string;
  files: string[];
}

// Replaced at build time by the precache plugin; the JSON parse keeps this file valid
// TypeScript before that.
const PRECACHE: Precache = JSON.parse('__RAFTLAB_PRECACHE__') as Precache;
const CACHE = `raftlab-${PRECACHE.version}`;
const PAGE = '/index.html';

// The few service-worker types used here (the DOM lib has no ServiceWorkerGlobalScope).
interface ExtendableEvent extends Event {
  waitUntil(promise: Promise<unknown>): void;
}
interface FetchEvent extends ExtendableEvent {
  readonly request: Request;
  respondWith(response: Promise<Response>): void;
}
interface WorkerScope {
  addEventListener(type: 'install' | 'activate', listener: (e: ExtendableEvent) => void): void;
  addEventListener(type: 'fetch', listener: (e: FetchEvent) => void): void;
  skipWaiting(): Promise<void>;
  clients: { claim(): Promise<void> };
  location: Location;
}
const scope = globalThis as unknown as WorkerScope;

scope.addEventListener('install', (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(CACHE);
      // `cache: 'reload'` skips the HTTP cache: what is stored is what the server has now.
      await cache.addAll(PRECACHE.files.map((f) => new Request(f, { cache: 'reload' })));
      await scope.skipWaiting();
    })(),
  );
});

scope.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      for (const name of await caches.keys()) {
        if (name.startsWith('raftlab-') && name !== CACHE) await caches.delete(name);
      }
      await scope.clients.claim();
    })(),
  );
});

scope.addEventListener('fetch', (event) => {
  const { request } = event;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== scope.location.origin) return;
  if (request.mode === 'navigate') {
    event.respondWith(pageFromNetworkOrCache(request));
    return;
  }
  event.respondWith(fromCacheOrNetwork(request));
});

async function pageFromNetworkOrCache(request: Request): Promise<Response> {
  try {
    return await fetch(request);
  } catch (offline) {
    // Any URL of the app (a share link's query and fragment included) is the one page.
    const cached = await caches.match(PAGE, { cacheName: CACHE });
    if (cached) return cached;
    throw offline;
  }
}

// ignoreVary: the page asks for its scripts with CORS headers (`crossorigin`), the install step
// without, and the server's Vary would make them miss each other.
async function fromCacheOrNetwork(request: Request): Promise<Response> {
  const cached = await caches.match(request, {
    cacheName: CACHE,
    ignoreSearch: true,
    ignoreVary: true,
  });
  return cached ?? fetch(request);
}
