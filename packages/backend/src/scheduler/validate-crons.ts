/**
 * Push-time checks of `crons.ts`: every schedule parses (a bad cron string fails the push rather
 * than being skipped later) and every target is a mutation or action of the pushed modules.
 */
import { badRequest } from "../errors.js";
import type { ModuleAnalysis } from "../engine/deployment.js";
import { compileSchedule, type CronScheduleJSON } from "./cron-schedule.js";

export function validateCrons(modules: readonly ModuleAnalysis[]): void {
  const crons = modules.find((m) => m.path === "crons.js")?.crons;
  if (!crons) return;
  for (const [identifier, spec] of Object.entries(crons)) {
    try {
      compileSchedule(spec.schedule as CronScheduleJSON, identifier);
    } catch (e) {
      throw badRequest(
        "InvalidCronSchedule",
        `Cron job ${JSON.stringify(identifier)} in crons.ts: ${(e as Error).message}`,
      );
    }
    const colon = spec.name.lastIndexOf(":");
    const path = colon === -1 ? spec.name : spec.name.slice(0, colon);
    const fn = colon === -1 ? "default" : spec.name.slice(colon + 1);
    const target = modules
      .find((m) => m.path === `${path.replace(/\.js$/, "")}.js`)
      ?.functions.find((f) => f.name === fn);
    if (!target || target.kind === "query")
      throw badRequest(
        "InvalidCronJob",
        `Cron job ${JSON.stringify(identifier)} in crons.ts calls ${spec.name}, which is ${target ? "a query" : "not an exported function"}: crons must call a mutation or an action.`,
      );
  }
}
