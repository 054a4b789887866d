// User actions, each a registered object: a name, how to check its arguments against the
// cluster, and what it does at its simulated time. The playground's buttons, the scenario's
// action list and the CLI all go through these, so a recorded action replays exactly.
import type { ClientRequest } from '../server/requests';
import type { Action } from '../scenario/schema';
import type { Cluster } from './cluster';

export interface ActionContext {
  cluster: Cluster;
  nodes: readonly number[];
  /** Sends a request from the action client; its answer goes to the action log. */
  send(node: number, request: ClientRequest): void;
}

interface ActionDef {
  label: string;
  check(a: Action, nodes: readonly number[]): void;
  perform(a: Action, ctx: ActionContext): Promise<void> | void;
}

const utf8 = new TextEncoder();

function node(a: Action, field: string, nodes: readonly number[]): number {
  const v = a[field];
  if (typeof v !== 'number' || !nodes.includes(v)) {
    throw new Error(
      `action ${a.kind} at ${a.atUs} µs: ${field} must be one of the nodes ${nodes.join(', ')}, got ${JSON.stringify(v)}`,
    );
  }
  return v;
}

function text(a: Action, field: string): string {
  const v = a[field];
  if (typeof v !== 'string')
    throw new Error(`action ${a.kind} at ${a.atUs} µs: ${field} must be text`);
  return v;
}

function groups(a: Action, nodes: readonly number[]): number[][] {
  const g = a.groups;
  if (
    !Array.isArray(g) ||
    g.some((x) => !Array.isArray(x) || x.some((n) => !nodes.includes(n as number)))
  ) {
    throw new Error(`action ${a.kind} at ${a.atUs} µs: groups must be lists of node ids`);
  }
  return g as number[][];
}

const noArgs = () => undefined;

export const ACTIONS: Record<string, ActionDef> = {
  crash: {
    label: 'crash a node',
    check: (a, ns) => void node(a, 'node', ns),
    perform: (a, { cluster, nodes }) => cluster.conductor.crash(node(a, 'node', nodes)),
  },
  restart: {
    label: 'restart a crashed node',
    check: (a, ns) => void node(a, 'node', ns),
    perform: async (a, { cluster, nodes }) => {
      const id = node(a, 'node', nodes);
      if (cluster.conductor.nodeState(id) === 'down') await cluster.conductor.restart(id);
    },
  },
  pause: {
    label: 'pause a node',
    check: (a, ns) => void node(a, 'node', ns),
    perform: (a, { cluster, nodes }) => cluster.conductor.pause(node(a, 'node', nodes)),
  },
  resume: {
    label: 'resume a paused node',
    check: (a, ns) => void node(a, 'node', ns),
    perform: (a, { cluster, nodes }) => cluster.conductor.resume(node(a, 'node', nodes)),
  },
  cut: {
    label: 'cut a link (one way with oneWay: true)',
    check: (a, ns) => void (node(a, 'from', ns), node(a, 'to', ns)),
    perform: (a, { cluster, nodes }) =>
      cluster.conductor.network.cut(
        node(a, 'from', nodes),
        node(a, 'to', nodes),
        a.oneWay !== true,
      ),
  },
  heal: {
    label: 'heal a link',
    check: (a, ns) => void (node(a, 'from', ns), node(a, 'to', ns)),
    perform: (a, { cluster, nodes }) =>
      cluster.conductor.network.heal(
        node(a, 'from', nodes),
        node(a, 'to', nodes),
        a.oneWay !== true,
      ),
  },
  partition: {
    label: 'partition the cluster into groups',
    check: (a, ns) => void groups(a, ns),
    perform: (a, { cluster, nodes }) => cluster.conductor.network.partition(groups(a, nodes)),
  },
  'heal-all': {
    label: 'heal every link and partition',
    check: noArgs,
    perform: (_a, { cluster }) => cluster.conductor.network.healAll(),
  },
  'slow-disk': {
    label: 'make a node’s disk slower (factor 1 heals it)',
    check: (a, ns) => {
      node(a, 'node', ns);
      if (typeof a.factor !== 'number' || !(a.factor >= 1))
        throw new Error(`action slow-disk at ${a.atUs} µs: factor must be a number >= 1`);
    },
    perform: (a, { cluster, nodes }) =>
      cluster.conductor.setSlowDisk(node(a, 'node', nodes), a.factor as number),
  },
  put: {
    label: 'put a key',
    check: (a, ns) => void (node(a, 'node', ns), text(a, 'key'), text(a, 'value')),
    perform: (a, ctx) =>
      ctx.send(node(a, 'node', ctx.nodes), {
        method: 'put',
        body: { key: utf8.encode(text(a, 'key')), value: utf8.encode(text(a, 'value')) },
      }),
  },
  get: {
    label: 'get a key (serializable: true for a local read)',
    check: (a, ns) => void (node(a, 'node', ns), text(a, 'key')),
    perform: (a, ctx) =>
      ctx.send(node(a, 'node', ctx.nodes), {
        method: 'range',
        body: { key: utf8.encode(text(a, 'key')), serializable: a.serializable === true },
      }),
  },
  delete: {
    label: 'delete a key',
    check: (a, ns) => void (node(a, 'node', ns), text(a, 'key')),
    perform: (a, ctx) =>
      ctx.send(node(a, 'node', ctx.nodes), {
        method: 'deleteRange',
        body: { key: utf8.encode(text(a, 'key')) },
      }),
  },
};

/** Checks every action before a run starts, so a bad scenario fails with a message, not mid-run. */
export function checkActions(actions: readonly Action[], nodes: readonly number[]): void {
  for (const a of actions) {
    const def = ACTIONS[a.kind];
    if (!def) {
      throw new Error(
        `action ${a.kind} at ${a.atUs} µs is not one raftlab knows (${Object.keys(ACTIONS).join(', ')})`,
      );
    }
    def.check(a, nodes);
  }
}
