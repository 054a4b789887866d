// etcdctl watch through the session: the etcdctl action opens a stream whose responses are printed
// as they arrive in simulated time; Ctrl+C (the etcdctl-interrupt action) stops it; a crash of the
// member ends it. All recorded, so a share link replays the same lines to the same trace hash.
import { describe, expect, it } from 'vitest';
import { formatResponse } from '../etcdctl/format';
import { parseEtcdctl, type EtcdctlCommand } from '../etcdctl/parse';
import { parseScenario, type Scenario } from '../scenario/schema';
import { Session } from './session';

const base = (): Scenario => parseScenario({ version: 1, seed: 21 });

/** Everything the console would print, in order, with the node each line came from. */
function consoleOf(s: Session): string[] {
  const out: string[] = [];
  s.onEtcdctlAnswer = (n, command, r) => {
    const text = formatResponse(parseEtcdctl(command) as EtcdctlCommand, r, n);
    if (text) out.push(text);
  };
  s.onEtcdctlWatchEnd = (_n, _command, reason) => out.push(reason + '\n');
  return out;
}

/** A session three simulated seconds in (a leader elected), with its console. */
async function started(): Promise<{ s: Session; out: string[] }> {
  const s = await Session.start(base());
  const out = consoleOf(s);
  await s.runTo(3_000_000);
  return { s, out };
}

async function run(s: Session, node: number, line: string): Promise<void> {
  await s.etcdctl(node, line);
  await s.runTo(s.nowUs + 500_000);
}

describe('etcdctl watch in the session', () => {
  it('streams events into the console as they are applied; Ctrl+C stops it', async () => {
    const { s, out } = await started();
    await run(s, 2, 'watch foo --prev-kv');
    expect(s.openWatches).toBe(1);
    await run(s, 1, 'put foo bar');
    await run(s, 3, 'put foo baz');
    await run(s, 1, 'del foo');
    expect(out).toEqual([
      'PUT\nfoo\nbar\n',
      'OK\n',
      'PUT\nfoo\nbar\nfoo\nbaz\n',
      'OK\n',
      'DELETE\nfoo\nbaz\nfoo\n\n',
      '1\n',
    ]);
    await s.interruptEtcdctl();
    await s.runTo(s.nowUs + 100_000);
    expect(s.openWatches).toBe(0);
    out.length = 0;
    await run(s, 1, 'put foo again');
    expect(out).toEqual(['OK\n']);
    await s.dispose();
  });

  it('ends the watch when its member goes down, and says so', async () => {
    const { s, out } = await started();
    await run(s, 3, 'watch k --prefix -w json');
    await run(s, 1, 'put k1 v');
    // the put is answered by the leader; the event comes when n3 applies it
    expect(out).toHaveLength(2);
    expect(JSON.parse(out.find((l) => l.startsWith('{'))!)).toMatchObject({
      Header: { member_id: 3 },
      Events: [{ kv: { key: 'azE=', value: 'dg==' } }],
      Canceled: false,
    });
    await s.act({ kind: 'crash', node: 3 });
    expect(out.at(-1)).toBe('n3 went down: the watch ended\n');
    expect(s.openWatches).toBe(0);
    // a watch on a member that is down is refused at once
    await run(s, 3, 'watch k');
    expect(out.at(-1)).toBe('Error: n3 is down: connection refused\n');
    expect(s.openWatches).toBe(0);
    await s.dispose();
  });

  it('replays from the recorded scenario: the same lines, the same trace hash', async () => {
    const { s, out } = await started();
    await run(s, 1, 'watch a z');
    await run(s, 2, 'watch b --rev 1');
    await run(s, 2, 'put b 1');
    await run(s, 2, 'put b 2');
    await run(s, 2, 'compaction 3');
    await run(s, 3, 'watch b --rev 2');
    await s.interruptEtcdctl();
    await run(s, 2, 'watch a z');
    await run(s, 2, 'put b 3');
    await s.act({ kind: 'crash', node: 2 });
    await s.runTo(s.nowUs + 1_000_000);
    const hash = s.traceHash;
    const recorded = s.toScenario(s.nowUs);
    await s.dispose();
    expect(out).toContain(
      'watch was canceled (etcdserver: mvcc: required revision has been compacted)\nError: watch is canceled by the server\n',
    );
    expect(out.at(-1)).toBe('n2 went down: the watch ended\n');
    expect(recorded.actions.map((a) => a.kind)).toContain('etcdctl-interrupt');
    const again = await Session.start(parseScenario(JSON.parse(JSON.stringify(recorded))));
    const replayed = consoleOf(again);
    await again.runToPlace(recorded.cursorUs, recorded.cursorEvents);
    expect(again.traceHash).toBe(hash);
    expect(replayed).toEqual(out);
    await again.dispose();
  });
});
