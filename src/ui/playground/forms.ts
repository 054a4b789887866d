// The console's operations as forms, for those who prefer clicking (issue 7). A form only builds
// the etcdctl command line it stands for and runs it through the console, so it does exactly
// what typing it would do (parsed, recorded as an action, printed as etcdctl prints it), and the
// person sees the command it ran: the forms teach the console.
import { shellWord } from '../../etcdctl/parse';

export type FieldKind = 'text' | 'number' | 'flag' | 'choice';

export interface FormField {
  name: string;
  label: string;
  kind: FieldKind;
  /** Choices of a 'choice' field, the first the default. */
  choices?: readonly string[];
  /** The starting value (text and number fields). */
  initial?: string;
  /** Left empty, the field is left out of the command. */
  optional?: boolean;
}

export interface OperationForm {
  id: string;
  title: string;
  fields: readonly FormField[];
  /** The etcdctl command line (without `etcdctl`) for these values. */
  build(v: FormValues): string;
}

export type FormValues = Readonly<Record<string, string | boolean>>;

const text = (v: FormValues, name: string): string => {
  const x = v[name];
  return typeof x === 'string' ? x : '';
};
const flag = (v: FormValues, name: string, out = `--${name}`): string[] =>
  v[name] === true ? [out] : [];
const opt = (v: FormValues, name: string, out = `--${name}`): string[] =>
  text(v, name).trim() === '' ? [] : [`${out}=${shellWord(text(v, name).trim())}`];
/** Positional arguments: the named fields' values, empty optional ones left out. */
const args = (v: FormValues, ...names: string[]): string[] =>
  names.map((n) => text(v, n)).filter((x, i) => x !== '' || i === 0);

/**
 * A command line: its words, then the positional arguments and the flags. An argument that
 * starts with '-' would read as a flag, so then the flags come first and `--` ends them, as
 * etcdctl (pflag) wants: `put -- -k v`.
 */
function command(name: string, positional: readonly string[], flags: readonly string[]): string {
  const words = positional.map(shellWord);
  const dashed = positional.some((p) => p.startsWith('-'));
  return (dashed ? [name, ...flags, '--', ...words] : [name, ...words, ...flags]).join(' ');
}

/** A txn operation line: put k v, get k or del k. */
function txnOp(v: FormValues, prefix: string): string {
  const op = text(v, `${prefix}Op`);
  const key = text(v, `${prefix}Key`);
  return command(op, op === 'put' ? [key, text(v, `${prefix}Value`)] : [key], []);
}

/** A txn compare as etcdctl reads it: value("k") = "v", with the key and value JSON-quoted. */
function txnCompare(v: FormValues): string {
  const target = text(v, 'target');
  // etcdctl reads it with Sscanf("%q) %s %q"): the right side is quoted for every target
  return `${target}(${JSON.stringify(text(v, 'key'))}) ${text(v, 'op')} ${JSON.stringify(text(v, 'against'))}`;
}

const TXN_OPS = ['put', 'get', 'del'] as const;
const LEASE = 'Lease ID (hex)';
/** A key, or a range of keys: from key to range end, or every key with the key as prefix. */
const KEY_RANGE: readonly FormField[] = [
  { name: 'key', label: 'Key', kind: 'text', initial: 'greeting' },
  { name: 'rangeEnd', label: 'Range end', kind: 'text', optional: true },
  { name: 'prefix', label: '--prefix', kind: 'flag' },
];

/**
 * A command of one argument (an ID, a TTL, a revision), with flags always given (`fixed`) and at
 * most one the person may set (`option`, e.g. --keys).
 */
function oneArgument(
  id: string,
  title: string,
  name: string,
  label: string,
  initial = '',
  more: { fixed?: string[]; option?: string } = {},
): OperationForm {
  const option = more.option;
  const fields: FormField[] = [{ name: 'arg', label, kind: 'text', initial }];
  if (option) fields.push({ name: option, label: `--${option}`, kind: 'flag' });
  return {
    id,
    title,
    fields,
    build: (v) =>
      command(name, args(v, 'arg'), [...(more.fixed ?? []), ...(option ? flag(v, option) : [])]),
  };
}

/** A command of no argument that etcdctl can also print as a table. */
function tableOrNot(id: string, title: string, name: string): OperationForm {
  return {
    id,
    title,
    fields: [{ name: 'table', label: '-w table', kind: 'flag' }],
    build: (v) => command(name, [], flag(v, 'table', '-w table')),
  };
}

