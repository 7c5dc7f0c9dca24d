/** Schedules: the pushed cron jobs and the scheduled functions (`_scheduled_functions`), live. */
import type { Api } from "../api.js";
import { show } from "../api.js";
import { usePoll } from "../hooks.js";
import { Alert, Page } from "../parts.js";
import { SimpleTable, when } from "./simple-table.js";

interface Cron {
  name: string;
  cronSpec: { udfPath: string; cronSchedule: Record<string, unknown>; udfArgs?: unknown };
}
interface Job {
  _id: string;
  name: string;
  scheduledTime: number;
  completedTime?: number;
  state: { kind: string; error?: string };
  args?: unknown;
}

export function SchedulesPage({ api }: { api: Api }) {
  const crons = usePoll(async () => (await api.run("_system/frontend/listCronJobs", {})) as Cron[], [api], 3000);
  const jobs = usePoll(
    async () =>
      (
        (await api.run("_system/frontend/paginatedScheduledJobs", {
          paginationOpts: { cursor: null, numItems: 100 },
        })) as { page: Job[] }
      ).page,
    [api],
    1000,
  );
  return (
    <Page title="Schedules">
      <h2>Cron jobs</h2>
      <Alert message={crons.error} />
      <SimpleTable
        label="Cron jobs"
        rows={crons.data}
        rowKey={(c) => c.name}
        empty="No cron jobs: define them in convex/crons.ts."
        columns={[
          { header: "Name", cell: (c) => c.name },
          { header: "Function", cell: (c) => c.cronSpec.udfPath, mono: true },
          { header: "Schedule", cell: (c) => JSON.stringify(c.cronSpec.cronSchedule), mono: true },
        ]}
      />
      <h2>Scheduled functions</h2>
      <Alert message={jobs.error} />
      <SimpleTable
        label="Scheduled functions"
        rows={jobs.data}
        rowKey={(j) => j._id}
        empty="Nothing scheduled."
        columns={[
          { header: "Function", cell: (j) => j.name, mono: true },
          { header: "Scheduled for", cell: (j) => when(j.scheduledTime) },
          { header: "State", cell: (j) => j.state.kind + (j.state.error ? `: ${j.state.error}` : "") },
          { header: "Completed", cell: (j) => when(j.completedTime) },
          { header: "Arguments", cell: (j) => show(j.args), mono: true },
        ]}
      />
    </Page>
  );
}
