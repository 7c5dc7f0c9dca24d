/** Sign-up through the SDK's state machine with the code from the dev inbox. */
import assert from "node:assert/strict";
import type { Tandem } from "@tandem/js";
import { PASSWORD, type TestIdentity } from "../../../../test/support/identity.js";

export async function signUpWithCode(
  tandem: Tandem,
  identity: TestIdentity,
  email: string,
  names = { firstName: "Ada", lastName: "Lovelace" },
) {
  const t0 = Date.now();
  await tandem.signUp.create({ emailAddress: email, password: PASSWORD, ...names });
  assert.equal(tandem.signUp.status, "missing_requirements");
  await tandem.signUp.prepareEmailAddressVerification({ strategy: "email_code" });
  const code = await identity.codeFor(email, t0);
  await tandem.signUp.attemptEmailAddressVerification({ code });
  assert.equal(tandem.signUp.status, "complete");
  await tandem.setActive({ session: tandem.signUp.createdSessionId });
}
