// The client side of watch streams on its own: which answers belong to a stream, when a stream
// ends, and Ctrl+C before the member has even said the watch is created.
import { describe, expect, it } from 'vitest';
import type { ClientRequest, ClientResponse, WatchStreamResponse } from '../server/requests';
import { WatchStreams } from './watch-streams';

const header = { revision: 5 };
const body = (b: Partial<WatchStreamResponse>): ClientResponse => ({
  ok: true,
  method: 'watch',
  body: { header, watch_id: 3, events: [], ...b },
});

function setup() {
  const sent: { node: number; clientId: number; request: ClientRequest; requestId: number }[] = [];
  const streams = new WatchStreams((node, clientId, request) => {
    const requestId = sent.length + 1;
    sent.push({ node, clientId, request, requestId });
    return requestId;
  });
  const heard: string[] = [];
  const handlers = {
    onResponse: (r: ClientResponse) =>
      heard.push(r.ok ? JSON.stringify((r.body as WatchStreamResponse).watch_id) : r.error.message),
    onEnd: (reason: string) => heard.push(`end: ${reason}`),
  };
  const watch = { method: 'watch' as const, body: { key: new Uint8Array([107]) } };
  return { sent, streams, heard, handlers, watch };
}

describe('WatchStreams', () => {
  it('hands a stream its answers until a canceled one; others are not its own', () => {
    const { sent, streams, heard, handlers, watch } = setup();
    streams.watch(2, 1, watch, handlers);
    expect(sent).toMatchObject([{ node: 2, clientId: 1, request: watch }]);
    expect(streams.answer(1, 1, body({ created: true }))).toBe(true);
    expect(streams.answer(1, 1, body({}))).toBe(true);
    expect(streams.answer(1, 99, body({}))).toBe(false);
    expect(streams.open).toBe(1);
    expect(streams.answer(1, 1, body({ canceled: true, compact_revision: 4 }))).toBe(true);
    expect(streams.open).toBe(0);
    expect(streams.answer(1, 1, body({}))).toBe(false);
    expect(heard).toEqual(['3', '3', '3']);
  });

  it('ends the streams of a member that goes down, and only those', () => {
    const { streams, heard, handlers, watch } = setup();
    streams.watch(2, 1, watch, handlers);
    streams.watch(3, 1, watch, handlers);
    streams.memberDown(2, 'n2 went down');
    expect(heard).toEqual(['end: n2 went down']);
    expect(streams.open).toBe(1);
  });

  it('Ctrl+C stops listening at once and cancels; before created, as soon as created comes', () => {
    const { sent, streams, heard, handlers, watch } = setup();
    streams.watch(2, 1, watch, handlers); // request 1: created already
    streams.answer(1, 1, body({ created: true }));
    streams.watch(3, 1, watch, handlers); // request 2: not yet created
    streams.watch(3, 7, watch, handlers); // another client's: untouched
    expect(streams.interrupt(1)).toBe(2);
    expect(sent[3]).toMatchObject({
      node: 2,
      request: { method: 'watchCancel', body: { watch_id: 3 } },
    });
    expect(sent).toHaveLength(4);
    expect(streams.open).toBe(1);
    // the late created answer: canceled at once, never heard
    expect(streams.answer(1, 2, body({ created: true, watch_id: 8 }))).toBe(true);
    expect(sent[4]).toMatchObject({
      node: 3,
      request: { method: 'watchCancel', body: { watch_id: 8 } },
    });
    expect(streams.answer(1, 2, body({}))).toBe(false);
    expect(heard).toEqual(['3']);
  });
});
