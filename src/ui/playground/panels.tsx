// Small pieces several panels share: a panel that opens and closes, and a node picker.
import { useState, type ReactNode } from 'react';

/**
 * A panel whose title is a disclosure button; its body (`children`, a function so nothing of it
 * runs while closed) is shown when open. The body should carry the id `${name}-body`.
 */
export function CollapsiblePanel(props: {
  name: string;
  title: string;
  children: () => ReactNode;
}) {
  const [open, setOpen] = useState(false);
  const { name, title } = props;
  return (
    <section className={`panel ${name}`} aria-labelledby={`${name}-title`}>
      <h2 id={`${name}-title`}>
        <button
          type="button"
          className="disclosure"
          aria-expanded={open}
          aria-controls={`${name}-body`}
          onClick={() => setOpen(!open)}
        >
          <span aria-hidden="true">{open ? '▾' : '▸'} </span>
          {title}
        </button>
      </h2>
      {open && props.children()}
    </section>
  );
}

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
