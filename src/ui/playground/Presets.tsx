import { act } from './actions';
import { usePlayground } from './store';

/** One-click network faults: isolate the leader, split majority from minority, heal everything. */
export function Presets() {
  const session = usePlayground((s) => s.session);
  const viewUs = usePlayground((s) => s.viewUs);
  const group = usePlayground((s) => s.group);
  usePlayground((s) => s.tick);
  if (!session) return null;
  const ids = session.cluster.conductor.nodeIds();
  const leader = session.timeline
    .nodesAt(viewUs)
    .find((n) => n.role === 'StateLeader' && n.liveness === 'up');
  const partitionGroup = () => {
    void act({ kind: 'partition', groups: [group, ids.filter((i) => !group.includes(i))] });
    usePlayground.getState().set({ group: [] });
  };
  const isolate = () =>
    leader &&
    void act({ kind: 'partition', groups: [[leader.id], ids.filter((i) => i !== leader.id)] });
  const split = () => {
    // The leader goes with the minority: the interesting side, where it cannot commit.
    const others = ids.filter((i) => i !== leader?.id);
    const minority = leader
      ? [leader.id, ...others.slice(0, Math.floor((ids.length - 1) / 2) - 1)]
      : others.slice(0, Math.floor(ids.length / 2));
    void act({ kind: 'partition', groups: [minority, ids.filter((i) => !minority.includes(i))] });
  };
  return (
    <div className="presets buttons" role="group" aria-label="Network presets">
      <button type="button" disabled={!leader} onClick={isolate}>
        Isolate the leader
      </button>
      <button type="button" disabled={ids.length < 3} onClick={split}>
        Split majority / minority
      </button>
      <button
        type="button"
        disabled={group.length === 0 || group.length === ids.length}
        onClick={partitionGroup}
        title="Shift-click nodes to gather them into a group"
      >
        Partition{' '}
        {group.length > 0 ? group.map((g) => `n${g}`).join(', ') : 'the shift-clicked nodes'} from
        the rest
      </button>
      <button type="button" onClick={() => void act({ kind: 'heal-all' })}>
        Heal all
      </button>
      <button
        type="button"
        disabled={!leader || ids.length >= 9}
        onClick={() =>
          leader && void act({ kind: 'add-member', node: leader.id, id: Math.max(...ids) + 1 })
        }
      >
        Add a member
      </button>
    </div>
  );
}
