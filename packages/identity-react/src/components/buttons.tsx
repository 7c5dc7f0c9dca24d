/**
 * `<SignInButton>`, `<SignUpButton>`, `<SignOutButton>`: like Clerk's, each wraps its single child
 * (or a plain `<button>` with the default text) and adds the click behaviour. `mode="modal"`
 * opens the form in an accessible dialog; `mode="redirect"` (the default) goes to the provider's
 * `signInUrl`/`signUpUrl`, or opens the dialog when there is none (there is no hosted page).
 */
import { Children, cloneElement, isValidElement, type MouseEvent, type ReactElement, type ReactNode } from "react";
import type { SignOutOptions } from "@tandem/js";
import { useClerk } from "../hooks/resources.js";
import type { SignInProps, SignUpProps } from "../types.js";

type Clickable = ReactElement<{ onClick?: (e: MouseEvent) => void; "aria-haspopup"?: string }>;

function onlyChild(children: ReactNode, defaultText: string): Clickable {
  const text = typeof children === "string" ? children : undefined;
  if (children === undefined || children === null || text !== undefined)
    return <button type="button">{text ?? defaultText}</button>;
  const child = Children.only(children);
  if (!isValidElement(child)) throw new Error("Pass a single element (or a string) as the child of this button.");
  return child as Clickable;
}

export interface SignInButtonProps extends Omit<SignInProps, "onSignedIn"> {
  mode?: "modal" | "redirect";
  signUpForceRedirectUrl?: string;
  signUpFallbackRedirectUrl?: string;
  children?: ReactNode;
}

export function SignInButton({
  mode = "redirect",
  children,
  signUpForceRedirectUrl: _sf,
  signUpFallbackRedirectUrl: _sb,
  ...props
}: SignInButtonProps) {
  const clerk = useClerk();
  const child = onlyChild(children, "Sign in");
  return cloneElement(child, {
    ...(mode === "modal" ? { "aria-haspopup": "dialog" } : {}),
    onClick: (e: MouseEvent) => {
      child.props.onClick?.(e);
      if (mode === "modal") clerk.openSignIn(props);
      else void clerk.redirectToSignIn(props);
    },
  });
}

export interface SignUpButtonProps extends Omit<SignUpProps, "onSignedUp"> {
  mode?: "modal" | "redirect";
  children?: ReactNode;
}

export function SignUpButton({ mode = "redirect", children, ...props }: SignUpButtonProps) {
  const clerk = useClerk();
  const child = onlyChild(children, "Sign up");
  return cloneElement(child, {
    ...(mode === "modal" ? { "aria-haspopup": "dialog" } : {}),
    onClick: (e: MouseEvent) => {
      child.props.onClick?.(e);
      if (mode === "modal") clerk.openSignUp(props);
      else void clerk.redirectToSignUp(props);
    },
  });
}

export interface SignOutButtonProps {
  /** Where to go once signed out (default: the provider's `afterSignOutUrl`, else stay). */
  redirectUrl?: string;
  sessionId?: string;
  /** @deprecated Clerk's older spelling of the two props above. */
  signOutOptions?: SignOutOptions;
  children?: ReactNode;
}

export function SignOutButton({ redirectUrl, sessionId, signOutOptions, children }: SignOutButtonProps) {
  const clerk = useClerk();
  const child = onlyChild(children, "Sign out");
  const options: SignOutOptions = { ...signOutOptions };
  if (redirectUrl !== undefined) options.redirectUrl = redirectUrl;
  if (sessionId !== undefined) options.sessionId = sessionId;
  return cloneElement(child, {
    onClick: (e: MouseEvent) => {
      child.props.onClick?.(e);
      void clerk.signOut(options);
    },
  });
}