export const OPERATION_FORMS: readonly OperationForm[] = [
  {
    id: 'get',
    title: 'Get a key or a range',
    fields: [
      ...KEY_RANGE,
      { name: 'rev', label: '--rev', kind: 'number', optional: true },
      { name: 'limit', label: '--limit', kind: 'number', optional: true },
      { name: 'keys-only', label: '--keys-only', kind: 'flag' },
      { name: 'consistency', label: '--consistency', kind: 'choice', choices: ['l', 's'] },
    ],
    build: (v) =>
      command('get', args(v, 'key', 'rangeEnd'), [
        ...flag(v, 'prefix'),
        ...opt(v, 'rev'),
        ...opt(v, 'limit'),
        ...flag(v, 'keys-only'),
        ...(text(v, 'consistency') === 's' ? ['--consistency=s'] : []),
      ]),
  },
  {
    id: 'del',
    title: 'Delete a key or a range',
    fields: [...KEY_RANGE, { name: 'prev-kv', label: '--prev-kv', kind: 'flag' }],
    build: (v) =>
      command('del', args(v, 'key', 'rangeEnd'), [...flag(v, 'prefix'), ...flag(v, 'prev-kv')]),
  },
  {
    id: 'txn',
    title: 'Transaction: if, then, else',
    fields: [
      {
        name: 'target',
        label: 'If',
        kind: 'choice',
        choices: ['value', 'version', 'create', 'mod'],
      },
      { name: 'key', label: 'of key', kind: 'text', initial: 'greeting' },
      { name: 'op', label: 'is', kind: 'choice', choices: ['=', '!=', '>', '<'] },
      { name: 'against', label: 'than / to', kind: 'text', initial: 'hello' },
      { name: 'thenOp', label: 'Then', kind: 'choice', choices: TXN_OPS },
      { name: 'thenKey', label: 'key', kind: 'text', initial: 'greeting' },
      { name: 'thenValue', label: 'value (put)', kind: 'text', initial: 'hi' },
      { name: 'elseOp', label: 'Else', kind: 'choice', choices: ['get', 'put', 'del'] },
      { name: 'elseKey', label: 'key', kind: 'text', initial: 'greeting' },
      { name: 'elseValue', label: 'value (put)', kind: 'text', initial: '' },
    ],
    build: (v) => command('txn', [txnCompare(v), txnOp(v, 'then'), txnOp(v, 'else')], []),
  },
  {
    id: 'watch',
    title: 'Watch a key or a range',
    fields: [
      ...KEY_RANGE,
      { name: 'prev-kv', label: '--prev-kv', kind: 'flag' },
      { name: 'rev', label: '--rev', kind: 'number', optional: true },
    ],
    build: (v) =>
      command('watch', args(v, 'key', 'rangeEnd'), [
        ...flag(v, 'prefix'),
        ...flag(v, 'prev-kv'),
        ...opt(v, 'rev'),
      ]),
  },
  oneArgument('compaction', 'Compact the history', 'compaction', 'Revision', '1', {
    option: 'physical',
  }),
  oneArgument('lease-grant', 'Grant a lease', 'lease grant', 'TTL (s)', '60'),
  {
    id: 'lease-put',
    title: 'Put a key with a lease',
    fields: [
      { name: 'key', label: 'Key', kind: 'text', initial: 'session' },
      { name: 'value', label: 'Value', kind: 'text', initial: 'alive' },
      { name: 'lease', label: LEASE, kind: 'text', initial: '' },
    ],
    build: (v) => command('put', [text(v, 'key'), text(v, 'value')], opt(v, 'lease')),
  },
  oneArgument('lease-keep-alive', 'Keep a lease alive (once)', 'lease keep-alive', LEASE, '', {
    fixed: ['--once'],
  }),
  oneArgument('lease-timetolive', 'A lease’s time to live', 'lease timetolive', LEASE, '', {
    option: 'keys',
  }),
  oneArgument('lease-revoke', 'Revoke a lease', 'lease revoke', LEASE),
  { id: 'lease-list', title: 'List the leases', fields: [], build: () => 'lease list' },
  tableOrNot('member-list', 'List the members', 'member list'),
  oneArgument('member-add', 'Add a member', 'member add', 'Name', 'n4', { option: 'learner' }),
  oneArgument('member-remove', 'Remove a member', 'member remove', 'Member ID (hex)', '3'),
  oneArgument('member-promote', 'Promote a learner', 'member promote', 'Member ID (hex)', '4'),
  oneArgument('move-leader', 'Move leadership', 'move-leader', 'To member ID (hex)', '2'),
  tableOrNot('endpoint-status', 'Endpoint status', 'endpoint status'),
];

/** A form's starting values. */
export function initialValues(form: OperationForm): Record<string, string | boolean> {
  const v: Record<string, string | boolean> = {};
  for (const f of form.fields) {
    v[f.name] =
      f.kind === 'flag' ? false : f.kind === 'choice' ? f.choices![0]! : (f.initial ?? '');
  }
  return v;
}
