export { Inflights } from './inflights';
export { ProgressState } from './progress';
export { ProgressTracker, emptyTrackerConfig, cloneTrackerConfig } from './tracker';
export type { ProgressMap, TrackerConfig } from './tracker';
