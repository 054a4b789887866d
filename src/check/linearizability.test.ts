import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { MvccStore } from '../mvcc/index';
import type { KeyValue, RangeResponse, TxnRequest, TxnResponse } from '../mvcc/types';
import { generateHistory, runOnStore } from './generate';
import type { KvRequest, KvResponse, Operation } from './history';
import type { CheckResult } from './linearizability';
import { checkHistory } from './linearizability';
import { answerDifference, shownKvs } from './responses';

const enc = new TextEncoder();
const b = (s: string): Uint8Array => enc.encode(s);

/** [value, create_revision, mod_revision, version] of key `key`. */
type Kv = [key: string, value: string, create: number, mod: number, version: number];
const kv = ([key, value, create, mod, version]: Kv): KeyValue => ({
  key: b(key),
  value: b(value),
  create_revision: create,
  mod_revision: mod,
  version,
  lease: 0,
});

let nextId = 0;
function op(
  clientId: number,
  callUs: number,
  returnUs: number | undefined,
  request: KvRequest,
  response?: KvResponse,
): Operation {
  const o: Operation = { id: nextId++, clientId, callUs, request };
  if (returnUs !== undefined) o.returnUs = returnUs;
  if (response) o.response = response;
  return o;
}
const put = (
  c: number,
  call: number,
  ret: number | undefined,
  key: string,
  value: string,
  rev?: number,
) =>
  op(
    c,
    call,
    ret,
    { method: 'put', body: { key: b(key), value: b(value) } },
    rev === undefined ? undefined : { header: { revision: rev } },
  );
const get = (c: number, call: number, ret: number, key: string, rev: number, kvs: Kv[] = []) =>
  op(c, call, ret, { method: 'range', body: { key: b(key) } }, {
    header: { revision: rev },
    kvs: kvs.map(kv),
    more: false,
    count: kvs.length,
  } satisfies RangeResponse);

function verdict(h: Operation[], budget?: number): CheckResult {
  return checkHistory(h, budget === undefined ? {} : { budget });
}

function expectIllegalWithCore(h: Operation[]): Extract<CheckResult, { verdict: 'illegal' }> {
  const r = verdict(h);
  expect(r.verdict).toBe('illegal');
  if (r.verdict !== 'illegal') throw new Error('not illegal');
  const ids = new Set(h.map((o) => o.id));
  expect(r.core.length).toBeGreaterThan(0);
  for (const id of r.core) expect(ids.has(id)).toBe(true);
  const core = h.filter((o) => r.core.includes(o.id));
  expect(checkHistory(core).verdict).toBe('illegal');
  expect(r.explanation.length).toBeGreaterThan(0);
  expect(JSON.parse(JSON.stringify(r.before))).toEqual(r.before);
  return r;
}

