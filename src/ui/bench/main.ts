// The browser benchmark page (bench.html): runs a 3-node cluster with the worker host — one Web
// Worker and one IndexedDB database per node — under a closed-loop put workload, with the
// conductor running as fast as it can, and publishes committed puts per wall second on
// `window.raftlabBench` and in #bench-result. bench/browser.bench.ts drives it in Chromium.
import { runBrowserBench, type BrowserBenchResult } from './run';

declare global {
  interface Window {
    raftlabBench?: {
      status: 'running' | 'done' | 'failed';
      result?: BrowserBenchResult;
      error?: string;
    };
  }
}

const out = document.getElementById('bench-result');
const params = new URLSearchParams(location.search);
const num = (name: string, fallback: number) => {
  const v = Number(params.get(name) ?? fallback);
  return Number.isFinite(v) && v > 0 ? v : fallback;
};

function show(status: 'running' | 'done' | 'failed', text: string) {
  if (!out) return;
  out.dataset.status = status;
  out.textContent = text;
}

window.raftlabBench = { status: 'running' };
show('running', 'running...');
runBrowserBench({
  concurrency: Math.round(num('concurrency', 16)),
  simulatedS: num('sim', 10),
  valueBytes: Math.round(num('value', 128)),
}).then(
  (result) => {
    window.raftlabBench = { status: 'done', result };
    show('done', JSON.stringify(result, null, 2));
  },
  (err: unknown) => {
    const error = err instanceof Error ? `${err.message}\n${err.stack ?? ''}` : String(err);
    window.raftlabBench = { status: 'failed', error };
    show('failed', error);
  },
);
