import { useState, type ReactNode } from 'react';

/**
 * A panel whose heading is a button that shows or hides its body (closed at first). The body is
 * only mounted while open; it should carry the id `${name}-body` the button controls.
 */
export function DisclosurePanel({
  name,
  title,
  children,
}: {
  /** The panel's class, and the prefix of its ids. */
  name: string;
  title: string;
  children: ReactNode;
}) {
  const [open, setOpen] = useState(false);
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
      {open && children}
    </section>
  );
}
