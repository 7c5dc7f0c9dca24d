/**
 * `<AuthenticateWithRedirectCallback />` (Clerk's name): the page a social provider sends the
 * browser back to. It finishes the sign-in or sign-up (`tandem.handleRedirectCallback()`), then
 * the browser goes on to where the flow started; an account with a second factor gets that step.
 */
import { useEffect, useRef, useState } from "react";
import { useTandemContext } from "../context.js";
import { Card, useAppearance } from "./card.js";
import { Alert } from "./fields.js";
import { SignIn } from "./sign-in.js";
import type { Appearance } from "../theme.js";

export interface AuthenticateWithRedirectCallbackProps {
  /** Where to go when the callback URL names no destination (default `/`). */
  fallbackRedirectUrl?: string;
  appearance?: Appearance;
}

export function AuthenticateWithRedirectCallback(props: AuthenticateWithRedirectCallbackProps) {
  const { tandem } = useTandemContext("AuthenticateWithRedirectCallback");
  const appearance = useAppearance(props.appearance, "SignIn");
  const [state, setState] = useState<"working" | "needs_second_factor" | { error: string }>("working");
  const started = useRef(false);
  useEffect(() => {
    if (started.current) return;
    started.current = true;
    tandem
      .handleRedirectCallback(props.fallbackRedirectUrl ? { fallbackRedirectUrl: props.fallbackRedirectUrl } : {})
      .then(
        (r) => r === "needs_second_factor" && setState(r),
        (e: unknown) => setState({ error: e instanceof Error ? e.message : String(e) }),
      );
  }, [tandem, props.fallbackRedirectUrl]);
  if (state === "needs_second_factor") return <SignIn appearance={props.appearance} resumeSecondFactor />;
  return (
    <Card title="Signing you in" appearance={appearance}>
      {state === "working" ? <p role="status">One moment…</p> : <Alert appearance={appearance}>{state.error}</Alert>}
    </Card>
  );
}
