import { InProcessHost } from '../../host/inproc-host';
import { WorkerHost } from '../../host/worker-host';
import type { InspectOptions, NodeInspection } from '../../server/inspect';
import { PageMap } from './PageMap';
import type { Session } from '../../sim/session';
import { useLiveRead } from './live-read';
import { usePlayground } from './store';
import { TableHead } from './TableHead';

/** How often the details refresh while the run moves. */
const REFRESH_MS = 300;

/** Reads node `id` through its host (worker or in-process); metrics too if asked. */
export function inspect(
  s: Session,
  id: number,
  opts?: InspectOptions,
): Promise<NodeInspection | undefined> {
  const host = s.cluster.host;
  if (host instanceof WorkerHost || host instanceof InProcessHost) return host.inspect(id, opts);
  return Promise.resolve(undefined);
}

function useInspection(
  session: Session | null,
  id: number,
  live: boolean,
): NodeInspection | undefined {
  return useLiveRead(session && live ? () => inspect(session, id) : undefined, `${id}`, REFRESH_MS);
}

/** The selected node's log, key-value state and leases, read live from the node itself. */
export function NodeDetails({ id, down }: { id: number; down: boolean }) {
  const session = usePlayground((s) => s.session);
  const viewUs = usePlayground((s) => s.viewUs);
  const live = session !== null && viewUs >= session.nowUs && !down;
  const d = useInspection(session, id, live);
  if (down)
    return <p className="hint">A crashed node shows nothing; restart it to read its disk.</p>;
  if (!live)
    return (
      <p className="hint">
        Log and keys are read live from the node: move the timeline to the end to see them.
      </p>
    );
  if (!d) return <p className="hint">Reading the node…</p>;
  return (
    <div className="details" data-testid="node-details">
      {d.progress && (
        <>
          <h3>Followers, as this leader sees them</h3>
          <table className="progress" data-testid="progress">
            <TableHead cols={['node', 'match', 'next', 'state', 'inflight']} />
            <tbody>
              {d.progress.map((p) => (
                <tr key={p.id}>
                  <td>n{p.id}</td>
                  <td>{p.match}</td>
                  <td>{p.next}</td>
                  <td>{p.state.replace('State', '')}</td>
                  <td>{p.inflight}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
      <h3>Log</h3>
      <p className="hint">
        {d.firstIndex > 1
          ? `entries up to ${d.firstIndex - 1} compacted (snapshot at ${d.snapshotIndex}); `
          : ''}
        {`last ${d.lastIndex}, commit ${d.commit}, applied ${d.applied}`}
      </p>
      <table className="log">
        <thead>
          <tr>
            <th scope="col">index</th>
            <th scope="col">term</th>
            <th scope="col">entry</th>
            <th scope="col" aria-label="state" />
          </tr>
        </thead>
        <tbody>
          {d.entries.map((e) => (
            <tr
              key={e.index}
              className={
                e.index <= d.applied ? 'applied' : e.index <= d.commit ? 'committed' : 'uncommitted'
              }
            >
              <td>{e.index}</td>
              <td>
                <span
                  className="term-chip"
                  style={{ background: `hsl(${(e.term * 67) % 360} 60% 50%)` }}
                >
                  {e.term}
                </span>
              </td>
              <td className="what">{e.what}</td>
              <td>{e.index <= d.applied ? 'applied' : e.index <= d.commit ? 'committed' : ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h3>Keys at revision {d.revision}</h3>
      {d.kvs.length === 0 ? (
        <p className="hint">No keys yet.</p>
      ) : (
        <table className="kvs">
          <TableHead cols={['key', 'value', 'mod rev', 'ver']} />
          <tbody>
            {d.kvs.map((kv) => (
              <tr key={kv.key}>
                <td>{kv.key}</td>
                <td>{kv.value}</td>
                <td>{kv.mod_revision}</td>
                <td>{kv.version}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {d.kvCount > d.kvs.length && <p className="hint">and {d.kvCount - d.kvs.length} more keys</p>}
      {d.backend && (
        <>
          <h3>Backend pages</h3>
          <PageMap b={d.backend} />
        </>
      )}
      <h3>Leases</h3>
      {d.leases.length === 0 ? (
        <p className="hint">No leases.</p>
      ) : (
        <ul className="leases">
          {d.leases.map((l) => (
            <li key={l.ID}>
              {l.ID.toString(16)}: {l.TTL} s left of {l.grantedTTL} s
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
