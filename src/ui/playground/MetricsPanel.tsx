// The Metrics panel (issue 10, source article 003): one member's /metrics as etcd serves it —
// a readable table or the raw Prometheus text, downloadable as a file — and etcd-mixin's alerts
// for the whole cluster (firing, pending, inactive, with each rule). Everything is read from the
// members themselves through the inspect path (src/server/metrics.ts), so it works in workers,
// and reading never changes the run.
import { useState } from 'react';
import { evaluateAlerts, promDuration, type AlertStatus } from '../../metrics/alerts';
import { formatExposition } from '../../metrics/exposition';
import { TIMINGS, type TimingName } from '../../metrics/scrapes';
import type { MetricsView } from '../../server/metrics';
import type { Session } from '../../sim/session';
import { downloadBlob } from './download';
import { formatUs } from './geometry';
import { alertValue, metricRows, metricsFilename, sortAlerts } from './metrics-view';
import { useLiveRead } from './live-read';
import { inspect } from './NodeDetails';
import { NodeSelect } from './panels';
import { usePlayground } from './store';
import { TableHead } from './TableHead';
import './metrics.css';

/** How often the panel reads the members while the run moves. */
const REFRESH_MS = 500;

interface Scraped {
  /** The simulated time the members were read at. */
  atUs: number;
  views: Map<number, MetricsView>;
}

/** Every running member's metrics, read again at most every REFRESH_MS while the run moves. */
function useClusterMetrics(session: Session | null, ids: number[]) {
  const read = async (s: Session): Promise<Scraped> => {
    const atUs = s.nowUs;
    const views = new Map<number, MetricsView>();
    for (const [id, v] of await Promise.all(
      ids.map(
        (id) =>
          inspect(s, id, { metrics: true })
            .then((d) => [id, d?.metrics] as const)
            .catch(() => [id, undefined] as const), // a member crashing mid-read has none
      ),
    ))
      if (v) views.set(id, v);
    return { atUs, views };
  };
  return useLiveRead(session ? () => read(session) : undefined, ids.join(','), REFRESH_MS);
}

/** The panel's body (lazy-panels.tsx loads it when the panel opens). */
export function MetricsSection() {
  return (
    <div className="metrics-body" id="metrics-body">
      <MetricsBody />
    </div>
  );
}

function MetricsBody() {
  const session = usePlayground((s) => s.session);
  const viewUs = usePlayground((s) => s.viewUs);
  usePlayground((s) => s.tick);
  // The members as they are now: that is when they are read.
  const ids = session ? session.timeline.nodesAt(session.nowUs).map((n) => n.id) : [];
  const [chosen, setNode] = useState<number | undefined>();
  const [raw, setRaw] = useState(false);
  const [timing, setTiming] = useState<TimingName>('lab');
  // Members are read as they are now (their counters have no past); the alerts are evaluated at
  // the moment viewed, from the scrapes the members kept, so a story's checkpoint shows its alerts.
  const data = useClusterMetrics(session, ids);
  const node = chosen !== undefined && ids.includes(chosen) ? chosen : ids[0];
  if (!session || node === undefined) return <p className="hint">No cluster yet.</p>;
  if (!data) return <p className="hint">Reading the members…</p>;
  const view = data.views.get(node);
  const text = view ? formatExposition(view.families) : '';
  const alertsAtUs = Math.min(viewUs, data.atUs);
  const alerts = evaluateAlerts(
    [...data.views].map(([id, v]) => ({ id, scrapes: v.scrapes[timing] })),
    alertsAtUs,
    TIMINGS[timing],
  );
  return (
    <>
      <div className="metrics-controls">
        <NodeSelect ids={ids} value={node} onChange={setNode} />
        <label>
          <input type="checkbox" checked={raw} onChange={(e) => setRaw(e.target.checked)} /> Raw
          text
        </label>
        <button
          type="button"
          disabled={!view}
          onClick={() =>
            downloadBlob(
              new Blob([text], { type: 'text/plain; version=0.0.4; charset=utf-8' }),
              metricsFilename(node, data.atUs),
            )
          }
        >
          Download
        </button>
        <span className="hint" data-testid="metrics-read-at">
          read at {formatUs(data.atUs)}
          {viewUs < data.atUs ? ', the latest simulated time: members keep no past values' : ''}
        </span>
      </div>
      {!view ? (
        <p className="hint">
          n{node} is down: a crashed member serves no metrics, and starts again from zero when it
          restarts (as etcd&apos;s process does).
        </p>
      ) : raw ? (
        <pre className="metrics-text" data-testid="metrics-text" tabIndex={0}>
          {text}
        </pre>
      ) : (
        <div className="metrics-scroll" tabIndex={0} aria-label={`n${node}'s metrics`}>
          <table className="metrics-table" data-testid="metrics-table">
            <TableHead cols={['metric', 'type', 'value']} />
            <tbody>
              {metricRows(view.families).map((r) => (
                <tr key={r.key} data-metric={r.name} title={r.help}>
                  <td className="metric-name">
                    {r.name}
                    {r.labels}
                  </td>
                  <td>{r.type}</td>
                  <td className="metric-value">{r.value}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <Alerts alerts={alerts} atUs={alertsAtUs} timing={timing} setTiming={setTiming} />
    </>
  );
}

function Alerts(props: {
  alerts: AlertStatus[];
  atUs: number;
  timing: TimingName;
  setTiming(t: TimingName): void;
}) {
  const firing = props.alerts.filter((a) => a.state === 'firing').length;
  const pending = props.alerts.filter((a) => a.state === 'pending').length;
  return (
    <>
      <h3>Alerts (etcd-mixin) at {formatUs(props.atUs)}</h3>
      <div className="metrics-controls">
        <label>
          Windows{' '}
          <select
            value={props.timing}
            onChange={(e) => props.setTiming(e.target.value as TimingName)}
          >
            {Object.values(TIMINGS).map((t) => (
              <option key={t.name} value={t.name}>
                {t.label}
              </option>
            ))}
          </select>
        </label>
        <span role="status" data-testid="alerts-summary">
          {firing} firing, {pending} pending
        </span>
      </div>
      <table className="alerts-table" data-testid="alerts">
        <TableHead cols={['state', 'alert', 'member', 'value', 'rule']} />
        <tbody>
          {sortAlerts(props.alerts).map((a) => (
            <tr
              key={`${a.alert}-${a.severity}-${a.instance ?? 'cluster'}`}
              data-testid={`alert-${a.alert}-${a.severity}-${a.instance ?? 'cluster'}`}
              data-state={a.state}
              className={`alert-${a.state}`}
            >
              <td>
                <span className={`alert-badge ${a.state}`}>{a.state}</span>
              </td>
              <td title={a.summary}>
                {a.alert} <span className="hint">({a.severity})</span>
              </td>
              <td>{a.instance === undefined ? 'cluster' : `n${a.instance}`}</td>
              <td>{alertValue(a)}</td>
              <td>
                <code>{a.expr}</code> for {promDuration(a.forS)}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
