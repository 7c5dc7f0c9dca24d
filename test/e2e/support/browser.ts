/** Debian's Chromium driven by playwright-core (installed by scripts/ensure-chromium.sh if missing). */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { chromium, type Browser } from "playwright-core";
import { repoDir } from "./demo.js";

const CHROMIUM = "/usr/bin/chromium";

export function ensureChromium(): void {
  if (existsSync(CHROMIUM)) return;
  const result = spawnSync("bash", [join(repoDir, "scripts/ensure-chromium.sh")], { encoding: "utf8" });
  if (result.status !== 0 || !existsSync(CHROMIUM)) {
    throw new Error(`scripts/ensure-chromium.sh could not install Chromium:\n${result.stdout}${result.stderr}`);
  }
}

export async function launchChromium(): Promise<Browser> {
  ensureChromium();
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}
