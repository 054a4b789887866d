import { useState } from 'react';
import { stepEvent, stepToNext } from './actions';
import { NEXT_KINDS, type NextKind } from './feed';
import { formatUs } from './geometry';
import { SPEEDS, speedLabel, usePlayground } from './store';

export function Controls() {
  const playing = usePlayground((s) => s.playing);
  const speed = usePlayground((s) => s.speed);
  const viewUs = usePlayground((s) => s.viewUs);
  const session = usePlayground((s) => s.session);
  usePlayground((s) => s.tick);
  const set = usePlayground((s) => s.set);
  const headUs = session?.nowUs ?? 0;
  const [next, setNext] = useState<NextKind>('election');
  return (
    <div className="controls" role="toolbar" aria-label="Time">
      <button
        type="button"
        onClick={() => set({ playing: !playing })}
        aria-keyshortcuts="Space"
        disabled={!session}
      >
        {playing ? 'Pause' : 'Play'}
      </button>
      <button
        type="button"
        onClick={() => void stepEvent()}
        aria-keyshortcuts="ArrowRight"
        disabled={!session}
      >
        Step
      </button>
      <span className="next">
        <button type="button" onClick={() => void stepToNext(next)} disabled={!session}>
          Next
        </button>
        <select
          value={next}
          onChange={(e) => setNext(e.target.value as NextKind)}
          aria-label="Next event of kind"
        >
          {Object.keys(NEXT_KINDS).map((k) => (
            <option key={k} value={k}>
              {k}
            </option>
          ))}
        </select>
      </span>
      <label>
        Speed{' '}
        <select
          value={SPEEDS.indexOf(speed)}
          onChange={(e) => set({ speed: SPEEDS[Number(e.target.value)] ?? 0.1 })}
          aria-label="Speed"
        >
          {SPEEDS.map((s, i) => (
            <option key={s} value={i}>
              {speedLabel(s)}
            </option>
          ))}
        </select>
      </label>
      <input
        className="timeline"
        type="range"
        min={0}
        max={Math.max(1, headUs)}
        step={1000}
        value={Math.min(viewUs, headUs)}
        onChange={(e) => set({ viewUs: Number(e.target.value), playing: false })}
        aria-label="Timeline"
        aria-valuetext={formatUs(viewUs)}
        disabled={!session}
      />
      <span className="time" data-testid="sim-time">
        {formatUs(viewUs)}
        {viewUs < headUs ? ` of ${formatUs(headUs)}` : ''}
      </span>
    </div>
  );
}
