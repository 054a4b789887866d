// The settings panel. Most settings change in the running cluster: applying them records settings
// actions (set-timing, set-read-path, set-backend, set-disk, set-network, set-auth) at the place
// being viewed, as every other action is recorded (forking the run when viewing the past), so a
// share link replays them there. Cluster size, seed, the aged file, the proxy and the unsafe
// settings shape a run from its first event: changing them starts a new run. The panel says which settings are in effect at the place viewed.
import { useEffect, useState } from 'react';
import {
  ScenarioError,
  UNSAFE_SETTINGS,
  parseSettings,
  type ClusterSettings,
  type UnsafeSetting,
} from '../../scenario/schema';
import { ACTIONS, settingsActions } from '../../sim/actions';
import { applySettings } from '../../sim/cluster';
import { describeSettings } from '../narration/settings';
import { act, settingsAt } from './actions';
import { exclusive } from './exclusive';
import { closeSession, openSession, warmUp } from './useSession';
import { usePlayground } from './store';

type Draft = Record<string, string | boolean>;

/** Settings that change in the running cluster: [setting, label, unit]. */
const LIVE_NUMBERS: [keyof ClusterSettings, string, string][] = [
  ['heartbeatMs', 'Heartbeat interval', 'ms'],
  ['electionTimeoutMs', 'Election timeout', 'ms'],
  ['batchIntervalMs', 'Batch interval', 'ms'],
  ['batchLimit', 'Batch limit', 'ops'],
  ['quotaBackendBytes', 'Space quota (--quota-backend-bytes)', 'bytes'],
  ['fsyncMs', 'fsync latency', 'ms'],
  ['networkLatencyMs', 'Network latency', 'ms'],
  ['networkJitterMs', 'Network jitter', 'ms'],
  ['clientLatencyMs', 'Client latency', 'ms'],
  ['networkLoss', 'Message loss', '0-1'],
  ['networkDuplicate', 'Message duplication', '0-1'],
  ['networkReorder', 'Message reordering', '0-1'],
  ['bcryptCost', 'bcrypt cost', '4-16'],
];

const CHOICES: [keyof ClusterSettings, string, readonly string[]][] = [
  ['readPath', 'Read path', ['read-index', 'lease', 'log', 'serializable']],
  ['lockMode', 'Backend lock mode', ['concurrent', 'rwlock', 'coarse']],
  ['freelistType', 'bbolt freelist', ['array', 'map']],
  ['authMode', 'Auth', ['off', 'token', 'bcrypt']],
];

const FLAGS: [keyof ClusterSettings, string][] = [
  ['preVote', 'PreVote'],
  ['checkQuorum', 'CheckQuorum'],
];

/** The unsafe settings, for teaching: what each one breaks. */
const UNSAFE_LABELS: Record<UnsafeSetting, string> = {
  'local-reads': 'local-reads: serve linearizable reads locally, without ReadIndex',
  'figure8-commit': 'figure8-commit: commit an entry of an earlier term by counting replicas',
  'ack-before-fsync': 'ack-before-fsync: acknowledge and send before the disk says durable',
  'no-vote-persist': 'no-vote-persist: grant a vote without persisting it',
  'skip-health-check': 'skip-health-check: remove members without the quorum check',
};

function toDraft(s: ClusterSettings, seed: number): Draft {
  const d: Draft = { seed: String(seed), size: String(s.size) };
  for (const u of UNSAFE_SETTINGS) d[`unsafe:${u}`] = s.unsafe.includes(u);
  d.proxy = s.proxy;
  d.agedFilePages = String(s.agedFilePages);
  for (const [k] of LIVE_NUMBERS) d[k] = String(s[k]);
  for (const [k] of CHOICES) d[k] = String(s[k]);
  for (const [k] of FLAGS) d[k] = s[k] === true;
  return d;
}

/** The draft as settings over `base` (checked as a scenario's are), and its seed. */
function fromDraft(d: Draft, base: ClusterSettings): { settings: ClusterSettings; seed: number } {
  const raw: Record<string, unknown> = { ...base, size: Number(d.size) };
  for (const [k] of LIVE_NUMBERS) raw[k] = Number(d[k]);
  for (const [k] of CHOICES) raw[k] = d[k];
  for (const [k] of FLAGS) raw[k] = d[k];
  raw.unsafe = UNSAFE_SETTINGS.filter((u) => d[`unsafe:${u}`] === true);
  raw.proxy = d.proxy === true;
  raw.agedFilePages = Number(d.agedFilePages);
  const seed = Number(d.seed);
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff)
    throw new ScenarioError('seed', 'must be a whole number from 0 to 4294967295');
  return { settings: parseSettings(raw), seed };
}

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

/** A labelled number input with its unit after it. */
function NumberField(props: {
  label: string;
  unit: string;
  value: string | boolean | undefined;
  onChange: (e: React.ChangeEvent<HTMLInputElement>) => void;
  inputMode: 'decimal' | 'numeric';
}) {
  return (
    <label>
      {props.label}
      <span>
        <input
          inputMode={props.inputMode}
          value={String(props.value)}
          onChange={props.onChange}
          aria-label={props.label}
        />{' '}
        {props.unit}
      </span>
    </label>
  );
}

