/**
 * `<AuthProvider publishableKey=…>`: creates the `@tandem/js` client once, loads it (retrying
 * with backoff while the identity service is unreachable), re-renders consumers on every change
 * and hosts the sign-in/sign-up/profile dialog. Put `ConvexProviderWithClerk` inside it with
 * this package's `useAuth`.
 */
import { useCallback, useEffect, useMemo, useRef, useState, useSyncExternalStore, type ReactNode } from "react";
import { backoffDelay } from "@tandem/shared";
import { createTandem, type Tandem, type TandemOptions } from "@tandem/js";
import { TandemContext, type TandemContextValue, type UiControls } from "./context.js";
import { ModalHost } from "./components/modal-host.js";
import { STYLESHEET } from "./theme.js";
import type { ModalState, ProviderUiOptions } from "./types.js";

export interface AuthProviderProps extends Omit<TandemOptions, "publishableKey" | "navigate">, ProviderUiOptions {
  publishableKey: string;
  /** An SDK instance you created yourself (then `publishableKey` only has to match it). */
  tandem?: Tandem;
  children?: ReactNode;
}

function defaultNavigate(to: string): void {
  if (typeof window !== "undefined") window.location.assign(to);
}

export function AuthProvider(props: AuthProviderProps) {
  const { children, tandem: given, appearance, signInUrl, signUpUrl, afterSignOutUrl, routerPush } = props;
  const [tandem] = useState<Tandem>(
    () =>
      given ??
      createTandem({
        publishableKey: props.publishableKey,
        ...(props.frontendApi !== undefined ? { frontendApi: props.frontendApi } : {}),
        ...(props.transport !== undefined ? { transport: props.transport } : {}),
        ...(props.storage !== undefined ? { storage: props.storage } : {}),
        ...(props.fetch !== undefined ? { fetch: props.fetch } : {}),
        ...(props.crossTabSync !== undefined ? { crossTabSync: props.crossTabSync } : {}),
        ...(props.tokenLeewaySeconds !== undefined ? { tokenLeewaySeconds: props.tokenLeewaySeconds } : {}),
        navigate: (to) => (routerRef.current ?? defaultNavigate)(to),
      }),
  );
  const routerRef = useRef(routerPush);
  routerRef.current = routerPush;

  const revision = useSyncExternalStore(
    useCallback((onChange: () => void) => tandem.subscribe(onChange), [tandem]),
    () => tandem.revision,
    () => tandem.revision,
  );

  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const attempt = (n: number) => {
      tandem.load().catch(() => {
        if (!stopped) timer = setTimeout(() => attempt(n + 1), 500 + backoffDelay(n, 500, 10_000));
      });
    };
    attempt(0);
    return () => {
      stopped = true;
      if (timer) clearTimeout(timer);
    };
  }, [tandem]);

  const [modal, setModal] = useState<ModalState>(null);
  const navigate = useCallback(async (to: string) => {
    await (routerRef.current ?? defaultNavigate)(to);
  }, []);
  const ui = useMemo<UiControls>(() => ({ modal, setModal, navigate }), [modal, navigate]);
  const options = useMemo(
    () => ({
      appearance,
      signInUrl,
      signUpUrl,
      afterSignOutUrl,
      signInForceRedirectUrl: props.signInForceRedirectUrl,
      signInFallbackRedirectUrl: props.signInFallbackRedirectUrl,
      signUpForceRedirectUrl: props.signUpForceRedirectUrl,
      signUpFallbackRedirectUrl: props.signUpFallbackRedirectUrl,
    }),
    [
      appearance,
      signInUrl,
      signUpUrl,
      afterSignOutUrl,
      props.signInForceRedirectUrl,
      props.signInFallbackRedirectUrl,
      props.signUpForceRedirectUrl,
      props.signUpFallbackRedirectUrl,
    ],
  );
  const value = useMemo<TandemContextValue>(() => ({ tandem, revision, options, ui }), [tandem, revision, options, ui]);

  return (
    <TandemContext.Provider value={value}>
      <style data-tandem-styles="">{STYLESHEET}</style>
      {children}
      <ModalHost />
    </TandemContext.Provider>
  );
}
