// Small pieces several panels share: a node picker (the open-and-close panel is Disclosure.tsx).

/** A labelled "Node" select over the cluster's node ids. */
export function NodeSelect(props: { ids: number[]; value: number; onChange(id: number): void }) {
  return (
    <label>
      Node{' '}
      <select value={props.value} onChange={(e) => props.onChange(Number(e.target.value))}>
        {props.ids.map((id) => (
          <option key={id} value={id}>
            n{id}
          </option>
        ))}
      </select>
    </label>
  );
}
