/**
 * The other ways in that `<SignIn />` and `<SignUp />` offer beside their form, as the instance
 * enables them (`tandem.environment()`, read from the Frontend API environment): a button per
 * social provider ("Continue with Acme ID") and, on sign-in, "Use passkey".
 */
import { useEffect, useState } from "react";
import type { InstanceFactors, OAuthStrategy, Tandem } from "@tandem/js";
import { elementProps, type Appearance } from "../theme.js";

/** The instance's enabled factors; null until the environment has been read. */
export function useInstanceFactors(tandem: Tandem): InstanceFactors | null {
  const [factors, setFactors] = useState<InstanceFactors | null>(null);
  useEffect(() => {
    let live = true;
    tandem.environment().then(
      (f) => live && setFactors(f),
      () => {}, // offline or refused: the form alone still works
    );
    return () => void (live = false);
  }, [tandem]);
  return factors;
}

export function Alternatives(props: {
  factors: InstanceFactors | null;
  busy: boolean;
  appearance: Appearance | undefined;
  onSocial: (strategy: OAuthStrategy) => void;
  onPasskey?: (() => void) | undefined;
}) {
  const { factors } = props;
  if (!factors) return null;
  const passkey = factors.passkey && props.onPasskey;
  if (!factors.socialProviders.length && !passkey) return null;
  return (
    <div className="tandem-alternatives" role="group" aria-label="Other ways to continue">
      {factors.socialProviders.map((p) => (
        <button
          key={p.strategy}
          type="button"
          disabled={props.busy}
          onClick={() => props.onSocial(p.strategy)}
          {...elementProps(props.appearance, "socialButtonsBlockButton")}
        >
          Continue with {p.name}
        </button>
      ))}
      {passkey ? (
        <button
          type="button"
          disabled={props.busy}
          onClick={props.onPasskey}
          {...elementProps(props.appearance, "formButtonSecondary")}
        >
          Use passkey
        </button>
      ) : null}
    </div>
  );
}

/** Where the provider sends the browser back, and where that page goes next. */
export function redirectTargets(callbackUrl: string | undefined, complete: string | undefined) {
  const here = typeof location === "undefined" ? "/" : location.href;
  return { redirectUrl: callbackUrl ?? "/sso-callback", redirectUrlComplete: complete ?? here };
}
