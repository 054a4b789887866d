import { useDiskCheck } from './useDiskCheck';

/** What the browser gives raftlab: a node worker, its IndexedDB disk, cross-origin isolation. */
export function SystemCheck() {
  const disk = useDiskCheck('raftlab-system-check');
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
      </dl>
    </section>
  );
}
