import { test } from "node:test";
import assert from "node:assert/strict";
import { updateEnvText } from "../src/env-file.js";

test("updateEnvText keeps the user's lines, replaces ours in place, appends the rest and drops CONVEX_DEPLOYMENT", () => {
  const before =
    "# mine\nMY_VAR=keep me\nCONVEX_URL=http://old\nCONVEX_DEPLOYMENT=dev:cloud-1 # team\nexport OTHER='x y'\n";
  const { text, removed } = updateEnvText(
    before,
    { CONVEX_URL: "http://127.0.0.1:3210", TANDEM_SECRET_KEY: "sk_test_a b" },
    ["CONVEX_DEPLOYMENT"],
  );
  assert.deepEqual(removed, ["CONVEX_DEPLOYMENT"]);
  assert.equal(
    text,
    "# mine\nMY_VAR=keep me\nCONVEX_URL=http://127.0.0.1:3210\nexport OTHER='x y'\n\n# Written by `tandem dev`\nTANDEM_SECRET_KEY=\"sk_test_a b\"\n",
  );
  assert.equal(
    updateEnvText(text, { CONVEX_URL: "http://127.0.0.1:3210", TANDEM_SECRET_KEY: "sk_test_a b" }).text,
    text,
    "idempotent",
  );
  assert.equal(updateEnvText("", { A: "1" }).text, "# Written by `tandem dev`\nA=1\n");
});
