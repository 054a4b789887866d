import { carriesClientCall } from '../../server/peer';
import { act } from './actions';
import { formatUs } from './geometry';
import { usePlayground } from './store';

/** The message clicked in the cluster view: what it is, and drop or duplicate it on the wire. */
export function MessagePanel() {
  const session = usePlayground((s) => s.session);
  const id = usePlayground((s) => s.selectedMessage);
  const viewUs = usePlayground((s) => s.viewUs);
  usePlayground((s) => s.tick);
  if (!session || id === null) return null;
  const m = session.timeline.message(id);
  if (!m) return null;
  const delivered = m.deliverUs.every((d) => d <= session.nowUs);
  const onWire = m.droppedUs === undefined && !delivered && viewUs >= session.nowUs;
  const carriesACall = carriesClientCall(m.type);
  const fate =
    m.droppedUs !== undefined
      ? `dropped at ${formatUs(m.droppedUs)} (${m.dropReason})`
      : delivered
        ? `delivered at ${m.deliverUs.map(formatUs).join(' and ')}`
        : `arrives at ${m.deliverUs.map(formatUs).join(' and ')}`;
  const close = () => usePlayground.getState().set({ selectedMessage: null });
  return (
    <section className="panel" aria-labelledby="message-title" data-testid="message-panel">
      <h2 id="message-title">{m.type}</h2>
      <dl className="facts">
        <dt>from</dt>
        <dd>n{m.from}</dd>
        <dt>to</dt>
        <dd>n{m.to}</dd>
        <dt>sent</dt>
        <dd>{formatUs(m.sentUs)}</dd>
        <dt>fate</dt>
        <dd>{fate}</dd>
        {Object.entries(m.fields ?? {}).map(([k, v]) => (
          <div key={k} className="row">
            <dt>{k}</dt>
            <dd>{String(v)}</dd>
          </div>
        ))}
        <dt>message id</dt>
        <dd>{m.msgId}</dd>
      </dl>
      <div className="buttons">
        <button
          type="button"
          disabled={!onWire}
          onClick={() => void act({ kind: 'drop-message', msgId: id }).then(close)}
        >
          Drop it
        </button>
        <button
          type="button"
          disabled={!onWire || carriesACall}
          onClick={() => void act({ kind: 'duplicate-message', msgId: id })}
        >
          Duplicate it
        </button>
        <button type="button" onClick={close}>
          Close
        </button>
      </div>
      {!onWire && (
        <p className="hint">
          Only a message still on the wire, at the head of the run, can be dropped or duplicated.
        </p>
      )}
      {onWire && carriesACall && (
        <p className="hint">
          A {m.type} carries a client&apos;s call: etcd&apos;s transport (TCP) never delivers one
          twice, and a second copy would apply the call twice.
        </p>
      )}
    </section>
  );
}
