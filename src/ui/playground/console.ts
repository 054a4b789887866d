// The console's commands (Console.tsx draws it): a line typed against a node is parsed here
// first, so a malformed one, `help` or `clear` is answered at once and never recorded; a good one
// becomes an `etcdctl` action (recorded, so a share link replays it), whose answer prints through
// console-output.ts.
import { EtcdctlError, parseEtcdctl } from '../../etcdctl/parse';
import { act } from './actions';
import { actionFailed, expectAnswer, print, prompt } from './console-output';
import { usePlayground } from './store';

const MAX_HISTORY = 200;

/**
 * Ctrl+C: echoes `^C` after what was typed and, if watches are streaming, stops them all (the
 * etcdctl-interrupt action, recorded so a share link stops them at the same place).
 */
export async function interrupt(node: number, typed: string): Promise<void> {
  print('input', prompt(node) + typed + '^C');
  const s = usePlayground.getState().session;
  if (!s || s.openWatches === 0) return;
  await act({ kind: 'etcdctl-interrupt' });
}

/** Runs one console line against `node`. */
export async function runLine(node: number, line: string): Promise<void> {
  const st = usePlayground.getState();
  const command = line.trim();
  if (command === '') return;
  const history = st.consoleHistory;
  if (history[history.length - 1] !== command)
    st.set({ consoleHistory: [...history, command].slice(-MAX_HISTORY) });
  print('input', prompt(node) + command);
  if (command === 'clear') {
    usePlayground.getState().set({ consoleLines: [] });
    return;
  }
  let parsed;
  try {
    parsed = parseEtcdctl(command);
  } catch (e) {
    if (!(e instanceof EtcdctlError)) throw e;
    print('error', `Error: ${e.message}`);
    return;
  }
  if (!('request' in parsed)) {
    print('output', parsed.text);
    return;
  }
  if (!st.session || st.busy) {
    print('error', 'Error: the playground is busy; try again in a moment');
    return;
  }
  expectAnswer(node, command);
  const from = st.session.timeline.length;
  await act({ kind: 'etcdctl', node, command });
  // Performing it failed (recorded in the trace, the run goes on): say so here too.
  const s = usePlayground.getState().session;
  if (s !== st.session || !s) return;
  for (let i = from; i < s.timeline.length; i++) {
    const r = s.timeline.record(i);
    if (r?.kind === 'action-failed' && r.action === 'etcdctl') {
      actionFailed(node, command, String(r.error));
      break;
    }
  }
}
