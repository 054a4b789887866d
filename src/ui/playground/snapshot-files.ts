// The snapshot files the console works with (etcdctl snapshot save / status / restore): those
// saved in this run (Session.backups, under the name given to `snapshot save`) and those uploaded
// in this tab (under their file name). Saving downloads the file; restoring one starts a new run
// whose members all start from it (scenario.restore), so the run stays replayable and shareable.
import { BackupError, decodeBackup, type Backup } from '../../mvcc/backup';
import { toBase64Url } from '../../scenario/link-codec';
import { parseScenario, MAX_RESTORE_BYTES } from '../../scenario/schema';
import type { Session } from '../../sim/session';
import { exclusive } from './exclusive';
import { usePlayground } from './store';
import { closeSession, openSession, warmUp } from './useSession';

/** The largest file the console takes as an upload (status reads it whole). */
export const MAX_UPLOAD_BYTES = 64 * 1024 * 1024;

const uploads = new Map<string, Uint8Array>();

/** Keeps an uploaded file; throws if it is too large to read. */
export function addUpload(name: string, bytes: Uint8Array): void {
  if (bytes.length > MAX_UPLOAD_BYTES)
    throw new Error(
      `${name} is ${bytes.length} bytes; the console takes files up to ${MAX_UPLOAD_BYTES / 1024 / 1024} MiB`,
    );
  uploads.set(name, bytes);
}

/** A file by name: uploaded in this tab, or saved in this run (also by its last path element). */
export function findFile(name: string, s: Session | null): Uint8Array | undefined {
  return uploads.get(name) ?? s?.backups.get(name) ?? uploads.get(baseName(name));
}

export function baseName(path: string): string {
  return path.split('/').filter(Boolean).pop() ?? path;
}

/** Hands `bytes` to the browser as a download named after the path's last element. */
export function download(path: string, bytes: Uint8Array): void {
  const blob = new Blob([bytes as Uint8Array<ArrayBuffer>], { type: 'application/octet-stream' });
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = baseName(path);
  document.body.append(a);
  a.click();
  a.remove();
  // the download has its own reference to the blob by now
  setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
}

/** etcdctl's error for a file that is not there, with where files come from here. */
export function noSuchFile(op: 'stat' | 'open', name: string): string {
  return `${op} ${name}: no such file or directory (upload it with “Upload snapshot file”, or save one with snapshot save)`;
}

/**
 * etcdctl snapshot restore into a new run: the file is checked first (a damaged one throws a
 * BackupError and the current run goes on untouched), then a run with the current settings, seed
 * and clients starts with every member restored from it. Returns the checked backup.
 */
export async function restoreRun(
  file: string,
  bytes: Uint8Array,
  skipHashCheck: boolean,
): Promise<Backup> {
  const backup = decodeBackup(bytes, { skipHashCheck });
  if (bytes.length > MAX_RESTORE_BYTES)
    throw new BackupError(
      `${file} is ${bytes.length} bytes; raftlab restores snapshot files of up to ${MAX_RESTORE_BYTES / 1024 / 1024} MiB`,
    );
  await exclusive(async () => {
    const st = usePlayground.getState();
    const s = st.session;
    if (!s) throw new Error('no run is open');
    const scenario = parseScenario({
      ...s.scenario,
      settings: s.cluster.settings,
      actions: [],
      cursorUs: 0,
      cursorEvents: undefined,
      restore: {
        file: baseName(file),
        snapshot: toBase64Url(bytes),
        ...(skipHashCheck ? { skipHashCheck } : {}),
      },
    });
    st.set({ busy: true, playing: false });
    try {
      const next = await openSession(scenario);
      await warmUp(next);
      await closeSession(s);
      usePlayground.getState().set({
        session: next,
        viewUs: next.nowUs,
        selectedNode: null,
        banner: null,
        playing: true,
      });
    } finally {
      usePlayground.getState().set({ busy: false });
    }
  });
  return backup;
}
