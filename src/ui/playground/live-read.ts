// Reading something from the running members (the inspector, the Metrics panel) while the run
// moves: again after each step of the view, but at most every `everyMs` of wall time, since each
// read is a round trip to every worker asked.
import { useEffect, useRef, useState } from 'react';
import { usePlayground } from './store';

/**
 * The latest result of `read`, called again as the run moves (never while `read` is undefined).
 * `key` names what is read: a new key reads at once. A read that fails (a member crashing
 * mid-call) keeps the previous result.
 */
export function useLiveRead<T>(
  read: (() => Promise<T>) | undefined,
  key: string,
  everyMs: number,
): T | undefined {
  const tick = usePlayground((s) => s.tick);
  const [data, setData] = useState<T | undefined>();
  const [lastAt, setLastAt] = useState(0);
  const current = useRef(read);
  useEffect(() => {
    current.current = read;
  });
  const active = read !== undefined;
  useEffect(() => {
    if (!active) return;
    let cancelled = false;
    const wait = Math.max(0, lastAt + everyMs - performance.now());
    const timer = setTimeout(() => {
      current
        .current?.()
        .then((d) => {
          if (!cancelled) {
            setData(d);
            setLastAt(performance.now());
          }
        })
        .catch(() => undefined);
    }, wait);
    return () => {
      cancelled = true;
      clearTimeout(timer);
    };
  }, [active, key, tick, lastAt, everyMs]);
  return data;
}
