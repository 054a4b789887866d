// etcdctl snapshot save / status / restore: parsed with etcdctl's own errors, and status printed
// as etcdctl 3.4.23 printed it for a real snapshot (captured: `etcdctl snapshot status s.db`
// with and without -w table / -w json, after two puts and a lease grant).
import { describe, expect, it } from 'vitest';
import { formatSnapshotSaved, formatSnapshotStatus } from './format';
import { complete, EtcdctlError, HELP_TEXT, parseEtcdctl } from './parse';

const fails = (line: string) => {
  try {
    parseEtcdctl(line);
  } catch (e) {
    expect(e).toBeInstanceOf(EtcdctlError);
    return (e as Error).message;
  }
  throw new Error(`accepted: ${line}`);
};

describe('snapshot commands', () => {
  it('parse to a file and what to do with it', () => {
    expect(parseEtcdctl('etcdctl snapshot save /tmp/s.db')).toEqual({
      name: 'snapshot save',
      file: '/tmp/s.db',
      output: 'simple',
      skipHashCheck: false,
    });
    expect(parseEtcdctl('snapshot status s.db -w table')).toMatchObject({ output: 'table' });
    expect(parseEtcdctl('snapshot status s.db -w json')).toMatchObject({ output: 'json' });
    expect(parseEtcdctl('snapshot restore s.db --skip-hash-check')).toMatchObject({
      name: 'snapshot restore',
      skipHashCheck: true,
    });
  });

  it('refuse what etcdctl refuses, in its words', () => {
    expect(fails('snapshot save')).toBe('snapshot save expects one argument');
    expect(fails('snapshot status a b')).toBe('snapshot status requires exactly one argument');
    expect(fails('snapshot restore')).toBe('snapshot restore requires exactly one argument');
    expect(fails('snapshot')).toBe('snapshot needs a subcommand: save, status, restore');
    expect(fails('snapshot take s.db')).toBe('unknown command "take" for "etcdctl snapshot"');
    expect(fails('snapshot restore s.db --data-dir x')).toBe('unknown flag: --data-dir');
    expect(fails('snapshot save s.db -w table')).toBe('table not supported as output format');
  });

  it('complete and are listed by help', () => {
    expect(complete('snapshot s').candidates).toEqual(['save', 'status']);
    expect(complete('snapshot restore s.db --sk').line).toBe(
      'snapshot restore s.db --skip-hash-check ',
    );
    expect(HELP_TEXT).toContain('snapshot restore <filename> [--skip-hash-check]');
  });
});

describe('snapshot output', () => {
  const status = { hash: 0xdf53b6a1, revision: 3, totalKey: 7, totalSize: 20480 };

  it('prints status as etcdctl 3.4.23 does', () => {
    expect(formatSnapshotStatus(status, 'simple')).toBe('df53b6a1, 3, 7, 20 kB\n');
    expect(formatSnapshotStatus(status, 'json')).toBe(
      '{"hash":3746805409,"revision":3,"totalKey":7,"totalSize":20480}\n',
    );
    expect(formatSnapshotStatus(status, 'table')).toBe(
      [
        '+----------+----------+------------+------------+',
        '|   HASH   | REVISION | TOTAL KEYS | TOTAL SIZE |',
        '+----------+----------+------------+------------+',
        '| df53b6a1 |        3 |          7 |      20 kB |',
        '+----------+----------+------------+------------+',
        '',
      ].join('\n'),
    );
  });

  it('prints the saved line', () => {
    expect(formatSnapshotSaved('/tmp/s.db')).toBe('Snapshot saved at /tmp/s.db\n');
  });
});
