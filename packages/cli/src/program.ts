/** The `tandem` command line (docs/architecture.md#composition): dev, serve, env, run. */
import { Command } from "commander";
import { runDev, type DevFlags } from "./commands/dev.js";
import { envGet, envList, envRemove, envSet } from "./commands/env.js";
import { runCommand } from "./commands/run.js";
import { doctorAuth, type DoctorAuthFlags } from "./commands/doctor-auth.js";
import { runServe, type ServeFlags } from "./commands/serve.js";
import { registerWebhooks } from "./commands/webhooks.js";
import { registerBackup } from "./commands/backup.js";
import { registerKeys } from "./commands/keys.js";
import type { DeploymentFlags } from "./deployment.js";
import { CliError, processIo, type Io } from "./io.js";
import { addServerOptions } from "./options.js";

function untilSignal(): Promise<void> {
  return new Promise((resolve) => {
    process.once("SIGINT", () => resolve());
    process.once("SIGTERM", () => resolve());
  });
}

const deploymentOptions = (cmd: Command) =>
  cmd
    .option("--url <url>", "deployment URL (default: CONVEX_SELF_HOSTED_URL, or .env.local)")
    .option("--admin-key <key>", "admin key (default: CONVEX_SELF_HOSTED_ADMIN_KEY, or .env.local)")
    .option("--dir <app>", "app folder whose .env.local names the deployment");

/** Runs the CLI; resolves with the exit code instead of exiting (tests call this). */
export async function runCli(argv: readonly string[], io: Io = processIo): Promise<number> {
  let code = 0;
  const program = new Command()
    .name("tandem")
    .description("Tandem: a self-hosted Convex-compatible backend and Clerk-compatible identity service")
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s.trimEnd()), writeErr: (s) => io.err(s.trimEnd()) });

  addServerOptions(
    program
      .command("dev")
      .description(
        "run backend + identity for the app in --dir, write .env.local, and push with the app's `convex dev`",
      )
      .option("--dir <app>", "app folder (with convex/)")
      .option("--once", "push once and exit with the convex CLI's exit code")
      .option("--typecheck <mode>", "passed to `convex dev --typecheck` (enable|try|disable)", "try")
      .option("--https", "serve every port over TLS from a local CA (APP/.tandem/tls/ca.crt) for devices")
      .option("--public-host <host>", "with --https: the host devices reach this machine by (emulator: 10.0.2.2)")
      .option(
        "--webhook <path>",
        "send identity webhooks to this HTTP action path; its secret becomes CLERK_WEBHOOK_SECRET",
      ),
  ).action(async (flags: DevFlags) => {
    code = await runDev(flags, io);
  });

  addServerOptions(
    program
      .command("serve")
      .description("run backend + identity without watching (production)")
      .option("--data <dir>", "data folder for SQLite and keys", ".tandem")
      .option(
        "--db <url>",
        "postgres://user:pw@host/db[?schema=NAME][&fastCommitTries=N]: keep the backend's and the identity service's data in Postgres instead of SQLite",
      )
      .option(
        "--identity-schema <name>",
        "with --db: the Postgres schema of the identity tables (default $TANDEM_IDENTITY_SCHEMA or tandem_identity)",
      )
      .option(
        "--issuer <url>",
        "public https URL of the identity service when TLS ends at a reverse proxy (docs/android-guide.md#tandem-serve-behind-a-reverse-proxy)",
      ),
  ).action(async (flags: ServeFlags) => {
    code = await runServe(flags, io, untilSignal());
  });

  const env = program.command("env").description("the deployment's environment variables");
  deploymentOptions(env.command("list").description("list NAME=value")).action(async (flags: DeploymentFlags) => {
    code = await envList(flags, io);
  });
  deploymentOptions(env.command("get <name>")).action(async (name: string, flags: DeploymentFlags) => {
    code = await envGet(name, flags, io);
  });
  deploymentOptions(env.command("set <name> [value]")).action(
    async (name: string, value: string | undefined, flags: DeploymentFlags) => {
      code = await envSet(name, value, flags, io);
    },
  );
  deploymentOptions(env.command("remove <name>")).action(async (name: string, flags: DeploymentFlags) => {
    code = await envRemove(name, flags, io);
  });

  deploymentOptions(
    program
      .command("run <function> [args]")
      .description("run a function as admin (internal ones too), e.g. tandem run messages:list '{}'"),
  ).action(async (fn: string, args: string | undefined, flags: DeploymentFlags) => {
    code = await runCommand(fn, args, flags, io);
  });

  deploymentOptions(
    program
      .command("doctor")
      .description("diagnose problems")
      .command("auth")
      .description("say why the backend refuses users' tokens, and the fix")
      .option("--token <jwt>", "diagnose this token instead of the last rejected ones")
      .option("--limit <n>", "how many recent rejections to show", "10"),
  ).action(async (flags: DoctorAuthFlags) => {
    code = await doctorAuth(flags, io);
  });

  registerWebhooks(program, io, (c) => (code = c));
  registerBackup(program, io, (c) => (code = c));
  registerKeys(program, io, (c) => (code = c));

  try {
    await program.parseAsync([...argv], { from: "user" });
    return code;
  } catch (e) {
    if (e instanceof CliError) {
      io.err(`error: ${e.message}`);
      return e.exitCode;
    }
    const ce = e as { code?: string; exitCode?: number };
    if (typeof ce.code === "string" && ce.code.startsWith("commander.")) return ce.exitCode ?? 1;
    throw e;
  }
}
