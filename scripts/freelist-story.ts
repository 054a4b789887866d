// `node --expose-gc --import tsx scripts/freelist-story.ts [variant ...]` (or `npx tsx ...`)
// Runs story 15 (the freelist) headless, each variant given (default: all four), and prints its
// figures with the run's wall time, and what the member's aged file alone holds on the heap (a
// PageFile built as the run's was, measured after a collection, with --expose-gc): the figures
// the story's text and src/mvcc/README.md quote.
import { PageFile } from '../src/mvcc/backend';
import { freelistStory } from '../src/stories/freelist-story';
import { measureFreelist } from '../src/stories/measure';
import { nodeSpecs } from '../src/sim/cluster';

const gc = (globalThis as { gc?: () => void }).gc;
const heap = () => {
  for (let i = 0; i < 3; i++) gc?.();
  return process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers;
};

const names = process.argv.slice(2);
for (const v of freelistStory.variants) {
  if (names.length > 0 && !names.includes(v.name)) continue;
  const scenario = v.scenario();
  const before = heap();
  const file = new PageFile(
    scenario.settings.freelistType,
    nodeSpecs(scenario.settings, scenario.seed)[0]!.agedFile,
  );
  const fileMb = (heap() - before) / 2 ** 20;
  const t0 = performance.now();
  const figures = await measureFreelist(scenario);
  const wallS = (performance.now() - t0) / 1000;
  console.log(
    v.name,
    JSON.stringify(figures),
    `wall ${wallS.toFixed(1)} s; the file at its start: ${file.stats.pages} pages, ${fileMb.toFixed(1)} MiB of heap${gc ? '' : ' (no --expose-gc: uncollected)'}`,
  );
}
