// Small formatting helpers for narration: node names, lists, durations, counts, and untrusted
// text made safe for one line of plain text. No regular expressions: the feed narrates thousands
// of records and these run for each.

/** A trace field as a finite number, or undefined. */
export function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

/** A trace field as text, or undefined. */
export function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

/** A node as the playground names it: n1, n2, ... ('a node' when the record does not say). */
export function nodeName(id: unknown): string {
  return typeof id === 'number' ? `n${id}` : 'a node';
}

/** "n1", "n1 and n2", "n1, n2 and n3". */
export function nodeList(ids: readonly number[]): string {
  let s = '';
  for (let i = 0; i < ids.length; i++) {
    if (i > 0) s += i === ids.length - 1 ? ' and ' : ', ';
    s += `n${ids[i]}`;
  }
  return s;
}

/** "1 entry", "3 entries". */
export function count(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** Simulated microseconds as a short duration: "850 µs", "1.2 ms", "65.5 ms", "2.35 s". */
export function duration(us: number): string {
  const a = Math.abs(us);
  if (a < 1000) return `${Math.round(us)} µs`;
  if (a < 1_000_000) return `${(us / 1000).toFixed(a < 10_000 ? 2 : 1)} ms`;
  return `${(us / 1_000_000).toFixed(2)} s`;
}

/** The longest stretch of untrusted text (an error, a key) one narration line shows. */
export const MAX_TEXT = 160;

/**
 * Untrusted text for one line: control characters (newlines, tabs, escapes) become spaces and
 * anything past `max` characters becomes an ellipsis. The result is plain text; the UI renders it
 * as text, never as markup.
 */
export function plainText(text: string, max = MAX_TEXT): string {
  let clean = true;
  for (let i = 0; i < text.length && clean; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || c === 0x7f || (c >= 0x80 && c < 0xa0)) clean = false;
  }
  let s = text;
  if (!clean) {
    s = '';
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      s += c < 0x20 || c === 0x7f || (c >= 0x80 && c < 0xa0) ? ' ' : text[i];
    }
  }
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

/** etcd's RPC name for a request method: put -> Put, deleteRange -> DeleteRange. */
export function rpcName(method: string): string {
  return method.length === 0 ? 'request' : method[0]!.toUpperCase() + method.slice(1);
}
