/**
 * Magic links (`email_link`): what `signIn.createEmailLinkFlow()` and `signUp.createEmailLinkFlow()`
 * share. The link is opened in some browser (maybe another one); the page that asked learns of it
 * by re-reading its sign-in or sign-up until the flow moved on, as clerk-js does.
 */
export interface EmailLinkFlow<T> {
  /** Sends the link, then resolves once it was opened (or ran out): check the resource's state. */
  startEmailLinkFlow(params: { redirectUrl: string; emailAddressId?: string }): Promise<T>;
  /** Stops waiting (the link still works; the page just no longer listens). */
  cancelEmailLinkFlow(): void;
}

/** clerk-js polls every two seconds; a little faster keeps the page snappy at no real cost. */
export const EMAIL_LINK_POLL_MS = 1000;

/**
 * Calls `prepare`, then `reload` every `intervalMs` until `settled()` (or cancel); cancelled,
 * it resolves without waiting for the link.
 */
export function emailLinkFlow<T>(
  prepare: (params: { redirectUrl: string; emailAddressId?: string }) => Promise<unknown>,
  reload: () => Promise<unknown>,
  settled: () => boolean,
  result: () => T,
  intervalMs = EMAIL_LINK_POLL_MS,
): EmailLinkFlow<T> {
  let cancelled = false;
  let wake: (() => void) | null = null;
  return {
    async startEmailLinkFlow(params) {
      await prepare(params);
      while (!cancelled && !settled()) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, intervalMs);
          wake = () => (clearTimeout(timer), resolve());
        });
        wake = null;
        if (!cancelled) await reload();
      }
      return result();
    },
    cancelEmailLinkFlow() {
      cancelled = true;
      wake?.();
    },
  };
}
