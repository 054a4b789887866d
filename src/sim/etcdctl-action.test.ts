// The etcdctl action (the playground's console): a command line parsed when it is performed,
// sent to the node it names, its answer printed as etcdctl prints it; recorded so a share link
// replays it to the same trace hash.
import { describe, expect, it } from 'vitest';
import { formatResponse } from '../etcdctl/format';
import { parseEtcdctl, type EtcdctlCommand } from '../etcdctl/parse';
import { parseScenario, type Scenario } from '../scenario/schema';
import { MAX_ETCDCTL_LENGTH } from './actions';
import { Session } from './session';

const base = (): Scenario => parseScenario({ version: 1, seed: 7 });

/** Runs each command line against node 1, a simulated second apart; returns what each printed. */
async function console(s: Session, lines: string[], node = 1): Promise<string[]> {
  const out: string[] = [];
  s.onEtcdctlAnswer = (n, command, r) =>
    out.push(formatResponse(parseEtcdctl(command) as EtcdctlCommand, r, n));
  for (const line of lines) {
    await s.etcdctl(node, line);
    await s.runTo(s.nowUs + 1_000_000);
  }
  return out;
}

describe('the etcdctl action', () => {
  it('runs commands against a node and answers as etcdctl prints', async () => {
    const s = await Session.start(base());
    await s.runTo(3_000_000);
    const out = await console(s, [
      'put foo bar',
      'get foo',
      'get foo -w json',
      'del foo',
      `txn 'value("foo") = "x"' 'put a 1' 'put a 2'`,
      'get a --print-value-only',
      'member list',
    ]);
    expect(out.slice(0, 2)).toEqual(['OK\n', 'foo\nbar\n']);
    expect(JSON.parse(out[2]!)).toMatchObject({
      kvs: [{ key: 'Zm9v', value: 'YmFy', version: 1 }],
      count: 1,
    });
    expect(out.slice(3, 6)).toEqual(['1\n', 'FAILURE\n\nOK\n', '2\n']);
    expect(out[6]).toBe(
      [1, 2, 3]
        .map((n) => `${n}, started, n${n}, http://n${n}:2380, http://n${n}:2379, false\n`)
        .join(''),
    );
    await s.dispose();
  });

  it('refuses a malformed command line before recording anything', async () => {
    const s = await Session.start(base());
    await expect(s.etcdctl(1, 'put foo')).rejects.toThrow(
      /put command needs 1 argument and input from stdin or 2 arguments/,
    );
    await expect(s.etcdctl(1, 'help')).rejects.toThrow(/sends no request/);
    expect(s.scenario.actions).toEqual([]);
    await s.dispose();
  });

  it('member add starts the new member, as the add-member action does', async () => {
    const s = await Session.start(base());
    await s.runTo(3_000_000);
    const out = await console(s, ['member add n4', 'member list']);
    expect(out[0]).toMatch(/^Member {16}4 added to cluster /);
    await s.runTo(s.nowUs + 3_000_000);
    expect(s.cluster.conductor.nodeIds()).toContain(4);
    expect(s.cluster.conductor.nodeState(4)).not.toBe('down');
    await s.dispose();
  });

  it('replays from the recorded scenario to the same trace hash', async () => {
    const s = await Session.start(base());
    await s.runTo(3_000_000);
    await console(s, ['put foo bar', 'lease grant 5', 'get foo --consistency=s']);
    const hash = s.traceHash;
    const recorded = s.toScenario(s.nowUs);
    await s.dispose();
    expect(recorded.actions.map((a) => a.kind)).toEqual(['etcdctl', 'etcdctl', 'etcdctl']);
    const replayed: string[] = [];
    const r = await Session.start(recorded);
    r.onEtcdctlAnswer = (_n, command) => replayed.push(command);
    await r.runToPlace(recorded.cursorUs, recorded.cursorEvents);
    expect(r.traceHash).toBe(hash);
    expect(replayed).toEqual(['put foo bar', 'lease grant 5', 'get foo --consistency=s']);
    await r.dispose();
  });

  it('checks a hand-written etcdctl action before the run starts', async () => {
    const bad = { ...base(), actions: [{ atUs: 1, kind: 'etcdctl', node: 1, command: 'get' }] };
    await expect(Session.start(bad)).rejects.toThrow(/get command needs one argument/);
    // The longest command line, all quotes, still fits a scenario's limit for one action.
    const long = `put k ${'"'.repeat(MAX_ETCDCTL_LENGTH - 6)}`;
    expect(() =>
      parseScenario({ ...base(), actions: [{ atUs: 1, kind: 'etcdctl', node: 1, command: long }] }),
    ).not.toThrow();
    const tooLong = {
      ...base(),
      actions: [
        { atUs: 1, kind: 'etcdctl', node: 1, command: `get ${'k'.repeat(MAX_ETCDCTL_LENGTH)}` },
      ],
    };
    await expect(Session.start(tooLong)).rejects.toThrow(/longer than 2048 characters/);
  });
});
