import { useState } from 'react';
import { EVENT_CATEGORIES, type EventCategory } from '../narration';
import { feedLines } from './feed';
import { formatUs } from './geometry';
import { usePlayground } from './store';

const SHOWN = 120;

export function EventFeed() {
  const session = usePlayground((s) => s.session);
  const viewUs = usePlayground((s) => s.viewUs);
  usePlayground((s) => s.tick);
  const [hidden, setHidden] = useState<ReadonlySet<EventCategory>>(new Set(['heartbeat']));
  if (!session) return null;
  const all = feedLines(session);
  // The newest lines at or before the view time.
  let end = all.length;
  while (end > 0 && all[end - 1]!.atUs > viewUs) end--;
  const lines: typeof all = [];
  for (let i = end - 1; i >= 0 && lines.length < SHOWN; i--) {
    const l = all[i]!;
    if (!hidden.has(l.category)) lines.push(l);
  }
  const toggle = (c: EventCategory) => {
    const next = new Set(hidden);
    if (next.has(c)) next.delete(c);
    else next.add(c);
    setHidden(next);
  };
  return (
    <section className="panel feed" aria-labelledby="feed-title">
      <h2 id="feed-title">What happened</h2>
      <fieldset className="filters">
        <legend className="hint">Show</legend>
        {EVENT_CATEGORIES.map((c) => (
          <label key={c}>
            <input type="checkbox" checked={!hidden.has(c)} onChange={() => toggle(c)} /> {c}
          </label>
        ))}
      </fieldset>
      <ol className="lines" data-testid="feed">
        {lines.map((l) => (
          <li key={l.index} className={`line cat-${l.category}`}>
            <button
              type="button"
              className="line-button"
              onClick={() => usePlayground.getState().set({ viewUs: l.atUs, playing: false })}
              title="Jump the timeline here"
            >
              <span className="line-time">{formatUs(l.atUs)}</span> {l.text}
            </button>
          </li>
        ))}
      </ol>
    </section>
  );
}
