// The panels that start closed and are opened now and then: their headings ship with the page,
// their bodies (and the code only they use: d3 charts, the linearizability checker, the storage
// timeline, the metrics and alert rules, the forms) load the first time one is opened, so the
// playground's initial JavaScript stays small (`npm run bench -- playground --only=js`).
import { lazy, Suspense, type ComponentType } from 'react';
import { DisclosurePanel } from './Disclosure';

function lazyPanel(
  name: string,
  title: string,
  load: () => Promise<ComponentType>,
): () => React.JSX.Element {
  const Body = lazy(async () => ({ default: await load() }));
  return function Panel() {
    return (
      <DisclosurePanel name={name} title={title}>
        <Suspense fallback={<p className="hint">Loading…</p>}>
          <Body />
        </Suspense>
      </DisclosurePanel>
    );
  };
}

export const HistoryPanel = lazyPanel(
  'history',
  'History',
  async () => (await import('./HistoryPanel')).HistoryBody,
);
export const ConsolePanel = lazyPanel(
  'console',
  'Console',
  async () => (await import('./Console')).ConsoleBody,
);
export const FormsPanel = lazyPanel(
  'forms',
  'Forms',
  async () => (await import('./FormsPanel')).FormsBody,
);
export const ChartsPanel = lazyPanel(
  'charts',
  'Charts',
  async () => (await import('./ChartsPanel')).ChartsBody,
);
export const StoragePanel = lazyPanel(
  'storage',
  'Storage',
  async () => (await import('./StoragePanel')).StorageBody,
);
export const MetricsPanel = lazyPanel(
  'metrics',
  'Metrics and alerts',
  async () => (await import('./MetricsPanel')).MetricsSection,
);