describe('checkHistory: hand-written histories', () => {
  it('an empty history is linearizable', () => {
    expect(verdict([])).toEqual({ verdict: 'ok', linearization: [], steps: 0 });
  });

  it('orders sequential calls by their revisions', () => {
    const p = put(0, 0, 10, 'a', 'x', 2);
    const g = get(1, 20, 30, 'a', 2, [['a', 'x', 2, 2, 1]]);
    const r = verdict([g, p]);
    expect(r).toMatchObject({ verdict: 'ok', linearization: [p.id, g.id] });
  });

  it('a concurrent read may come before or after the write', () => {
    const p = put(0, 0, 100, 'a', 'x', 2);
    const before = get(1, 10, 20, 'a', 1);
    const after = get(2, 10, 20, 'a', 2, [['a', 'x', 2, 2, 1]]);
    const r = verdict([p, before, after]);
    expect(r).toMatchObject({ verdict: 'ok', linearization: [before.id, p.id, after.id] });
  });

  it('a stale read (an older revision after a newer write returned) is illegal', () => {
    const p1 = put(0, 0, 10, 'a', 'x', 2);
    const p2 = put(0, 20, 30, 'a', 'y', 3);
    const g = get(1, 40, 50, 'a', 2, [['a', 'x', 2, 2, 1]]);
    const r = expectIllegalWithCore([p1, p2, g]);
    expect(r.core.sort()).toEqual([p2.id, g.id].sort());
    expect(r.explanation).toMatch(/returned at 30 µs, before get a was called at 40 µs/);
  });

  it('a stale value at the current revision is illegal, and the core names the writes', () => {
    const p1 = put(0, 0, 10, 'a', 'x', 2);
    const p2 = put(0, 20, 30, 'a', 'y', 3);
    const g = get(1, 40, 50, 'a', 3, [['a', 'x', 2, 2, 1]]);
    const r = expectIllegalWithCore([p1, p2, g]);
    expect(r.core.sort()).toEqual([p1.id, p2.id, g.id].sort());
    expect(r.before.revision).toBe(3);
    expect(r.before.kvs['a']).toEqual({
      value: 'y',
      create_revision: 2,
      mod_revision: 3,
      version: 2,
      lease: 0,
    });
    expect(r.partial).toEqual([p1.id, p2.id]);
    expect(r.explanation).toContain('get a at revision 3');
  });

  it('a lost acknowledged write is illegal', () => {
    const p = put(0, 0, 10, 'a', 'x', 2);
    const g = get(1, 20, 30, 'a', 2);
    const r = expectIllegalWithCore([p, g]);
    expect(r.core.sort()).toEqual([p.id, g.id].sort());
  });

  it('an unanswered write that took effect is linearizable', () => {
    const p = put(0, 0, undefined, 'a', 'x');
    const g = get(1, 50, 60, 'a', 2, [['a', 'x', 2, 2, 1]]);
    expect(verdict([p, g])).toMatchObject({ verdict: 'ok', linearization: [p.id, g.id] });
    // it may also never have happened
    const g1 = get(1, 50, 60, 'a', 1);
    expect(verdict([p, g1])).toMatchObject({ verdict: 'ok', linearization: [g1.id] });
  });

  it('an unanswered write observed before its call is illegal', () => {
    const g = get(1, 0, 10, 'a', 2, [['a', 'x', 2, 2, 1]]);
    const p = put(0, 20, 30, 'a', 'x');
    const r = expectIllegalWithCore([g, p]);
    expect(r.core.sort()).toEqual([g.id, p.id].sort());
  });

  it('a revision no call can have made is illegal', () => {
    const p = put(0, 0, 10, 'a', 'x', 3);
    expectIllegalWithCore([p]);
    const q = put(0, 0, 10, 'a', 'x', 2);
    const q2 = put(1, 0, 10, 'b', 'x', 2);
    const r = expectIllegalWithCore([q, q2]);
    expect(r.explanation).toContain('both answered that they made revision 2');
    expectIllegalWithCore([put(0, 0, 10, 'a', 'x', 1)]);
    // more revisions than the history has writes: refused before anything is laid out
    const far = get(0, 0, 10, 'a', 1e12);
    expect(verdict([q, far])).toMatchObject({ verdict: 'illegal', core: [far.id], steps: 0 });
  });

  it('a txn whose compare went the wrong way is illegal', () => {
    const p = put(0, 0, 10, 'a', 'x', 2);
    const txn: TxnRequest = {
      compare: [{ key: b('a'), target: 'VERSION', result: 'GREATER', version: 0 }],
      success: [{ request_put: { key: b('a'), value: b('then') } }],
      failure: [{ request_put: { key: b('a'), value: b('else') } }],
    };
    const wrong: TxnResponse = {
      header: { revision: 3 },
      succeeded: false,
      responses: [{ response_put: { header: { revision: 3 } } }],
    };
    const t = op(1, 20, 30, { method: 'txn', body: txn }, wrong);
    const r = expectIllegalWithCore([p, t]);
    expect(r.explanation).toContain('succeeded');
    expect(r.after?.kvs['a']?.value).toBe('then');
    const right = op(1, 20, 30, { method: 'txn', body: txn }, { ...wrong, succeeded: true });
    expect(verdict([p, right]).verdict).toBe('ok');
  });

  it('places a delete of nothing (no new revision) among the reads of its revision', () => {
    const p = put(0, 0, 10, 'a', 'x', 2);
    const del = (call: number, key: string, revision: number, deleted: Kv[]) =>
      op(
        1,
        call,
        call + 10,
        { method: 'deleteRange', body: { key: b(key), prev_kv: true } },
        {
          header: { revision },
          deleted: deleted.length,
          ...(deleted.length > 0 ? { prev_kvs: deleted.map(kv) } : {}),
        },
      );
    const none = del(20, 'b', 2, []);
    const gone = del(40, 'a', 3, [['a', 'x', 2, 2, 1]]);
    const g = get(2, 60, 70, 'a', 3);
    expect(verdict([p, none, gone, g])).toMatchObject({
      verdict: 'ok',
      linearization: [p.id, none.id, gone.id, g.id],
    });
    // a delete that says it deleted nothing while the key was there
    const wrong = del(20, 'a', 2, []);
    expectIllegalWithCore([p, wrong]);
  });

  it('checks ranges at a past revision, with limit and count', () => {
    const p1 = put(0, 0, 10, 'a', 'x', 2);
    const p2 = put(0, 20, 30, 'b', 'y', 3);
    const p3 = put(0, 40, 50, 'a', 'z', 4);
    const past: RangeResponse = {
      header: { revision: 4 },
      kvs: [kv(['a', 'x', 2, 2, 1])],
      more: true,
      count: 2,
    };
    const ranged = (answer: RangeResponse) =>
      op(
        1,
        60,
        70,
        { method: 'range', body: { key: b('a'), range_end: b('c'), revision: 3, limit: 1 } },
        answer,
      );
    expect(verdict([p1, p2, p3, ranged(past)]).verdict).toBe('ok');
    const wrongCount = ranged({ ...past, count: 1 });
    expectIllegalWithCore([p1, p2, p3, wrongCount]);
  });

  it('checks a txn whose branch reads its own write', () => {
    const txn: TxnRequest = {
      compare: [{ key: b('a'), target: 'VERSION', result: 'EQUAL', version: 0 }],
      success: [
        { request_put: { key: b('a'), value: b('x') } },
        { request_range: { key: b('a') } },
      ],
    };
    const answer = (seen: Kv[]): TxnResponse => ({
      header: { revision: 2 },
      succeeded: true,
      responses: [
        { response_put: { header: { revision: 2 } } },
        {
          response_range: {
            header: { revision: 2 },
            kvs: seen.map(kv),
            more: false,
            count: seen.length,
          },
        },
      ],
    });
    const ok = op(0, 0, 10, { method: 'txn', body: txn }, answer([['a', 'x', 2, 2, 1]]));
    expect(verdict([ok]).verdict).toBe('ok');
    const blind = op(0, 0, 10, { method: 'txn', body: txn }, answer([]));
    expectIllegalWithCore([blind]);
  });

  it('leaves unanswered writes that may never have happened out of the order', () => {
    const lost = put(0, 0, undefined, 'a', 'x');
    const refused = op(1, 0, 5, {
      method: 'txn',
      body: {
        success: [
          { request_put: { key: b('a'), value: b('1') } },
          { request_put: { key: b('a'), value: b('2') } },
        ],
      },
    });
    const g = get(2, 100, 110, 'a', 1);
    expect(verdict([lost, refused, g])).toMatchObject({ verdict: 'ok', linearization: [g.id] });
    // the txn etcd refuses (two puts of one key) cannot be what made revision 2
    const g2 = get(2, 100, 110, 'b', 2);
    expect(verdict([refused, g2]).verdict).toBe('illegal');
    expect(verdict([lost, refused, g2])).toMatchObject({
      verdict: 'ok',
      linearization: [lost.id, g2.id],
    });
  });

  it('rules out a gap write that later answers show did not happen there', () => {
    // a was put at 2 and shown unchanged at 4: the unanswered put of a cannot have made 3
    const w = put(0, 0, 10, 'a', '1', 2);
    const lost = put(1, 20, undefined, 'a', '2');
    const other = put(2, 20, undefined, 'b', '1');
    const g = get(3, 100, 110, 'a', 3, [['a', '1', 2, 2, 1]]);
    expect(verdict([w, lost, other, g])).toMatchObject({
      verdict: 'ok',
      linearization: [w.id, other.id, g.id],
    });
    // without the write to b nothing can make revision 3
    expectIllegalWithCore([w, lost, g]);
  });

  it('counts puts across gaps by the versions answers show', () => {
    // a at version 3 by revision 5: of the two gaps (3, 4), one put a and the other did not
    const w = put(0, 0, 10, 'a', '1', 2);
    const a2 = put(1, 20, undefined, 'a', '2');
    const a3 = put(2, 20, undefined, 'a', '3');
    const b1 = put(3, 20, undefined, 'b', '1');
    const w5 = put(4, 100, 110, 'a', '4', 5);
    const g = get(5, 200, 210, 'a', 5, [['a', '4', 2, 5, 3]]);
    const r = verdict([w, a2, a3, b1, w5, g]);
    expect(r.verdict).toBe('ok');
    if (r.verdict === 'ok') expect(r.linearization).toContain(b1.id);
    // version 5 would need three puts of a in two gaps
    const g4 = get(5, 200, 210, 'a', 5, [['a', '4', 2, 5, 5]]);
    const w6 = put(6, 300, 310, 'b', '9', 6);
    expectIllegalWithCore([w, a2, a3, b1, w5, g4, w6]);
  });

  it('owes a delete before a key is created again or shown absent', () => {
    const w = put(0, 0, 10, 'a', '1', 2);
    const del = op(1, 20, undefined, { method: 'deleteRange', body: { key: b('a') } });
    const b1 = put(2, 20, undefined, 'b', '1');
    // a created anew at 4: the gap 3 deleted it
    const again = put(3, 100, 110, 'a', '2', 4);
    const g = get(4, 200, 210, 'a', 4, [['a', '2', 4, 4, 1]]);
    expect(verdict([w, del, b1, again, g])).toMatchObject({
      verdict: 'ok',
      linearization: [w.id, del.id, again.id, g.id],
    });
    // a range at 3 that does not list a: the gap 3 deleted it, not b's put
    const none = get(4, 100, 110, 'a', 3);
    expect(verdict([w, del, b1, none])).toMatchObject({ verdict: 'ok' });
    expectIllegalWithCore([w, b1, none]);
  });

  it('decides a history with outages that ran out of budget before', () => {
    // many revisions in a row no answer names, each with dozens of unanswered writes called
    // before it: the search used to run out of 500,000 steps here
    const h = generateHistory({
      seed: 1,
      clients: 8,
      ops: 2000,
      keySpace: 10,
      outages: { every: 400, length: 40 },
    });
    expect(h.filter((o) => !o.response && o.request.method !== 'range').length).toBeGreaterThan(
      100,
    );
    const r = verdict(h, 20_000);
    expect(r.verdict).toBe('ok');
    if (r.verdict === 'ok') confirm(h, r.linearization);
  });

  it('says unknown, never ok, when the budget runs out', () => {
    // twenty unanswered puts of one key; reads pin which one made each revision only at the end
    const h: Operation[] = [];
    for (let i = 0; i < 20; i++) h.push(put(i, 0, undefined, 'a', `v${i}`));
    h.push(get(30, 100, 200, 'b', 21));
    const small = verdict(h, 5);
    expect(small.verdict).toBe('unknown');
    expect(verdict(h).verdict).toBe('ok');
  });
});

