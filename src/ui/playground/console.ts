// The console's commands (Console.tsx draws it): a line typed against a node is parsed here
// first, so a malformed one, `help` or `clear` is answered at once and never recorded; a good one
// becomes an `etcdctl` action (recorded, so a share link replays it), whose answer prints through
// console-output.ts.
import { formatSnapshotSaved, formatSnapshotStatus } from '../../etcdctl/format';
import { EtcdctlError, parseEtcdctl, type SnapshotCommand } from '../../etcdctl/parse';
import { decodeBackup } from '../../mvcc/backup';
import { act } from './actions';
import { actionFailed, expectAnswer, print, prompt } from './console-output';
import { download, findFile, noSuchFile, restoreRun } from './snapshot-files';
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
  if ('text' in parsed) {
    print('output', parsed.text);
    return;
  }
  if (!st.session || st.busy) {
    print('error', 'Error: the playground is busy; try again in a moment');
    return;
  }
  if (!('request' in parsed)) return runSnapshot(node, parsed);
  expectAnswer(node, command);
  const error = await actFailure({ kind: 'etcdctl', node, command });
  if (error !== undefined) actionFailed(node, command, error);
}

/**
 * Performs an action as the console's; the error it was recorded with if performing it failed
 * (the run goes on), so the console says so too.
 */
async function actFailure(action: {
  kind: string;
  [arg: string]: unknown;
}): Promise<string | undefined> {
  const before = usePlayground.getState().session;
  if (!before) return 'no run is open';
  const from = before.timeline.length;
  await act(action);
  const s = usePlayground.getState().session;
  if (s !== before || !s) return undefined;
  for (let i = from; i < s.timeline.length; i++) {
    const r = s.timeline.record(i);
    if (r?.kind === 'action-failed' && r.action === action.kind) return String(r.error);
  }
  return undefined;
}

/** etcdctl snapshot save / status / restore (snapshot-files.ts has the files). */
async function runSnapshot(node: number, cmd: SnapshotCommand): Promise<void> {
  const fail = (message: string) => print('error', `Error: ${message}`);
  if (cmd.name === 'snapshot save') {
    // a recorded action (snapshot-save): a later snapshot-restore in this run, and a replay, find it
    const error = await actFailure({ kind: 'snapshot-save', node, file: cmd.file });
    if (error !== undefined) return fail(error);
    const bytes = usePlayground.getState().session?.backups.get(cmd.file);
    if (!bytes) return fail(`${cmd.file} was not saved`);
    download(cmd.file, bytes);
    print('output', formatSnapshotSaved(cmd.file));
    return;
  }
  const bytes = findFile(cmd.file, usePlayground.getState().session);
  if (!bytes) return fail(noSuchFile(cmd.name === 'snapshot status' ? 'stat' : 'open', cmd.file));
  try {
    if (cmd.name === 'snapshot status') {
      // etcdctl's status reads the file without comparing its hash
      const { status } = decodeBackup(bytes, { skipHashCheck: true });
      print('output', formatSnapshotStatus(status, cmd.output));
      return;
    }
    const backup = await restoreRun(cmd.file, bytes, cmd.skipHashCheck);
    const s = usePlayground.getState().session;
    const members = s?.cluster.conductor.nodeIds() ?? [];
    print(
      'output',
      `restored snapshot ${cmd.file} (revision ${backup.status.revision}) into a new cluster: a new run, members ${members.map((n) => `n${n}`).join(', ')}`,
    );
  } catch (e) {
    fail(e instanceof Error ? e.message : String(e));
  }
}
