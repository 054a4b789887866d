// A console that speaks etcdctl (issue 7): a command line against a chosen node, its answer
// printed as etcdctl prints it (always as text, never markup), up/down history, Tab completion
// of command names and flags. Commands run as recorded actions, so share links replay them.
import { useEffect, useRef, useState } from 'react';
import { complete } from '../../etcdctl/parse';
import { MAX_ETCDCTL_LENGTH } from '../../sim/actions';
import { interrupt, runLine } from './console';
import { print, prompt } from './console-output';
import { addUpload } from './snapshot-files';
import { clientTargets, NodeSelect } from './panels';
import { usePlayground } from './store';

/** The panel's body (lazy-panels.tsx loads it when the panel opens). */
export function ConsoleBody() {
  const session = usePlayground((s) => s.session);
  const lines = usePlayground((s) => s.consoleLines);
  const history = usePlayground((s) => s.consoleHistory);
  usePlayground((s) => s.tick);
  const ids = clientTargets(session);
  const [node, setNode] = useState(1);
  const [line, setLine] = useState('');
  /** Where in the history up/down is: history.length means the line being typed. */
  const [at, setAt] = useState<number | null>(null);
  const [draft, setDraft] = useState('');
  const scroll = useRef<HTMLDivElement>(null);
  const input = useRef<HTMLInputElement>(null);
  const upload = useRef<HTMLInputElement>(null);

  useEffect(() => {
    const el = scroll.current;
    if (el) el.scrollTop = el.scrollHeight;
  }, [lines]);
  useEffect(() => input.current?.focus(), []);

  const target = ids.includes(node) ? node : (ids[0] ?? 1);

  const watching = session?.openWatches ?? 0;

  const onKeyDown = (e: React.KeyboardEvent<HTMLInputElement>) => {
    const el = e.currentTarget;
    if (e.key === 'c' && e.ctrlKey && !e.metaKey && el.selectionStart === el.selectionEnd) {
      // Ctrl+C with nothing selected is a terminal's interrupt (with a selection it copies).
      e.preventDefault();
      const typed = line;
      setLine('');
      setAt(null);
      void interrupt(target, typed);
    } else if (e.key === 'ArrowUp' || e.key === 'ArrowDown') {
      if (history.length === 0) return;
      e.preventDefault();
      const cur = at ?? history.length;
      if (cur === history.length) setDraft(line);
      const next = Math.max(0, Math.min(history.length, cur + (e.key === 'ArrowUp' ? -1 : 1)));
      setAt(next);
      setLine(next === history.length ? draft : history[next]!);
    } else if (e.key === 'Tab' && !e.shiftKey && line.trim() !== '') {
      // Tab completes while there is something to complete; otherwise it moves focus on.
      const c = complete(line);
      if (c.candidates.length === 0) return;
      e.preventDefault();
      if (c.line !== line) setLine(c.line);
      else print('output', c.candidates.join('  '));
    }
  };

  return (
    <div id="console-body" className="console-body">
      <div
        ref={scroll}
        className="console-scroll"
        role="log"
        aria-live="polite"
        aria-label="Console output"
        data-testid="console-output"
        tabIndex={0}
      >
        {lines.length === 0 && (
          <p className="hint">
            Type an etcdctl command, such as <code>put foo bar</code>, <code>get foo -w json</code>{' '}
            or <code>watch foo --prev-kv</code>; <code>help</code> lists them all.
          </p>
        )}
        {lines.map((l) => (
          // A table (-w table) keeps its lines whole and scrolls sideways instead of wrapping.
          <pre
            key={l.id}
            className={`console-line ${l.kind}${l.text.startsWith('+-') ? ' table' : ''}`}
          >
            {l.text}
          </pre>
        ))}
      </div>
      <form
        className="console-input"
        onSubmit={(e) => {
          e.preventDefault();
          const command = line;
          setLine('');
          setAt(null);
          void runLine(target, command);
        }}
      >
        <NodeSelect ids={ids} value={target} onChange={setNode} />
        <label className="console-command">
          <span aria-hidden="true" className="console-prompt">
            {prompt(target)}
          </span>
          <span className="visually-hidden">etcdctl command</span>
          <input
            ref={input}
            value={line}
            onChange={(e) => {
              setLine(e.target.value);
              setAt(null);
            }}
            onKeyDown={onKeyDown}
            maxLength={MAX_ETCDCTL_LENGTH}
            spellCheck={false}
            autoComplete="off"
            autoCapitalize="off"
            aria-describedby="console-keys"
          />
        </label>
        <button type="submit" disabled={!session || line.trim() === ''}>
          Run
        </button>
        {watching > 0 && (
          <button type="button" onClick={() => void interrupt(target, '')}>
            Stop watches
          </button>
        )}
      </form>
      <p id="console-keys" className="hint">
        Enter runs · ↑/↓ history · Tab completes commands and flags · Ctrl+C stops running watches
        {watching > 0 ? ` (${watching} streaming)` : ''} · <code>clear</code> empties this
      </p>
      <div className="buttons">
        <button type="button" onClick={() => upload.current?.click()}>
          Upload snapshot file
        </button>
        <input
          ref={upload}
          type="file"
          hidden
          aria-label="Upload a snapshot file"
          onChange={(e) => {
            const f = e.target.files?.[0];
            e.target.value = '';
            if (f) void uploadFile(f);
          }}
        />
      </div>
    </div>
  );
}

/** An uploaded snapshot file: kept for snapshot status and snapshot restore. */
async function uploadFile(f: File): Promise<void> {
  try {
    addUpload(f.name, new Uint8Array(await f.arrayBuffer()));
    const arg = /^[\w./-]+$/.test(f.name) ? f.name : `'${f.name.replace(/'/g, `'\\''`)}'`;
    print(
      'output',
      `uploaded ${f.name} (${f.size} bytes): try snapshot status ${arg} -w table, or snapshot restore ${arg}`,
    );
  } catch (e) {
    print('error', `Error: ${e instanceof Error ? e.message : String(e)}`);
  }
}