/** Replays an 'ok' linearization on a real store: every answer must come out the same. */
function confirm(h: readonly Operation[], lin: readonly number[]): void {
  const byId = new Map(h.map((o) => [o.id, o]));
  const store = new MvccStore();
  let latestCall = -Infinity;
  for (const id of lin) {
    const o = byId.get(id) as Operation;
    const resp = runOnStore(store, o.request);
    if (o.response) expect(answerDifference(resp, o.response)).toBeNull();
    // real time: nothing placed earlier was called after this one returned
    if (o.response) expect(latestCall).toBeLessThanOrEqual(o.returnUs ?? Infinity);
    latestCall = Math.max(latestCall, o.callUs);
  }
  for (const o of h) if (o.response) expect(lin).toContain(o.id);
}

/** generateHistory's options, each up to `max`. */
function historyOptions(
  max: { clients: number; ops: number; keySpace: number; latencyUs: number },
  unanswered: fc.Arbitrary<number>,
) {
  const upTo = (n: number) => fc.integer({ min: 1, max: n });
  return fc.record({
    seed: fc.integer({ min: 0, max: 0xffffffff }),
    clients: upTo(max.clients),
    ops: upTo(max.ops),
    keySpace: upTo(max.keySpace),
    unanswered,
    latencyUs: upTo(max.latencyUs),
    // sometimes outages: runs of writes none of which is answered, half taking effect
    outages: fc.option(
      fc
        .record({ every: fc.integer({ min: 2, max: 60 }), length: fc.integer({ min: 1, max: 20 }) })
        .filter((x) => x.length < x.every),
      { nil: undefined },
    ),
  });
}
const histories = historyOptions(
  { clients: 8, ops: 150, keySpace: 20, latencyUs: 5000 },
  fc.constantFrom(0, 0.05, 0.2),
);

