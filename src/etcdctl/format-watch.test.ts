// etcdctl watch's output, against what a real etcd 3.4.23 and its etcdctl printed. The store runs
// the same operations as the capture (put foo bar; watches start; put foo v1; put foo v2; del foo;
// put foo "sp ace"; put b bb; put fox x; compaction 4), so the events printed here come from
// MvccStore's own watch responses, with the header the server puts on them.
import { describe, expect, it } from 'vitest';
import { MvccStore, type WatchResponse } from '../mvcc';
import type { ClientResponse, WatchStreamResponse } from '../server/requests';
import { fromEtcd } from './etcd-capture';
import { formatResponse } from './format';
import { parseEtcdctl, type EtcdctlCommand } from './parse';

const utf8 = new TextEncoder();
const b = (s: string) => utf8.encode(s);

/** As the member sends it: its header on the store's response, watch id 0 (one per stream). */
function served(r: WatchResponse): ClientResponse {
  const body: WatchStreamResponse = {
    ...r,
    header: { cluster_id: 0x48276a8f, member_id: 1, revision: r.header.revision, raft_term: 2 },
    watch_id: 0,
  } as WatchStreamResponse;
  return { ok: true, method: 'watch', body };
}

function cmd(line: string): EtcdctlCommand {
  const c = parseEtcdctl(line);
  if (!('request' in c) || c.request.method !== 'watch') throw new Error('not a watch');
  return c;
}

/** What the console prints for `line` over the capture's history: watch first, writes after. */
function printed(line: string): string {
  const c = cmd(line);
  if (c.request.method !== 'watch') throw new Error('not a watch');
  const store = new MvccStore();
  store.put({ key: b('foo'), value: b('bar') });
  const got: WatchResponse[] = [];
  const writes = () => {
    for (const v of ['v1', 'v2']) store.put({ key: b('foo'), value: b(v) });
    store.deleteRange({ key: b('foo') });
    store.put({ key: b('foo'), value: b('sp ace') });
    store.put({ key: b('b'), value: b('bb') });
    store.put({ key: b('fox'), value: b('x') });
  };
  if (c.request.body.start_revision) {
    writes();
    store.compact({ revision: 4 });
    store.watch(c.request.body, (r) => got.push(r));
  } else {
    store.watch(c.request.body, (r) => got.push(r));
    writes();
  }
  return got.map((r) => formatResponse(c, served(r), 1)).join('');
}

