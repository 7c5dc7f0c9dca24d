/**
 * `tandem dev [--dir APP] [--once]` (docs/architecture.md#composition): backend + identity on embedded SQLite under
 * `APP/.tandem/`, `APP/.env.local` written, then the app's own `npx convex dev` (watch, or one
 * push with `--once`) pushing to us. Exits with the convex CLI's exit code.
 */
import { existsSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { join, relative, resolve } from "node:path";
import { createLogger, type LogLevel } from "@tandem/shared";
import { exitCodeOf, findConvexCli, spawnConvex } from "../convex-cli.js";
import { updateEnvFile } from "../env-file.js";
import { appPackages, urlEnvNamesFor } from "../framework-env.js";
import { readEnvFile } from "../deployment.js";
import { serviceOptionsFrom, type ServerFlags } from "../options.js";
import { startServices } from "../services.js";
import { CliError, type Io } from "../io.js";
import { connectDevWebhook } from "./webhooks.js";
import { DRAIN_TIMEOUT_MS } from "./serve.js";

export interface DevFlags extends ServerFlags {
  dir?: string;
  once?: boolean;
  typecheck: string;
  https?: boolean;
  publicHost?: string;
  /** An HTTP action path that receives the identity service's webhooks. */
  webhook?: string;
}

/** The host in URLs and the publishable key: `--public-host`, else the listen host (`localhost` for a wildcard). */
function publicHostOf(flags: DevFlags): string {
  if (flags.publicHost !== undefined) {
    if (!/^[A-Za-z0-9.:-]+$/.test(flags.publicHost))
      throw new CliError(`--public-host must be a host name or IP address, got ${JSON.stringify(flags.publicHost)}`);
    return flags.publicHost;
  }
  return flags.host === "0.0.0.0" || flags.host === "::" ? "localhost" : flags.host;
}

/** What the factor flags turned on (never a secret). */
function factorLines(f: ReturnType<typeof serviceOptionsFrom>["identityFactors"]): string[] {
  return [
    ...(f.oauthProviders?.length
      ? [`  Social sign-in       ${f.oauthProviders.map((p) => `oauth_${p.provider}`).join(", ")}`]
      : []),
    ...(f.sms ? [`  Text messages        dev inbox and ${new URL(f.sms.webhookUrl).origin}`] : []),
    ...(f.passkeys
      ? [
          `  Passkeys             RP id ${f.passkeys.rpId ?? "(page host)"}, origins ${f.passkeys.origins?.join(" ") ?? "(any allowed page)"}`,
        ]
      : []),
  ];
}

export async function runDev(flags: DevFlags, io: Io): Promise<number> {
  const appDir = resolve(flags.dir ?? process.cwd());
  if (!existsSync(join(appDir, "convex"))) {
    throw new CliError(`No convex/ folder in ${appDir}. Run \`tandem dev\` in an app folder, or pass --dir APP.`);
  }
  const convexBin = findConvexCli(appDir);
  if (!convexBin) {
    throw new CliError(`${appDir} does not depend on the \`convex\` package. Install it first: npm install convex`);
  }
  const dataDir = join(appDir, ".tandem");
  await mkdir(dataDir, { recursive: true });
  // The data folder holds the database and keys: keep it out of version control.
  await writeFile(join(dataDir, ".gitignore"), "*\n");

  if (flags.publicHost !== undefined && !flags.https)
    throw new CliError("--public-host needs --https (the Android SDK only calls https://).");
  const level = (process.env.TANDEM_LOG_LEVEL as LogLevel | undefined) ?? "warn";
  // Provider secrets may sit in the app's .env.local (kept out of git); the process env wins.
  const serviceOptions = serviceOptionsFrom(flags, { ...readEnvFile(join(appDir, ".env.local")), ...process.env });
  const services = await startServices({
    dataDir,
    ...serviceOptions,
    instance: "development",
    nodePackagesDir: appDir,
    ...(flags.https ? { https: { publicHost: publicHostOf(flags), tlsDir: join(dataDir, "tls") } } : {}),
    logger: createLogger("tandem", { level }),
  });
  const { backend, identity, publicUrls, dashboard } = services;
  let child: ReturnType<typeof spawnConvex> | null = null;
  let stopped = false;
  const stop = () => {
    stopped = true;
    child?.kill("SIGINT");
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  try {
    const names = urlEnvNamesFor(await appPackages(appDir));
    const written = {
      CONVEX_URL: publicUrls.backend,
      VITE_CONVEX_URL: publicUrls.backend,
      // The convex CLI would write these, but it stops updating .env.local when it sees two URL names.
      CONVEX_SITE_URL: publicUrls.site,
      VITE_CONVEX_SITE_URL: publicUrls.site,
      [names.url]: publicUrls.backend,
      [names.site]: publicUrls.site,
      // The CLI on this machine pushes over loopback (with --https: the backend's own plain-HTTP port).
      CONVEX_SELF_HOSTED_URL: backend.url,
      CONVEX_SELF_HOSTED_ADMIN_KEY: backend.adminKey,
      VITE_TANDEM_PUBLISHABLE_KEY: identity.publishableKey,
      TANDEM_SECRET_KEY: identity.secretKey,
    };
    const webhookLine = flags.webhook ? await connectDevWebhook(flags.webhook, identity, backend) : null;
    const envPath = join(appDir, ".env.local");
    const removed = await updateEnvFile(envPath, written, ["CONVEX_DEPLOYMENT"]);
    const shown = relative(process.cwd(), appDir) || ".";
    io.out(
      [
        "Tandem dev",
        `  Backend API + sync   ${publicUrls.backend}`,
        `  HTTP actions         ${publicUrls.site}`,
        `  Identity (issuer)    ${identity.issuer}   dev inbox: ${identity.url}/dev/inbox`,
        ...(services.caCertPath
          ? [
              `  Publishable key      ${identity.publishableKey}`,
              `  CA to trust on the device: ${services.caCertPath} (docs/android-guide.md#https)`,
            ]
          : []),
        ...factorLines(serviceOptions.identityFactors),
        `  Dashboard            ${dashboard.url}`,
        `                       one-time login link: ${dashboard.loginLink()}`,
        `  Data                 ${join(shown, ".tandem")}`,
        `  Wrote ${join(shown, ".env.local")}: ${Object.keys(written).join(", ")}`,
        ...(removed.length
          ? [`  Removed ${removed.join(", ")} from .env.local (it selects a Convex cloud deployment)`]
          : []),
        `  Deployment env var TANDEM_ISSUER_DOMAIN=${identity.issuer}`,
        ...(webhookLine ? [webhookLine] : []),
        "",
        `Running the app's convex CLI: convex dev${flags.once ? " --once" : ""}`,
      ].join("\n"),
    );
    const args = ["dev", ...(flags.once ? ["--once"] : []), "--typecheck", flags.typecheck];
    if (stopped) return 0;
    child = spawnConvex(convexBin, args, { cwd: appDir, deployment: { url: backend.url, adminKey: backend.adminKey } });
    const code = await exitCodeOf(child);
    // Asked to stop (SIGINT/SIGTERM): the convex CLI's exit from our signal is not a failure.
    return stopped ? 0 : code;
  } finally {
    process.off("SIGINT", stop);
    process.off("SIGTERM", stop);
    await backend.drain(DRAIN_TIMEOUT_MS);
    await services.close();
  }
}