describe('checkHistory: histories from a real store', () => {
  it('says ok, with a linearization the store confirms', () => {
    fc.assert(
      fc.property(histories, (o) => {
        const h = generateHistory(o);
        const r = checkHistory(h);
        expect(r.verdict).toBe('ok');
        if (r.verdict === 'ok') confirm(h, r.linearization);
      }),
      { numRuns: 150 },
    );
  });

  it('never says ok once one answer is made impossible; cores are illegal alone', () => {
    const mutation = fc.constantFrom('value', 'clash', 'future');
    fc.assert(
      fc.property(histories, mutation, fc.nat(), (o, how, pick) => {
        const h = generateHistory(o);
        const answered = h.filter((x) => x.response);
        let target: Operation | undefined;
        if (how === 'value') {
          // a value no write ever wrote (generated values are lowercase letters)
          const showing = answered.filter((x) => shownKvs(x.response!).length > 0);
          target = showing[pick % Math.max(1, showing.length)];
          if (!target) return;
          const kvs = shownKvs(target.response!);
          const k = kvs[pick % kvs.length] as KeyValue;
          k.value = b('Z');
        } else if (how === 'clash') {
          const puts = answered.filter((x) => x.request.method === 'put');
          if (puts.length < 2) return;
          target = puts[pick % puts.length] as Operation;
          const other = puts[(pick + 1) % puts.length] as Operation;
          target.response = { header: { revision: other.response!.header.revision } };
        } else {
          target = answered[pick % Math.max(1, answered.length)];
          if (!target || target.request.method !== 'range') return;
          const maxRev = Math.max(...answered.map((x) => x.response!.header.revision));
          const unansweredWrites = h.filter((x) => !x.response && x.request.method !== 'range');
          (target.response as RangeResponse).header = {
            revision: maxRev + unansweredWrites.length + 1,
          };
        }
        const r = checkHistory(h);
        expect(r.verdict).not.toBe('ok');
        if (r.verdict === 'illegal') {
          const core = h.filter((x) => r.core.includes(x.id));
          expect(core.length).toBe(r.core.length);
          expect(checkHistory(core).verdict).toBe('illegal');
        }
      }),
      { numRuns: 150 },
    );
  });
});

