import { useEffect, useState } from 'react';
import { ScenarioError, parseSettings, type ClusterSettings } from '../../scenario/schema';
import { act } from './actions';
import { exclusive } from './exclusive';
import { closeSession, openSession, warmUp } from './useSession';
import { usePlayground } from './store';

type Draft = Record<string, string | boolean>;

const NUMBER_FIELDS: [keyof ClusterSettings, string, string][] = [
  ['size', 'Cluster size', 'nodes'],
  ['heartbeatMs', 'Heartbeat interval', 'ms'],
  ['electionTimeoutMs', 'Election timeout', 'ms'],
  ['batchIntervalMs', 'Batch interval', 'ms'],
  ['batchLimit', 'Batch limit', 'ops'],
  ['fsyncMs', 'fsync latency', 'ms'],
  ['networkLatencyMs', 'Network latency', 'ms'],
  ['networkJitterMs', 'Network jitter', 'ms'],
  ['networkLoss', 'Message loss', '0-1'],
];

const CHOICES: [keyof ClusterSettings, string, readonly string[]][] = [
  ['readPath', 'Read path', ['read-index', 'lease', 'log', 'serializable']],
  ['lockMode', 'Backend lock mode', ['concurrent', 'rwlock', 'coarse']],
  ['authMode', 'Auth', ['off', 'token', 'bcrypt']],
];

function toDraft(s: ClusterSettings, seed: number): Draft {
  const d: Draft = { seed: String(seed) };
  for (const [k] of NUMBER_FIELDS) d[k] = String(s[k]);
  for (const [k] of CHOICES) d[k] = String(s[k]);
  d.preVote = s.preVote;
  d.checkQuorum = s.checkQuorum;
  return d;
}

function fromDraft(d: Draft, base: ClusterSettings): { settings: ClusterSettings; seed: number } {
  const raw: Record<string, unknown> = { ...base };
  for (const [k] of NUMBER_FIELDS) raw[k] = Number(d[k]);
  for (const [k] of CHOICES) raw[k] = d[k];
  raw.preVote = d.preVote;
  raw.checkQuorum = d.checkQuorum;
  const seed = Number(d.seed);
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff)
    throw new ScenarioError('seed', 'must be a whole number from 0 to 4294967295');
  return { settings: parseSettings(raw), seed };
}

export function Settings() {
  const session = usePlayground((s) => s.session);
  const [draft, setDraft] = useState<Draft | null>(null);
  const [error, setError] = useState('');
  useEffect(() => {
    if (session) setDraft(toDraft(session.scenario.settings, session.scenario.seed));
  }, [session]);
  if (!session || !draft) return null;
  const field = (k: string) => (e: React.ChangeEvent<HTMLInputElement | HTMLSelectElement>) =>
    setDraft({
      ...draft,
      [k]:
        e.target instanceof HTMLInputElement && e.target.type === 'checkbox'
          ? e.target.checked
          : e.target.value,
    });
  const applyLive = async () => {
    try {
      const { settings } = fromDraft(draft, session.scenario.settings);
      setError('');
      await act({
        kind: 'set-network',
        latencyMs: settings.networkLatencyMs,
        jitterMs: settings.networkJitterMs,
        loss: settings.networkLoss,
      });
      await act({ kind: 'set-disk', fsyncMs: settings.fsyncMs });
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    }
  };
  const restart = () =>
    exclusive(async () => {
      try {
        const { settings, seed } = fromDraft(draft, session.scenario.settings);
        setError('');
        const st = usePlayground.getState();
        st.set({ busy: true, playing: false });
        const next = await openSession({
          ...session.scenario,
          seed,
          settings,
          actions: [],
          cursorUs: 0,
        });
        await warmUp(next);
        await closeSession(st.session);
        usePlayground.getState().set({
          session: next,
          viewUs: next.nowUs,
          selectedNode: null,
          busy: false,
          playing: true,
        });
      } catch (err) {
        usePlayground.getState().set({ busy: false });
        setError(err instanceof Error ? err.message : String(err));
      }
    });
  return (
    <section className="panel" aria-labelledby="settings-title">
      <details>
        <summary>
          <h2 id="settings-title">Settings</h2>
        </summary>
        <form className="settings" onSubmit={(e) => e.preventDefault()}>
          {NUMBER_FIELDS.map(([k, label, unit]) => (
            <label key={k}>
              {label}
              <span>
                <input
                  inputMode="decimal"
                  value={String(draft[k])}
                  onChange={field(k)}
                  aria-label={label}
                />{' '}
                {unit}
              </span>
            </label>
          ))}
          {CHOICES.map(([k, label, options]) => (
            <label key={k}>
              {label}
              <select value={String(draft[k])} onChange={field(k)} aria-label={label}>
                {options.map((o) => (
                  <option key={o}>{o}</option>
                ))}
              </select>
            </label>
          ))}
          <label>
            PreVote{' '}
            <input type="checkbox" checked={draft.preVote === true} onChange={field('preVote')} />
          </label>
          <label>
            CheckQuorum{' '}
            <input
              type="checkbox"
              checked={draft.checkQuorum === true}
              onChange={field('checkQuorum')}
            />
          </label>
          <label>
            Seed <input value={String(draft.seed)} onChange={field('seed')} aria-label="Seed" />
          </label>
          {error && (
            <p className="error" role="alert">
              {error}
            </p>
          )}
          <div className="buttons">
            <button type="button" onClick={() => void applyLive()}>
              Apply network and disk now
            </button>
            <button type="button" onClick={() => void restart()}>
              New run with these settings
            </button>
          </div>
          <p className="hint">
            Network and disk changes are actions in this run (and in its link); the rest start a new
            run.
          </p>
        </form>
      </details>
    </section>
  );
}
