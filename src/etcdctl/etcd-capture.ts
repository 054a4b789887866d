// For tests that compare with output captured from a real etcd 3.4.23 and its etcdctl: etcd's IDs
// are 64-bit and do not fit a JavaScript number, so each capture has them replaced by small ones
// (in decimal and in hex, wherever they appear) before comparing; everything else is verbatim.
const CLUSTER = 324952591200643719n;
const MEMBER = 3319814642761637952n; // 2e1259d415f2a040
/** etcd's ID, raftlab's, and whether etcdctl prints it in hex as %016x (leases) or %x. */
const IDS: [bigint, number, boolean][] = [
  [CLUSTER, 0x48276a8f, false],
  [MEMBER, 1, false],
  [2324035533926368801n, 0x7a, true], // leases
  [2324035533926368799n, 0x79, true],
  [2324035533931356935n, 0x7b, true],
  [5310585574174358685n, 4, false], // a learner added
];

/** etcd's captured output with its 64-bit IDs replaced by raftlab-sized ones. */
export function fromEtcd(captured: string): string {
  let s = captured;
  for (const [big, small, padded] of IDS) {
    s = s.replaceAll(String(big), String(small));
    const h = small.toString(16);
    s = s.replaceAll(big.toString(16).padStart(16, '0'), padded ? h.padStart(16, '0') : h);
  }
  return s;
}