/** Every order of the answered calls and any of the unanswered writes, replayed on MvccStore. */
function bruteForce(h: readonly Operation[]): boolean {
  const answered = h.filter((o) => o.response);
  const pending = h.filter((o) => !o.response && o.request.method !== 'range');
  const precedes = (a: Operation, b: Operation): boolean =>
    a.response !== undefined && (a.returnUs ?? Infinity) < b.callUs;
  const orders = (left: Operation[], done: Operation[]): boolean => {
    if (left.length === 0) {
      const store = new MvccStore();
      for (const o of done) {
        const answer = runOnStore(store, o.request);
        if (o.response && (!answer || answerDifference(answer, o.response))) return false;
      }
      return true;
    }
    return left.some(
      (o) =>
        !left.some((x) => x !== o && precedes(x, o)) &&
        orders(
          left.filter((x) => x !== o),
          [...done, o],
        ),
    );
  };
  for (let mask = 0; mask < 1 << pending.length; mask++) {
    const chosen = pending.filter((_, i) => mask & (1 << i));
    if (orders([...answered, ...chosen], [])) return true;
  }
  return false;
}

describe('checkHistory against brute force on tiny histories', () => {
  it('agrees: ok exactly when some order exists; cores have none either', () => {
    fc.assert(
      fc.property(
        historyOptions({ clients: 4, ops: 6, keySpace: 3, latencyUs: 100 }, fc.constant(0.3)),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 400 }), fc.nat(100)), {
          maxLength: 2,
        }),
        fc.option(fc.tuple(fc.nat(), fc.constantFrom(-1, 1))),
        (o, shifts, bump) => {
          const h = generateHistory(o);
          // move some calls in time (keeping call <= return): orders that were forced may no
          // longer be allowed, and the other way round
          for (const [which, at, len] of shifts) {
            const op = h[which % h.length] as Operation;
            op.callUs = at;
            if (op.returnUs !== undefined) op.returnUs = at + len;
          }
          // and perhaps one answer's revision off by one
          const answered = h.filter((x) => x.response);
          if (bump && answered.length > 0) {
            const header = (answered[bump[0] % answered.length] as Operation).response!.header;
            header.revision += bump[1];
          }
          const r = checkHistory(h);
          expect(r.verdict).not.toBe('unknown');
          expect(r.verdict === 'ok').toBe(bruteForce(h));
          if (r.verdict === 'illegal')
            expect(bruteForce(h.filter((x) => r.core.includes(x.id)))).toBe(false);
        },
      ),
      { numRuns: 400 },
    );
  });
});
