// The console's scrollback (Console.tsx draws it, console.ts runs its commands): what is typed,
// and the answers to etcdctl actions, which come back through Session.onEtcdctlAnswer and print
// as etcdctl prints them, replayed ones (opening a share link) with the command they answer.
import { PROXY_NODE } from '../../sim/proxy-node';
import { formatResponse } from '../../etcdctl/format';
import { parseEtcdctl } from '../../etcdctl/parse';
import type { ClientResponse, WatchStreamResponse } from '../../server/requests';
import type { Session } from '../../sim/session';
import { usePlayground, type ConsoleLine } from './store';

/** The scrollback keeps this many entries; older ones go. */
const MAX_LINES = 500;

let nextLine = 1;
/** Commands sent from the console and not yet answered: their answer prints without an echo. */
const pending: { node: number; command: string }[] = [];

export const prompt = (node: number): string =>
  `${node === PROXY_NODE ? 'proxy' : `n${node}`}$ etcdctl `;

export function print(kind: ConsoleLine['kind'], text: string): void {
  const st = usePlayground.getState();
  const line = { id: nextLine++, kind, text: text.replace(/\n$/, '') };
  st.set({ consoleLines: [...st.consoleLines, line].slice(-MAX_LINES) });
}

/** Whether `command` sent to `node` from the console awaits its answer; forgets it if so. */
function wasPending(node: number, command: string): boolean {
  const i = pending.findIndex((p) => p.node === node && p.command === command);
  if (i >= 0) pending.splice(i, 1);
  return i >= 0;
}

function answer(node: number, command: string, r: ClientResponse): void {
  // A watch answers many times: only its first answer (created, or an error) stands for the
  // command; a replayed command (opening a link) was not typed here, so show it then.
  const streamed = r.ok && r.method === 'watch' && !(r.body as WatchStreamResponse).created;
  if (!streamed && !wasPending(node, command)) print('input', prompt(node) + command);
  // The run calls this: whatever goes wrong in printing must not stop the run.
  try {
    const cmd = parseEtcdctl(command);
    if (!('request' in cmd)) return;
    const text = formatResponse(cmd, r, node);
    if (text === '') return; // a watch's created response: etcdctl prints nothing
    const failed = !r.ok || text.startsWith('Error: ') || text.startsWith('watch was canceled');
    print(failed ? 'error' : 'output', text);
  } catch (e) {
    print('error', `Error: raftlab's console could not print the answer: ${String(e)}`);
  }
}

/** A watch whose member went down: etcdctl would retry another endpoint; the console says so. */
function watchEnded(_node: number, _command: string, reason: string): void {
  print('error', reason);
}

/** A command sent from the console: its answer will print without an echo. */
export function expectAnswer(node: number, command: string): void {
  pending.push({ node, command });
}

/** A command sent from the console that could not be performed (its node is gone, say). */
export function actionFailed(node: number, command: string, error: string): void {
  wasPending(node, command);
  print('error', `Error: ${error}`);
}

/** Makes `s` print its etcdctl answers into the console. */
export function attachConsole(s: Session): void {
  s.onEtcdctlAnswer = answer;
  s.onEtcdctlWatchEnd = watchEnded;
}
