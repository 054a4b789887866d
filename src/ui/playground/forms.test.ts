import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseEtcdctl } from '../../etcdctl/parse';
import { initialValues, OPERATION_FORMS, type FormValues } from './forms';

const form = (id: string) => {
  const f = OPERATION_FORMS.find((x) => x.id === id);
  if (!f) throw new Error(`no form ${id}`);
  return f;
};
const build = (id: string, values: FormValues = {}) =>
  form(id).build({ ...initialValues(form(id)), ...values });
const request = (line: string) => {
  const c = parseEtcdctl(line);
  if (!('request' in c)) throw new Error(`${line}: not a request`);
  return c.request;
};

describe('operation forms', () => {
  it('build, from their starting values, a command the console accepts', () => {
    for (const f of OPERATION_FORMS) {
      // lease and member IDs start empty or as an example; give every ID field one
      const ids = Object.fromEntries(
        f.fields.filter((x) => /ID/.test(x.label)).map((x) => [x.name, '1a']),
      );
      const line = f.build({ ...initialValues(f), ...ids });
      expect(() => parseEtcdctl(line), `${f.id}: ${line}`).not.toThrow();
    }
    expect(new Set(OPERATION_FORMS.map((f) => f.id)).size).toBe(OPERATION_FORMS.length);
  });

  it('write the flags that are set, and leave out empty optional fields', () => {
    expect(build('get')).toBe('get greeting');
    expect(build('get', { key: '-k', prefix: true })).toBe('get --prefix -- -k');
    expect(build('get', { prefix: true, rev: '7', limit: '', consistency: 's' })).toBe(
      'get greeting --prefix --rev=7 --consistency=s',
    );
    expect(build('del', { rangeEnd: 'z', 'prev-kv': true })).toBe('del greeting z --prev-kv');
    expect(build('watch', { key: 'a b', prefix: true, 'prev-kv': true, rev: '3' })).toBe(
      "watch 'a b' --prefix --prev-kv --rev=3",
    );
    expect(build('lease-put', { lease: '' })).toBe('put session alive');
    expect(build('lease-put', { lease: '694d' })).toBe('put session alive --lease=694d');
    expect(build('member-list', { table: true })).toBe('member list -w table');
  });

  it('build a transaction whose compare and operations etcdctl reads back', () => {
    const line = build('txn', {
      target: 'value',
      key: 'it\'s "x"',
      op: '=',
      against: 'a;b',
      thenOp: 'put',
      thenKey: 'k',
      thenValue: 'v w',
      elseOp: 'del',
      elseKey: 'k',
    });
    const r = request(line);
    expect(r.method).toBe('txn');
    if (r.method !== 'txn') return;
    const dec = new TextDecoder();
    expect(r.body.compare).toHaveLength(1);
    expect(dec.decode(r.body.compare![0]!.key)).toBe('it\'s "x"');
    expect(dec.decode(r.body.compare![0]!.value)).toBe('a;b');
    expect(r.body.success).toHaveLength(1);
    expect(r.body.failure).toHaveLength(1);
    expect(request(build('txn', { target: 'version', op: '>', against: '2' })).method).toBe('txn');
  });

  it('quote any key and value so the console reads back exactly what was typed', () => {
    const printable = fc.string({ minLength: 1, maxLength: 20 }).filter((s) => !/[\n\r]/.test(s));
    fc.assert(
      fc.property(printable, printable, (key, value) => {
        const r = request(build('lease-put', { key, value }));
        if (r.method !== 'put') return false;
        const dec = new TextDecoder();
        return dec.decode(r.body.key) === key && dec.decode(r.body.value) === value;
      }),
    );
  });
});