export function Settings() {
  const session = usePlayground((s) => s.session);
  const viewUs = usePlayground((s) => s.viewUs);
  usePlayground((s) => s.tick); // the settings in effect move with the run
  const [draft, setDraft] = useState<Draft | null>(null);
  const [error, setError] = useState('');
  const [note, setNote] = useState('');
  useEffect(() => {
    if (session) setDraft(toDraft(session.cluster.settings, session.scenario.seed));
  }, [session]);
  if (!session || !draft) return null;
  const inEffect = settingsAt(session, viewUs);
  const changes = session.scenario.actions.filter(
    (a) => a.atUs <= viewUs && ACTIONS[a.kind]?.settings !== undefined,
  ).length;
  const field = (k: string) => (e: React.ChangeEvent<HTMLInputElement | HTMLSelectElement>) =>
    setDraft({
      ...draft,
      [k]:
        e.target instanceof HTMLInputElement && e.target.type === 'checkbox'
          ? e.target.checked
          : e.target.value,
    });
  const applyLive = async () => {
    setNote('');
    try {
      // The live fields only: size and seed are for a new run.
      const { settings } = fromDraft({ ...draft, size: String(inEffect.size) }, inEffect);
      const actions = settingsActions(inEffect, settings);
      if (actions.length === 0) {
        setError('');
        setNote('Nothing to change: these are the settings in effect.');
        return;
      }
      // Refuse here what the cluster would refuse, rather than record a failed action.
      const patch: Partial<ClusterSettings> = {};
      for (const a of actions) Object.assign(patch, ACTIONS[a.kind]!.settings!({ atUs: 0, ...a }));
      applySettings(inEffect, patch);
      setError('');
      for (const a of actions) await act(a);
      setNote(`Recorded in this run: ${actions.map((a) => a.kind).join(', ')}.`);
    } catch (err) {
      setError(message(err));
    }
  };
  const restart = () =>
    exclusive(async () => {
      try {
        const { settings, seed } = fromDraft(draft, inEffect);
        setError('');
        setNote('');
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
        setError(message(err));
      }
    });
  return (
    <section className="panel" aria-labelledby="settings-title">
      <details>
        <summary>
          <h2 id="settings-title">Settings</h2>
        </summary>
        <p className="hint" data-testid="settings-in-effect">
          {`In effect here: ${describeSettings(inEffect)}`}
          {changes > 0 ? ` (${changes} settings action${changes === 1 ? '' : 's'} so far).` : '.'}
        </p>
        <form className="settings" onSubmit={(e) => e.preventDefault()}>
          <fieldset>
            <legend>Change in this run, from the moment viewed</legend>
            {LIVE_NUMBERS.map(([k, label, unit]) => (
              <NumberField
                key={k}
                label={label}
                unit={unit}
                value={draft[k]}
                onChange={field(k)}
                inputMode="decimal"
              />
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
            {FLAGS.map(([k, label]) => (
              <label key={k}>
                {label} <input type="checkbox" checked={draft[k] === true} onChange={field(k)} />
              </label>
            ))}
            <div className="buttons">
              <button type="button" onClick={() => void applyLive()}>
                Apply now
              </button>
            </div>
            <p className="hint">
              Each change is an action of this run, recorded where it happens and replayed by its
              link. Looking at the past, it forks the run there.
            </p>
          </fieldset>
          <fieldset>
            <legend>Start a new run</legend>
            <NumberField
              label="Cluster size"
              unit="nodes"
              value={draft.size}
              onChange={field('size')}
              inputMode="numeric"
            />
            <label>
              Seed
              <input value={String(draft.seed)} onChange={field('seed')} aria-label="Seed" />
            </label>
            <NumberField
              label="Aged bbolt file"
              unit="pages (0: a new file)"
              value={draft.agedFilePages}
              onChange={field('agedFilePages')}
              inputMode="numeric"
            />
            <p className="hint">
              An aged file starts each member&apos;s bbolt file with a long-running store&apos;s
              history: that many pages, most of them cold data and the rest free runs fragmented as
              years of first-fit allocation leave them (synthetic; story 15 uses 1,000,000). The
              run&apos;s own keys stay real.
            </p>
            <label className="flag">
              <input type="checkbox" checked={draft.proxy === true} onChange={field('proxy')} />{' '}
              gRPC proxy in front: workload clients call it (it caches serializable gets and
              coalesces watches)
            </label>
            <fieldset className="unsafe">
              <legend>Unsafe, for teaching (off in etcd)</legend>
              {UNSAFE_SETTINGS.map((u) => (
                <label key={u} className="flag">
                  <input
                    type="checkbox"
                    checked={draft[`unsafe:${u}`] === true}
                    onChange={field(`unsafe:${u}`)}
                  />{' '}
                  {UNSAFE_LABELS[u]}
                </label>
              ))}
            </fieldset>
            <p className="hint">
              Cluster size, seed, the aged file, the proxy and the unsafe settings shape a run from
              its first event: changing any of them starts a new run (with every setting above as
              its initial settings). Each unsafe setting breaks a rule Raft or etcd relies on; the
              invariant checker stops the run where it breaks something.
            </p>
            <div className="buttons">
              <button type="button" onClick={() => void restart()}>
                New run with these settings
              </button>
            </div>
          </fieldset>
          {error && (
            <p className="error" role="alert">
              {error}
            </p>
          )}
          <p className="hint" aria-live="polite">
            {note}
          </p>
        </form>
      </details>
    </section>
  );
}
