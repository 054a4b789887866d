import { NodeDetails } from './NodeDetails';
import { act } from './actions';
import { usePlayground } from './store';

const ROLE: Record<string, string> = {
  StateLeader: 'leader',
  StateCandidate: 'candidate',
  StatePreCandidate: 'pre-candidate',
  StateFollower: 'follower',
};

export function Inspector() {
  const session = usePlayground((s) => s.session);
  const id = usePlayground((s) => s.selectedNode);
  const viewUs = usePlayground((s) => s.viewUs);
  usePlayground((s) => s.tick);
  if (!session || id === null) {
    return (
      <section className="panel" aria-labelledby="inspector-title">
        <h2 id="inspector-title">Node</h2>
        <p className="hint">Select a node to see it and act on it.</p>
      </section>
    );
  }
  const n = session.timeline.nodesAt(viewUs).find((x) => x.id === id);
  if (!n) return null;
  const leader = session.timeline
    .nodesAt(viewUs)
    .find((x) => x.role === 'StateLeader' && x.liveness === 'up');
  const down = n.liveness === 'down';
  return (
    <section className="panel" aria-labelledby="inspector-title" data-testid="inspector">
      <h2 id="inspector-title">
        n{n.id}: {down ? 'crashed' : n.liveness === 'paused' ? 'paused' : ROLE[n.role]}
      </h2>
      <dl className="facts">
        <dt>term</dt>
        <dd>{n.term}</dd>
        <dt>vote</dt>
        <dd>{n.vote ? `n${n.vote}` : 'none'}</dd>
        <dt>leader</dt>
        <dd>{n.lead ? `n${n.lead}` : 'none known'}</dd>
        <dt>commit</dt>
        <dd>{n.commit}</dd>
        <dt>applied</dt>
        <dd>{n.applied}</dd>
      </dl>
      {n.startError && (
        <p className="error" role="alert">
          Cannot start: {n.startError}
        </p>
      )}
      <div className="buttons">
        {down ? (
          <button type="button" onClick={() => void act({ kind: 'restart', node: id })}>
            Restart
          </button>
        ) : (
          <button type="button" onClick={() => void act({ kind: 'crash', node: id })}>
            Crash
          </button>
        )}
        {n.liveness === 'paused' ? (
          <button type="button" onClick={() => void act({ kind: 'resume', node: id })}>
            Resume
          </button>
        ) : (
          <button
            type="button"
            disabled={down}
            onClick={() => void act({ kind: 'pause', node: id })}
          >
            Pause
          </button>
        )}
        <button
          type="button"
          disabled={down}
          onClick={() => void act({ kind: 'slow-disk', node: id, factor: 20 })}
        >
          Slow disk
        </button>
        <button
          type="button"
          disabled={down}
          onClick={() => void act({ kind: 'slow-disk', node: id, factor: 1 })}
        >
          Heal disk
        </button>
        <button
          type="button"
          disabled={down || !leader || leader.id === id}
          onClick={() => leader && void act({ kind: 'transfer-leader', node: leader.id, to: id })}
        >
          Transfer leadership here
        </button>
        <button
          type="button"
          disabled={down}
          onClick={() => void act({ kind: 'campaign', node: id })}
        >
          Campaign now
        </button>
        <button
          type="button"
          disabled={down}
          onClick={() => void act({ kind: 'graceful-stop', node: id })}
        >
          Graceful stop
        </button>
        <button
          type="button"
          disabled={!leader}
          onClick={() => leader && void act({ kind: 'remove-member', node: leader.id, id })}
        >
          Remove member
        </button>
      </div>
      <NodeDetails id={id} down={down} />
    </section>
  );
}
