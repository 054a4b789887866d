// `npm run raft:replay -- <dir>`: replays etcd-io/raft's interaction scripts (its testdata/*.txt,
// which are etcd's and not kept in this repository) against src/raft and compares every Ready
// and message. Prints one line per script: matched, differs (with the first difference), or
// unsupported (the script needs a feature outside this core's API). Exit status 1 if any differs.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { replay } from '../src/raft/testing/interaction';

const UNSUPPORTED =
  /async-storage-writes|process-append-thread|forget-leader|disable-conf-change-validation|truncate/;

const dir = process.argv[2];
if (!dir) {
  console.error('usage: npm run raft:replay -- <directory of etcd-io/raft testdata/*.txt>');
  process.exit(2);
}
let files: string[];
try {
  files = readdirSync(dir)
    .filter((f) => f.endsWith('.txt'))
    .sort();
} catch (err) {
  console.error(`raft:replay: cannot read ${dir}: ${(err as Error).message}`);
  process.exit(2);
}
let differs = 0;
for (const f of files) {
  const text = readFileSync(join(dir, f), 'utf8');
  if (UNSUPPORTED.test(text)) {
    console.log(`unsupported  ${f}`);
    continue;
  }
  const diff = replay(text);
  if (diff === undefined) console.log(`matched      ${f}`);
  else {
    differs++;
    console.log(
      `differs      ${f}\n${diff
        .split('\n')
        .slice(0, 12)
        .map((l) => '    ' + l)
        .join('\n')}`,
    );
  }
}
console.log(`${files.length} scripts, ${differs} differ`);
process.exit(differs > 0 ? 1 : 0);