describe('etcdctl watch prints as etcdctl 3.4 does', () => {
  it('simple: the event type, then key and value lines (an empty value for DELETE)', () => {
    expect(printed('watch foo')).toBe(
      'PUT\nfoo\nv1\nPUT\nfoo\nv2\nDELETE\nfoo\n\nPUT\nfoo\nsp ace\n',
    );
  });

  it('--prev-kv: the previous key and value before the event’s (none for a new key)', () => {
    expect(printed('watch foo --prev-kv')).toBe(
      'PUT\nfoo\nbar\nfoo\nv1\nPUT\nfoo\nv1\nfoo\nv2\nDELETE\nfoo\nv2\nfoo\n\nPUT\nfoo\nsp ace\n',
    );
  });

  it('--prefix and a range_end', () => {
    expect(printed('watch fo --prefix')).toBe(
      'PUT\nfoo\nv1\nPUT\nfoo\nv2\nDELETE\nfoo\n\nPUT\nfoo\nsp ace\nPUT\nfox\nx\n',
    );
    expect(printed('watch a c')).toBe('PUT\nb\nbb\n');
  });

  it('-w json: clientv3.WatchResponse, Go field names, PUT’s type 0 left out', () => {
    expect(printed('watch foo -w json')).toBe(
      fromEtcd(
        '{"Header":{"cluster_id":324952591200643719,"member_id":3319814642761637952,"revision":3,"raft_term":2},"Events":[{"kv":{"key":"Zm9v","create_revision":2,"mod_revision":3,"version":2,"value":"djE="}}],"CompactRevision":0,"Canceled":false,"Created":false}\n' +
          '{"Header":{"cluster_id":324952591200643719,"member_id":3319814642761637952,"revision":4,"raft_term":2},"Events":[{"kv":{"key":"Zm9v","create_revision":2,"mod_revision":4,"version":3,"value":"djI="}}],"CompactRevision":0,"Canceled":false,"Created":false}\n' +
          '{"Header":{"cluster_id":324952591200643719,"member_id":3319814642761637952,"revision":5,"raft_term":2},"Events":[{"type":1,"kv":{"key":"Zm9v","mod_revision":5}}],"CompactRevision":0,"Canceled":false,"Created":false}\n' +
          '{"Header":{"cluster_id":324952591200643719,"member_id":3319814642761637952,"revision":6,"raft_term":2},"Events":[{"kv":{"key":"Zm9v","create_revision":6,"mod_revision":6,"version":1,"value":"c3AgYWNl"}}],"CompactRevision":0,"Canceled":false,"Created":false}\n',
      ),
    );
  });

  it('-w json --prev-kv', () => {
    expect(printed('watch foo --prev-kv -w json').split('\n')[2]).toBe(
      fromEtcd(
        '{"Header":{"cluster_id":324952591200643719,"member_id":3319814642761637952,"revision":5,"raft_term":2},"Events":[{"type":1,"kv":{"key":"Zm9v","mod_revision":5},"prev_kv":{"key":"Zm9v","create_revision":2,"mod_revision":4,"version":3,"value":"djI="}}],"CompactRevision":0,"Canceled":false,"Created":false}',
      ),
    );
  });

  it('--rev: the catch-up in one response at the current revision; no prev_kv from a compacted one', () => {
    expect(printed('watch foo --rev 4 --prev-kv')).toBe(
      'PUT\nfoo\nv2\nDELETE\nfoo\nv2\nfoo\n\nPUT\nfoo\nsp ace\n',
    );
    expect(printed('watch foo --rev 4 -w json')).toBe(
      fromEtcd(
        '{"Header":{"cluster_id":324952591200643719,"member_id":3319814642761637952,"revision":8,"raft_term":2},"Events":[{"kv":{"key":"Zm9v","create_revision":2,"mod_revision":4,"version":3,"value":"djI="}},{"type":1,"kv":{"key":"Zm9v","mod_revision":5}},{"kv":{"key":"Zm9v","create_revision":6,"mod_revision":6,"version":1,"value":"c3AgYWNl"}}],"CompactRevision":0,"Canceled":false,"Created":false}\n',
      ),
    );
  });

  it('a compacted --rev: canceled, with etcdctl’s two stderr lines (and the JSON between)', () => {
    const stderr = [
      'watch was canceled (etcdserver: mvcc: required revision has been compacted)\n',
      'Error: watch is canceled by the server\n',
    ];
    expect(printed('watch foo --rev 2')).toBe(stderr.join(''));
    expect(printed('watch foo --rev 2 -w json')).toBe(
      stderr[0] +
        fromEtcd(
          '{"Header":{"cluster_id":324952591200643719,"member_id":3319814642761637952,"raft_term":2},"Events":[],"CompactRevision":4,"Canceled":true,"Created":false}\n',
        ) +
        stderr[1],
    );
  });

  it('prints nothing for the created response; a member’s cancel reason in etcdctl’s words', () => {
    const c = cmd('watch foo');
    const header = { cluster_id: 1, member_id: 1, revision: 9, raft_term: 2 };
    const created = { header, watch_id: 0, created: true, events: [] };
    expect(formatResponse(c, { ok: true, method: 'watch', body: created }, 1)).toBe('');
    const removed = {
      header,
      watch_id: 0,
      canceled: true,
      cancel_reason: 'etcdserver: server stopped',
      events: [],
    };
    expect(formatResponse(c, { ok: true, method: 'watch', body: removed }, 1)).toBe(
      'watch was canceled (etcdserver: server stopped)\nError: watch is canceled by the server\n',
    );
  });
});
