// The console's scrollback (Console.tsx draws it, console.ts runs its commands): what is typed,
// and the answers to etcdctl actions, which come back through Session.onEtcdctlAnswer and print
// as etcdctl prints them, replayed ones (opening a share link) with the command they answer.
import { formatResponse } from '../../etcdctl/format';
import { parseEtcdctl } from '../../etcdctl/parse';
import type { ClientResponse } from '../../server/requests';
import type { Session } from '../../sim/session';
import { usePlayground, type ConsoleLine } from './store';

/** The scrollback keeps this many entries; older ones go. */
const MAX_LINES = 500;

let nextLine = 1;
/** Commands sent from the console and not yet answered: their answer prints without an echo. */
const pending: { node: number; command: string }[] = [];

export const prompt = (node: number): string => `n${node}$ etcdctl `;

export function print(kind: ConsoleLine['kind'], text: string): void {
  const st = usePlayground.getState();
  const line = { id: nextLine++, kind, text: text.replace(/\n$/, '') };
  st.set({ consoleLines: [...st.consoleLines, line].slice(-MAX_LINES) });
}

function answer(node: number, command: string, r: ClientResponse): void {
  const i = pending.findIndex((p) => p.node === node && p.command === command);
  if (i >= 0) pending.splice(i, 1);
  else print('input', prompt(node) + command); // a replayed command: show what was typed
  const cmd = parseEtcdctl(command);
  if (!('request' in cmd)) return;
  const text = formatResponse(cmd, r, node);
  print(r.ok && !text.startsWith('Error: ') ? 'output' : 'error', text);
}

/** A command sent from the console: its answer will print without an echo. */
export function expectAnswer(node: number, command: string): void {
  pending.push({ node, command });
}

/** Makes `s` print its etcdctl answers into the console. */
export function attachConsole(s: Session): void {
  s.onEtcdctlAnswer = answer;
}
