/**
 * One action at a time on a form or section: `busy` while it runs, its error (a Clerk-shaped API
 * error or any other) shown on the form, and `after` (a reload of the user, say) once it succeeds.
 */
import { useState } from "react";
import { NO_ERRORS, toFormErrors, type FormErrors } from "./fields.js";

export function useBusyAction(after?: () => Promise<void>) {
  const [busy, setBusy] = useState(false);
  const [errors, setErrors] = useState<FormErrors>(NO_ERRORS);

  async function run(action: () => Promise<void>): Promise<void> {
    setBusy(true);
    setErrors(NO_ERRORS);
    try {
      await action();
      await after?.();
    } catch (e) {
      setErrors(toFormErrors(e));
    } finally {
      setBusy(false);
    }
  }

  return { busy, errors, setErrors, run };
}
