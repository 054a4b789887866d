// The narration layer: one plain sentence per trace record, its category for the feed's filters
// and stepping, and whether it gets a line by default. Pure functions of the record and a small
// serializable context; no React, no DOM.
export { narrate, NARRATED_KINDS } from './narrate';
export {
  categorize,
  isNotable,
  messageCategory,
  EVENT_CATEGORIES,
  FIRST_WORKLOAD_CLIENT,
  type EventCategory,
} from './categorize';
export { advanceContext, createNarrationContext, type NarrationContext } from './context';
export { messagePurpose } from './messages';
