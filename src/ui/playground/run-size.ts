// A run that grows too big for the tab, as the playground tells it. The timeline keeps every trace
// record so that a person can step back through the run; at full speed under load that is tens of
// thousands of records a simulated second (about 250-350 bytes each, measured in process with
// `node --expose-gc`), and a tab that runs out of memory loses the run. So play stops, once per
// step of RUN_SIZE_STEP records, and says why and what to do; pressing Play goes on.

/** Trace records between stops: some 1 GB of timeline at the measured size per record. */
export const RUN_SIZE_STEP = 3_000_000;

const noticed = new WeakMap<object, number>();

/** The size the run has passed and not yet been told about, if any. */
export function unnoticedRunSize(run: object, records: number): number | undefined {
  const passed = Math.floor(records / RUN_SIZE_STEP) * RUN_SIZE_STEP;
  return passed > (noticed.get(run) ?? 0) ? passed : undefined;
}

/** Marks `passed` told for this run, and says it. */
export function noticeRunSize(run: object, passed: number): string {
  noticed.set(run, passed);
  return `This run now holds ${passed.toLocaleString('en-US')} trace events. The tab keeps every one so you can step back through the run, and it will run out of memory if the run goes on much longer: share a link to this moment (it replays exactly), or start a new run. Play goes on if you press Play.`;
}
