// A scenario's share link, refused when it would be longer than the links raftlab opens. A run
// restored from a snapshot file carries the file in its scenario (a link must rebuild the same
// cluster), so its link grows with the file: past MAX_FRAGMENT_CHARS the person is told so, and
// pointed to Export JSON, which holds files up to the restore limit.
import { encodeFragment, LinkError, MAX_FRAGMENT_CHARS } from './link-codec';
import type { Scenario } from './schema';

const count = (n: number) => n.toLocaleString('en-US');

/** The fragment text (without '#') for `s`; throws a LinkError ('too-long') past the limit. */
export async function scenarioFragment<S extends Scenario>(s: S): Promise<string> {
  const text = await encodeFragment(s);
  if (text.length <= MAX_FRAGMENT_CHARS) return text;
  const why = s.restore
    ? `it carries the snapshot file ${s.restore.file} this run was restored from (${count(Math.floor((s.restore.snapshot.length * 3) / 4))} bytes)`
    : 'its scenario is too large';
  throw new LinkError(
    'too-long',
    `A link to this run would be ${count(text.length)} characters long, and raftlab opens links of up to ${count(MAX_FRAGMENT_CHARS)}: ${why}. Export JSON saves the run, file included.`,
  );
}
