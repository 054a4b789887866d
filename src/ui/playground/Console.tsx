// A console that speaks etcdctl (issue 7): a command line against a chosen node, its answer
// printed as etcdctl prints it (always as text, never markup), up/down history, Tab completion
// of command names and flags. Commands run as recorded actions, so share links replay them.
import { useEffect, useRef, useState } from 'react';
import { complete } from '../../etcdctl/parse';
import { MAX_ETCDCTL_LENGTH } from '../../sim/actions';
import { runLine } from './console';
import { print, prompt } from './console-output';
import { DisclosurePanel } from './Disclosure';
import { clientTargets, NodeSelect } from './panels';
import { usePlayground } from './store';

export function ConsolePanel() {
  return (
    <DisclosurePanel name="console" title="Console">
      <ConsoleBody />
    </DisclosurePanel>
  );
}

function ConsoleBody() {
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

  useEffect(() => {
    const el = scroll.current;
    if (el) el.scrollTop = el.scrollHeight;
  }, [lines]);
  useEffect(() => input.current?.focus(), []);

  const target = ids.includes(node) ? node : (ids[0] ?? 1);

  const onKeyDown = (e: React.KeyboardEvent<HTMLInputElement>) => {
    if (e.key === 'ArrowUp' || e.key === 'ArrowDown') {
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
            Type an etcdctl command, such as <code>put foo bar</code> or{' '}
            <code>get foo -w json</code>; <code>help</code> lists them all.
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
      </form>
      <p id="console-keys" className="hint">
        Enter runs · ↑/↓ history · Tab completes commands and flags · <code>clear</code> empties
        this
      </p>
    </div>
  );
}
