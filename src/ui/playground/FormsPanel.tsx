// Forms for the console's operations (issue 7), for those who prefer clicking: pick an
// operation, fill its fields, and Run sends the etcdctl command it shows through the console
// (forms.ts builds it). Its answer prints below the form and in the Console, as typed ones do.
import { useState } from 'react';
import { runLine } from './console';
import { initialValues, OPERATION_FORMS, type FormField, type OperationForm } from './forms';
import { NodeSelect } from './panels';
import { usePlayground } from './store';

/** How many of the console's lines since the last Run show under the form. */
const SHOWN_LINES = 30;

/** The panel's body (lazy-panels.tsx loads it when the panel opens). */
export function FormsBody() {
  const session = usePlayground((s) => s.session);
  const lines = usePlayground((s) => s.consoleLines);
  usePlayground((s) => s.tick);
  const ids = session?.cluster.conductor.nodeIds() ?? [];
  const [node, setNode] = useState(1);
  const [formId, setFormId] = useState(OPERATION_FORMS[0]!.id);
  const form = OPERATION_FORMS.find((f) => f.id === formId) ?? OPERATION_FORMS[0]!;
  const [values, setValues] = useState(() => initialValues(form));
  /** The first console line of the last Run: what it printed, and what came after. */
  const [fromLine, setFromLine] = useState<number | null>(null);
  const target = ids.includes(node) ? node : (ids[0] ?? 1);
  const line = form.build(values);

  const choose = (next: OperationForm) => {
    setFormId(next.id);
    setValues(initialValues(next));
  };
  const run = () => {
    const st = usePlayground.getState();
    const last = st.consoleLines[st.consoleLines.length - 1];
    setFromLine((last?.id ?? 0) + 1);
    void runLine(target, line);
  };
  const shown = fromLine === null ? [] : lines.filter((l) => l.id >= fromLine);

  return (
    <div id="forms-body" className="forms-body">
      <form
        className="op-form"
        onSubmit={(e) => {
          e.preventDefault();
          run();
        }}
      >
        <div className="op-form-head">
          <label>
            Operation{' '}
            <select
              value={form.id}
              onChange={(e) => choose(OPERATION_FORMS.find((f) => f.id === e.target.value)!)}
            >
              {OPERATION_FORMS.map((f) => (
                <option key={f.id} value={f.id}>
                  {f.title}
                </option>
              ))}
            </select>
          </label>
          <NodeSelect ids={ids} value={target} onChange={setNode} />
        </div>
        <fieldset className="op-fields">
          <legend>{form.title}</legend>
          {form.fields.map((f) => (
            <Field
              key={`${form.id}.${f.name}`}
              field={f}
              value={values[f.name]!}
              onChange={(v) => setValues({ ...values, [f.name]: v })}
            />
          ))}
          {form.fields.length === 0 && <p className="hint">Nothing to fill in.</p>}
        </fieldset>
        <p className="op-command">
          Runs <code data-testid="form-command">{`etcdctl ${line}`}</code>
        </p>
        <button type="submit" disabled={!session}>
          Run
        </button>
      </form>
      {shown.length > 0 && (
        <div className="op-output" role="log" aria-live="polite" data-testid="form-output">
          {shown.slice(-SHOWN_LINES).map((l) => (
            <pre key={l.id} className={`console-line ${l.kind}`}>
              {l.text}
            </pre>
          ))}
        </div>
      )}
      <p className="hint">
        Each Run is the console's command against n{target}: it is recorded, so a share link replays
        it, and it prints in the Console too.
      </p>
    </div>
  );
}

function Field(props: {
  field: FormField;
  value: string | boolean;
  onChange(v: string | boolean): void;
}) {
  const { field: f, value } = props;
  if (f.kind === 'flag')
    return (
      <label className="op-flag">
        <input
          type="checkbox"
          checked={value === true}
          onChange={(e) => props.onChange(e.target.checked)}
        />{' '}
        <code>{f.label}</code>
      </label>
    );
  if (f.kind === 'choice')
    return (
      <label>
        {f.label}{' '}
        <select value={String(value)} onChange={(e) => props.onChange(e.target.value)}>
          {f.choices!.map((c) => (
            <option key={c} value={c}>
              {c}
            </option>
          ))}
        </select>
      </label>
    );
  return (
    <label>
      {f.label}
      {f.optional ? ' (optional)' : ''}{' '}
      <input
        value={String(value)}
        inputMode={f.kind === 'number' ? 'numeric' : undefined}
        maxLength={256}
        spellCheck={false}
        autoComplete="off"
        onChange={(e) => props.onChange(e.target.value)}
      />
    </label>
  );
}
