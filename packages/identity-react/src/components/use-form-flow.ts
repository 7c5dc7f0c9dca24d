/**
 * What `<SignIn />` and `<SignUp />` share around their steps: one action at a time (`busy`), the
 * action's error shown on the form, and, once the flow's resource is complete, its session made
 * active, the caller told, and the redirect followed.
 */
import type { TandemContextValue } from "../context.js";
import { useBusyAction } from "./use-busy-action.js";

/** The part of a sign-in or sign-up that says whether it finished and with which session. */
export interface FlowResource {
  readonly status: string | null;
  readonly createdSessionId: string | null;
}

export interface FormFlowOptions {
  /** Called once the new session is active. */
  onDone: (() => void) | undefined;
  /** Where to go then (already picked from the props and the provider's options), if anywhere. */
  redirectUrl: string | undefined;
}

export function useFormFlow(
  { tandem, ui }: Pick<TandemContextValue, "tandem" | "ui">,
  { onDone, redirectUrl }: FormFlowOptions,
) {
  /** `run` runs one step of the flow; its error lands on the form. */
  const { busy, errors, setErrors, run } = useBusyAction();

  /** After a step: if `resource` is complete, activate its session, tell the caller, redirect. */
  async function finish(resource: FlowResource): Promise<void> {
    if (resource.status !== "complete") return;
    await tandem.setActive({ session: resource.createdSessionId });
    onDone?.();
    if (redirectUrl) await ui.navigate(redirectUrl);
  }

  return { busy, errors, setErrors, run, finish };
}
