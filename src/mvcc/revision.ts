// etcd's revision (server/mvcc/revision.go): `main` is the store revision a write transaction
// creates; `sub` orders the changes inside that transaction (0, 1, 2, ...).

export interface Revision {
  readonly main: number;
  readonly sub: number;
}

/** Whether a > b (revision.GreaterThan). */
export function revGreater(a: Revision, b: Revision): boolean {
  return a.main > b.main || (a.main === b.main && a.sub > b.sub);
}

export function compareRev(a: Revision, b: Revision): number {
  return a.main !== b.main ? a.main - b.main : a.sub - b.sub;
}

export const ZERO_REV: Revision = Object.freeze({ main: 0, sub: 0 });
