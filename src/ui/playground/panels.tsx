// Small pieces several panels share: a node picker (the open-and-close panel is Disclosure.tsx).
import { PROXY_NODE } from '../../sim/proxy-node';
import type { Session } from '../../sim/session';

/** Where a client call can go: the proxy first when the run has one, then every member. */
export function clientTargets(session: Session | null): number[] {
  const members = session?.cluster.conductor.nodeIds() ?? [];
  return session?.proxy ? [PROXY_NODE, ...members] : members;
}

/** A labelled "Node" select over the cluster's node ids. */
export function NodeSelect(props: { ids: number[]; value: number; onChange(id: number): void }) {
  return (
    <label>
      Node{' '}
      <select value={props.value} onChange={(e) => props.onChange(Number(e.target.value))}>
        {props.ids.map((id) => (
          <option key={id} value={id}>
            {id === PROXY_NODE ? 'proxy' : `n${id}`}
          </option>
        ))}
      </select>
    </label>
  );
}
