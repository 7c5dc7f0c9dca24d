/**
 * `tandem dev` writes the URL names the app's framework reads, as the official CLI picks them: a
 * Next.js app (such as an open-source file-sharing app on Convex + Clerk) gets
 * `NEXT_PUBLIC_CONVEX_URL`, a Vite app `VITE_CONVEX_SITE_URL` (the convex-demos HTTP file upload).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { appPackages, urlEnvNamesFor } from "../src/framework-env.js";

test("names per framework, in the official CLI's order of precedence", () => {
  const names = (...pkgs: string[]) => urlEnvNamesFor(new Set(pkgs));
  assert.deepEqual(names("next", "react"), { url: "NEXT_PUBLIC_CONVEX_URL", site: "NEXT_PUBLIC_CONVEX_SITE_URL" });
  assert.deepEqual(names("vite", "react"), { url: "VITE_CONVEX_URL", site: "VITE_CONVEX_SITE_URL" });
  assert.deepEqual(names("react-scripts", "vite"), { url: "REACT_APP_CONVEX_URL", site: "REACT_APP_CONVEX_SITE_URL" });
  assert.deepEqual(names("expo"), { url: "EXPO_PUBLIC_CONVEX_URL", site: "EXPO_PUBLIC_CONVEX_SITE_URL" });
  assert.deepEqual(names("@sveltejs/kit", "vite"), { url: "PUBLIC_CONVEX_URL", site: "PUBLIC_CONVEX_SITE_URL" });
  assert.deepEqual(names("@remix-run/dev"), { url: "CONVEX_URL", site: "CONVEX_SITE_URL" });
  assert.deepEqual(names(), { url: "CONVEX_URL", site: "CONVEX_SITE_URL" });
});

test("packages come from dependencies and devDependencies; a missing package.json means none", async () => {
  const dir = await mkdtemp(join(tmpdir(), "tandem-framework-"));
  assert.deepEqual([...(await appPackages(dir))], []);
  await writeFile(
    join(dir, "package.json"),
    JSON.stringify({ dependencies: { convex: "1.48.0" }, devDependencies: { vite: "^6.0.0" } }),
  );
  assert.deepEqual([...(await appPackages(dir))].sort(), ["convex", "vite"]);
});
