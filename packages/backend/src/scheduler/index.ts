export { Scheduler, type SchedulerOptions } from "./scheduler.js";
export { ManualClock, systemClock, type Clock } from "./clock.js";
export { listCronJobs, registerSchedulerSystemFunctions } from "./system-functions.js";
export { TRANSIENT_ACTION_ERROR } from "./executor.js";
export { JOBS_TABLE, CRONS_TABLE, type JobDocument, type JobState } from "./tables.js";
export { nextRun, compileSchedule, parseCron, nextCalendarRun, stableMinute } from "./cron-schedule.js";
