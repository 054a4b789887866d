// What the person does to the run. Acting at the head of the run records the action there; acting
// while looking at the past forks the run from that moment: the scenario up to the view time is
// replayed on fresh workers, and the action happens there.
import type { ClusterSettings } from '../../scenario/schema';
import type { ClientRequest, ClientResponse } from '../../server/requests';
import { settingsInEffect } from '../../sim/actions';
import type { Session } from '../../sim/session';
import { attachConsole } from './console-output';
import { exclusive } from './exclusive';
import { NEXT_KINDS, type NextKind } from './feed';
import { closeSession, openSession } from './useSession';
import { usePlayground } from './store';

const text = new TextDecoder();

function describeAnswer(method: ClientRequest['method'], r: ClientResponse): string {
  if (!r.ok) return `${method} failed: ${r.error.message}`;
  const body = r.body as {
    header: { revision: number };
    kvs?: { key: Uint8Array; value: Uint8Array }[];
  };
  if (method === 'range') {
    const kv = body.kvs?.[0];
    return kv
      ? `${text.decode(kv.key)} = ${text.decode(kv.value)} (revision ${body.header.revision})`
      : `not found (revision ${body.header.revision})`;
  }
  return `${method} ok (revision ${body.header.revision})`;
}

/** The settings in effect at `atUs` of the run: the cluster's own at its head. */
export function settingsAt(s: Session, atUs: number): ClusterSettings {
  return atUs >= s.nowUs ? s.cluster.settings : settingsInEffect(s.scenario, atUs);
}

export function act(action: { kind: string; [arg: string]: unknown }): Promise<void> {
  return exclusive(() => actNow(action));
}

async function actNow(action: { kind: string; [arg: string]: unknown }): Promise<void> {
  const st = usePlayground.getState();
  let s = st.session;
  if (!s || st.busy) return;
  st.set({ busy: true });
  try {
    if (st.viewUs < s.nowUs) {
      const past = s.toScenario(st.viewUs);
      past.actions = past.actions.filter((a) => a.atUs <= st.viewUs);
      const forked = await openSession(past);
      await closeSession(s);
      s = forked;
      usePlayground.getState().set({ session: s, viewUs: s.nowUs });
    }
    attachConsole(s);
    s.onActionAnswer = (method, r) => {
      usePlayground.getState().set({ quick: { text: describeAnswer(method, r), ok: r.ok } });
    };
    await s.act(action);
  } catch (err) {
    usePlayground
      .getState()
      .set({ banner: `That did not work: ${err instanceof Error ? err.message : String(err)}` });
  } finally {
    const cur = usePlayground.getState();
    cur.set({ busy: false, tick: cur.tick + 1 });
  }
}

/** One event forward: the next recorded one when looking at the past, else a new one. */
export function stepEvent(): Promise<void> {
  return exclusive(stepNow);
}

async function stepNow(): Promise<void> {
  const st = usePlayground.getState();
  const s = st.session;
  if (!s || st.busy) return;
  st.set({ playing: false });
  if (st.viewUs < s.nowUs) {
    const i = s.timeline.indexAfter(st.viewUs);
    const next = s.timeline.record(i);
    if (next) st.set({ viewUs: next.atUs });
    return;
  }
  await s.step();
  usePlayground.getState().set({ viewUs: s.nowUs, tick: st.tick + 1 });
}

/**
 * Moves to the next event of a kind: found in the recording when looking at the past, or by
 * running on (at most a simulated minute) at the head of the run.
 */
export function stepToNext(kind: NextKind): Promise<void> {
  return exclusive(async () => {
    const st = usePlayground.getState();
    const s = st.session;
    if (!s) return;
    st.set({ playing: false });
    const match = NEXT_KINDS[kind];
    const from = s.timeline.indexAfter(st.viewUs);
    let i = s.timeline.findNext(from, match);
    const limitUs = s.nowUs + 60_000_000;
    while (i < 0 && s.nowUs < limitUs) {
      const before = s.timeline.length;
      await s.runTo(s.nowUs + 20_000);
      i = s.timeline.findNext(before, match);
    }
    const r = i >= 0 ? s.timeline.record(i) : undefined;
    const cur = usePlayground.getState();
    cur.set({ viewUs: r ? r.atUs : s.nowUs, tick: cur.tick + 1 });
  });
}
