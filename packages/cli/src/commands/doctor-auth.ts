/**
 * `tandem doctor auth`: why the backend refuses a user's token, with the fix. Reads the reasons
 * the backend kept for the last rejected tokens (`_system/tandem/authRejections`), or diagnoses
 * one token given with `--token` (`_system/tandem/diagnoseToken`). Never prints a token.
 */
import { explainRejection, NO_REJECTIONS_HINT, type RejectionReason } from "@tandem/backend";
import { resolveDeployment, runFunction, type DeploymentFlags } from "../deployment.js";
import type { Io } from "../io.js";

export interface DoctorAuthFlags extends DeploymentFlags {
  token?: string;
  limit?: string;
}

interface Rejection {
  readonly at: number;
  readonly reason: RejectionReason;
  readonly subject: string | null;
  readonly message: string;
}

interface Report {
  readonly now: number;
  readonly pushed: boolean;
  readonly providers: ReadonlyArray<{ describe?: string; error?: string }>;
  readonly rejections: readonly Rejection[];
}

function print(io: Io, reason: RejectionReason, header: string): void {
  const { cause, fix } = explainRejection(reason);
  io.out(`✗ ${header}[${reason.kind}] ${cause}`);
  io.out(`  Fix: ${fix}`);
}

export async function doctorAuth(flags: DoctorAuthFlags, io: Io): Promise<number> {
  const d = resolveDeployment(flags);
  if (flags.token !== undefined) {
    const r = (await runFunction(d, "_system/tandem/diagnoseToken", { token: flags.token })) as
      { ok: true; subject: string } | { ok: false; reason: RejectionReason; message: string };
    if (r.ok) {
      io.out(`✓ The backend accepts this token (subject ${JSON.stringify(r.subject)}).`);
      return 0;
    }
    print(io, r.reason, "");
    return 1;
  }
  const report = (await runFunction(d, "_system/tandem/authRejections", {})) as Report;
  io.out(
    report.pushed
      ? `Auth providers: ${report.providers.map((p) => p.describe ?? p.error ?? "?").join(", ") || "(none)"}`
      : "No functions pushed yet.",
  );
  const limit = flags.limit !== undefined ? Math.max(1, Number.parseInt(flags.limit, 10) || 1) : 10;
  const shown = report.rejections.slice(0, limit);
  if (shown.length === 0) {
    io.out("✓ No rejected tokens since the backend started.");
    io.out(`  ${NO_REJECTIONS_HINT}`);
    return 0;
  }
  io.out(`Last ${shown.length} rejected token${shown.length === 1 ? "" : "s"} (newest first):`);
  for (const r of shown) print(io, r.reason, `${new Date(r.at).toISOString()} ${r.subject ? `sub=${r.subject} ` : ""}`);
  return 1;
}
