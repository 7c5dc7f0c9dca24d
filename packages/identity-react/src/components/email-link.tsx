/**
 * Magic links in `<SignIn />` and `<SignUp />`: waiting on the page that asked (the SDK re-reads
 * the flow until the link was opened), and the page the link comes back to, which reads
 * `__clerk_status` from its own URL as Clerk's components do.
 */
import { useEffect, useRef, type ReactNode } from "react";
import type { EmailLinkFlow } from "@tandem/js";
import type { Appearance } from "../theme.js";
import { Card } from "./card.js";
import { Alert, LinkButton } from "./fields.js";

export type LinkStatus = "verified" | "expired" | "failed" | "client_mismatch";
const STATUS_PARAMS = ["__clerk_status", "__clerk_created_session"];

/** The `__clerk_status` this page was opened with (the link's way back), if any. */
export function linkStatusOfPage(): LinkStatus | null {
  if (typeof location === "undefined") return null;
  const s = new URLSearchParams(location.search).get("__clerk_status");
  return s === "verified" || s === "expired" || s === "failed" || s === "client_mismatch" ? s : null;
}

/** Where the link should come back to: the given URL, else this page without a previous link's answer. */
export function linkRedirectUrl(given: string | undefined): string {
  if (given) return given;
  if (typeof location === "undefined") return "/";
  const u = new URL(location.href);
  for (const p of STATUS_PARAMS) u.searchParams.delete(p);
  return u.href;
}

/**
 * Runs one email-link flow at a time: `start` replaces (cancels) the one before; the flow is
 * cancelled on unmount. `onSettled` hears only of the latest flow.
 */
export function useEmailLinkFlow<T>(onSettled: (result: T) => void, onError: (e: unknown) => void) {
  const current = useRef<EmailLinkFlow<T> | null>(null);
  useEffect(() => () => current.current?.cancelEmailLinkFlow(), []);
  const cancel = () => {
    current.current?.cancelEmailLinkFlow();
    current.current = null;
  };
  const start = (flow: EmailLinkFlow<T>, redirectUrl: string) => {
    cancel();
    current.current = flow;
    flow.startEmailLinkFlow({ redirectUrl }).then(
      (r) => current.current === flow && onSettled(r),
      (e: unknown) => current.current === flow && onError(e),
    );
  };
  return { start, cancel };
}

/** "Check your email": the page waits for the link; resend or go back. */
export function CheckEmailCard(props: {
  sentTo: string;
  what: "sign-in link" | "verification link";
  error: string | undefined;
  appearance: Appearance | undefined;
  onResend: () => void;
  back: ReactNode;
}) {
  return (
    <Card
      title="Check your email"
      subtitle={`We sent a ${props.what} to ${props.sentTo}. Open it to continue; this page carries on by itself.`}
      appearance={props.appearance}
      footer={
        <>
          <LinkButton appearance={props.appearance} onClick={props.onResend}>
            Send a new link
          </LinkButton>
          {props.back}
        </>
      }
    >
      {props.error ? <Alert appearance={props.appearance}>{props.error}</Alert> : null}
      <p role="status" aria-live="polite" className="tandem-waiting">
        Waiting for the link to be opened…
      </p>
    </Card>
  );
}

/** The page a link came back to, when it is not signed in here (opened in another browser, or refused). */
export function LinkReturnedCard(props: {
  status: LinkStatus;
  appearance: Appearance | undefined;
  onBack: () => void;
}) {
  const [title, subtitle] = (() => {
    switch (props.status) {
      case "verified":
        return ["Email verified", "You can close this tab and go back to the one where you started."];
      case "expired":
        return ["This link has expired", "Ask for a new link and open the newest one."];
      case "failed":
        return ["This link is not valid", "Ask for a new link and open the newest one."];
      case "client_mismatch":
        return ["Open the link in the same browser", "The link must be opened where you asked for it."];
      default:
        return props.status satisfies never;
    }
  })();
  return (
    <Card
      title={title}
      subtitle={subtitle}
      appearance={props.appearance}
      footer={
        <LinkButton appearance={props.appearance} onClick={() => (clearLinkStatus(), props.onBack())}>
          Back
        </LinkButton>
      }
    >
      {null}
    </Card>
  );
}

/** Drops `__clerk_status` from the address bar so a reload shows the form again. */
function clearLinkStatus(): void {
  if (typeof location === "undefined" || typeof history === "undefined") return;
  const u = new URL(location.href);
  for (const p of STATUS_PARAMS) u.searchParams.delete(p);
  history.replaceState(history.state, "", u.href);
}
