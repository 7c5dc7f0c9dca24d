/**
 * The object `useClerk()` returns: the SDK's client plus the UI calls of Clerk's `LoadedClerk`
 * (`openSignIn`, `openUserProfile`, `redirectToSignIn`, …). Getters read the live SDK state.
 */
import type {
  ClientResource,
  Resources,
  SessionResource,
  SetActiveParams,
  SignOutOptions,
  Tandem,
  UserResource,
} from "@tandem/js";
import type { UiControls } from "./context.js";
import type { ProviderUiOptions, SignInProps, SignUpProps, UserProfileProps } from "./types.js";

export interface ClerkLike {
  readonly tandem: Tandem;
  readonly loaded: boolean;
  readonly client: ClientResource | null;
  readonly session: SessionResource | null;
  readonly user: UserResource | null;
  readonly publishableKey: string;
  setActive(params: SetActiveParams): Promise<void>;
  signOut(options?: SignOutOptions): Promise<void>;
  signOut(callback: () => void | Promise<unknown>, options?: SignOutOptions): Promise<void>;
  addListener(listener: (resources: Resources) => void): () => void;
  openSignIn(props?: SignInProps): void;
  closeSignIn(): void;
  openSignUp(props?: SignUpProps): void;
  closeSignUp(): void;
  openUserProfile(props?: UserProfileProps): void;
  closeUserProfile(): void;
  buildSignInUrl(): string | null;
  buildSignUpUrl(): string | null;
  /** Goes to `signInUrl` when the provider has one, else opens the sign-in modal. */
  redirectToSignIn(props?: SignInProps): Promise<void>;
  redirectToSignUp(props?: SignUpProps): Promise<void>;
  navigate(to: string): Promise<void>;
}

export function createClerkLike(tandem: Tandem, ui: UiControls, options: ProviderUiOptions): ClerkLike {
  const close = (kind: "signIn" | "signUp" | "userProfile") => () => {
    if (ui.modal?.kind === kind) ui.setModal(null);
  };
  return {
    tandem,
    get loaded() {
      return tandem.loaded;
    },
    get client() {
      return tandem.client;
    },
    get session() {
      return tandem.session;
    },
    get user() {
      return tandem.user;
    },
    publishableKey: tandem.publishableKey,
    setActive: (params) => tandem.setActive(params),
    signOut: ((a?: SignOutOptions | (() => void | Promise<unknown>), b?: SignOutOptions) => {
      const opts = (typeof a === "function" ? b : a) ?? {};
      const withRedirect = { ...opts, redirectUrl: opts.redirectUrl ?? options.afterSignOutUrl };
      const cb = typeof a === "function" ? a : undefined;
      return tandem.signOut(
        async () => {
          await cb?.();
          if (withRedirect.redirectUrl) await ui.navigate(withRedirect.redirectUrl);
        },
        { ...(opts.sessionId ? { sessionId: opts.sessionId } : {}) },
      );
    }) as ClerkLike["signOut"],
    addListener: (l) => tandem.addListener(l),
    openSignIn: (props = {}) => ui.setModal({ kind: "signIn", props }),
    closeSignIn: close("signIn"),
    openSignUp: (props = {}) => ui.setModal({ kind: "signUp", props }),
    closeSignUp: close("signUp"),
    openUserProfile: (props = {}) => ui.setModal({ kind: "userProfile", props }),
    closeUserProfile: close("userProfile"),
    buildSignInUrl: () => options.signInUrl ?? null,
    buildSignUpUrl: () => options.signUpUrl ?? null,
    async redirectToSignIn(props = {}) {
      if (options.signInUrl) await ui.navigate(options.signInUrl);
      else ui.setModal({ kind: "signIn", props });
    },
    async redirectToSignUp(props = {}) {
      if (options.signUpUrl) await ui.navigate(options.signUpUrl);
      else ui.setModal({ kind: "signUp", props });
    },
    navigate: (to) => ui.navigate(to),
  };
}
