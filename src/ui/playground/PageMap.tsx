// The backend's file as source article 002 draws it: one square per page (or per group of pages
// in a big file), used pages filled, free ones empty, pending ones (freed by the last commit,
// reusable after the next) hatched. Beside it: Size, in use, the space quota, the freelist design
// and what its allocations cost in simulated time, and the active alarms. In a big file a square
// stands for many pages: it shows the most telling thing among them (BackendView.cells), paler
// the more of them are free, so an aged file's fragmentation shows as a mottled grey.
import { humanizeBytes } from '../../etcdctl/format';
import type { BackendView } from '../../server/inspect';
import './page-map.css';

const COLS = 64;
const CELL = 7;

const LEGEND: [string, string][] = [
  ['m', 'meta'],
  ['r', 'root and branches'],
  ['l', 'leaves (the key bucket)'],
  ['c', "cold data (an aged file's history)"],
  ['f', 'the freelist page'],
  ['p', 'pending'],
  ['.', 'free'],
];

const CLASS: Record<string, string> = {
  m: 'pm-meta',
  r: 'pm-branch',
  l: 'pm-leaf',
  f: 'pm-freelist',
  p: 'pm-pending',
  '.': 'pm-free',
  c: 'pm-cold',
};

/** A square's opacity: 1 with nothing free in it, down to 0.25 when nearly all of it is free. */
const opacity = (c: string, free: string | undefined) =>
  c === '.' || free === undefined ? undefined : 1 - (0.75 * Number(free)) / 9;

export function PageMap({ b }: { b: BackendView }) {
  const cells = [...b.cells];
  const rows = Math.ceil(cells.length / COLS);
  const perAlloc = b.allocations > 0 ? b.allocateNs / b.allocations : 0;
  const perCommit = b.commits > 0 ? (b.allocateNs + b.releaseNs) / b.commits : 0;
  const pct = Math.round((100 * b.dbSize) / b.quotaBytes);
  return (
    <div className="page-map" data-testid="page-map">
      <p className="hint" data-testid="db-size">
        {`Size ${humanizeBytes(b.dbSize)} (${b.pages} pages of 4 KiB), in use ${humanizeBytes(b.dbSizeInUse)}; ${pct}% of the ${humanizeBytes(b.quotaBytes)} quota`}
      </p>
      {b.alarms.length > 0 && (
        <p className="pm-alarm" data-testid="alarms">
          {`Alarm: ${b.alarms.join(', ')}— writes are refused until compaction, defrag and alarm disarm`}
        </p>
      )}
      <svg
        width={COLS * CELL}
        height={rows * CELL}
        role="img"
        aria-label={`page map: ${b.pages} pages, ${b.freePages} free, ${b.pendingPages} pending`}
      >
        {cells.map((c, i) => (
          <rect
            key={i}
            className={CLASS[c] ?? 'pm-leaf'}
            fillOpacity={b.pagesPerCell > 1 ? opacity(c, b.cellFree[i]) : undefined}
            x={(i % COLS) * CELL}
            y={Math.floor(i / COLS) * CELL}
            width={CELL - 1}
            height={CELL - 1}
          />
        ))}
      </svg>
      <p className="hint pm-legend">
        <span>
          {b.pagesPerCell > 1
            ? `One square per ${b.pagesPerCell} pages, paler the more of them are free.`
            : 'One square per page.'}
        </span>
        {LEGEND.map(([c, label]) => (
          <span key={c} className="pm-key">
            <svg width={CELL} height={CELL} aria-hidden="true">
              <rect className={CLASS[c]} width={CELL - 1} height={CELL - 1} />
            </svg>{' '}
            {label}{' '}
          </span>
        ))}
      </p>
      {b.coldPages > 0 && (
        <p className="hint" data-testid="aged-file">
          {`An aged file: ${b.coldPages} pages of cold data from its (synthetic) history, never read by this run`}
        </p>
      )}
      <p className="hint" data-testid="freelist">
        {`Freelist (${b.freelistType}): ${b.freePages} free pages in ${b.freeRuns} runs, ${b.pendingPages} pending; ${b.allocations} allocations (${b.hits} from the freelist), ${(perAlloc / 1000).toFixed(2)} µs each on average; ${(perCommit / 1000).toFixed(1)} µs of freelist work per commit`}
      </p>
    </div>
  );
}
