import { useDiskCheck } from './useDiskCheck';
import { useHostParity } from './useHostParity';

/** What the browser gives raftlab: a node worker, its IndexedDB disk, cross-origin isolation. */
export function SystemCheck() {
  const disk = useDiskCheck('raftlab-system-check');
  const parity = useHostParity();
  return (
    <section className="card" aria-labelledby="system-check-title">
      <h2 id="system-check-title">System check</h2>
      <dl className="facts">
        <dt>Cross-origin isolated</dt>
        <dd data-testid="isolated">{globalThis.crossOriginIsolated ? 'yes' : 'no'}</dd>
        <dt>Node worker + IndexedDB</dt>
        <dd data-testid="disk-status" data-status={disk.status}>
          {disk.status === 'running' && 'checking…'}
          {disk.status === 'ok' && (
            <>
              ok: wrote and read back <code>{disk.result.readBack}</code> in{' '}
              <code>{disk.result.database}</code> ({disk.elapsedMs.toFixed(1)} ms, boot{' '}
              <span data-testid="boot-count">{disk.result.bootCount}</span>)
            </>
          )}
          {disk.status === 'failed' && <span role="alert">failed: {disk.message}</span>}
        </dd>
        <dt>Same run, both hosts</dt>
        <dd
          data-testid="parity-status"
          data-status={
            parity.status === 'done'
              ? parity.inProcess.traceHash === parity.worker.traceHash
                ? 'ok'
                : 'failed'
              : parity.status
          }
        >
          {parity.status === 'running' && 'running a 3-node cluster in this thread and in workers…'}
          {parity.status === 'failed' && <span role="alert">failed: {parity.message}</span>}
          {parity.status === 'done' && (
            <>
              trace hash in this thread{' '}
              <code data-testid="trace-hash-inproc">{parity.inProcess.traceHash}</code>, in workers
              with IndexedDB <code data-testid="trace-hash-worker">{parity.worker.traceHash}</code>{' '}
              (<span data-testid="parity-databases">{parity.worker.databases.length}</span>{' '}
              IndexedDB databases, {parity.worker.traceEvents} events, {parity.worker.simulatedMs}{' '}
              simulated ms; {parity.inProcess.wallMs.toFixed(0)} ms and{' '}
              {parity.worker.wallMs.toFixed(0)} ms of wall time)
            </>
          )}
        </dd>
      </dl>
    </section>
  );
}
