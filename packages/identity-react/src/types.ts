/** Props shared by the prebuilt components and the provider (the Clerk v5 names). */
import type { Appearance } from "./theme.js";

export interface SignInProps {
  /** Where to go after signing in, whatever else says. */
  forceRedirectUrl?: string;
  /** Where to go after signing in when nothing else says. */
  fallbackRedirectUrl?: string;
  /** Link target for "Sign up"; without it the form switches to `SignUp` in place. */
  signUpUrl?: string;
  initialValues?: { emailAddress?: string; username?: string };
  appearance?: Appearance;
  /** Called once the session is active (after `setActive`). */
  onSignedIn?: () => void;
  /** The page with `<AuthenticateWithRedirectCallback />` social providers return to (default `/sso-callback`). */
  oauthCallbackUrl?: string;
  /** Where a magic link comes back to (default: this page); the `<SignIn />` there says what it did. */
  emailLinkRedirectUrl?: string;
  /** Open at the second-factor step of the current sign-in (after a social sign-in came back). */
  resumeSecondFactor?: boolean;
}

export interface SignUpProps {
  forceRedirectUrl?: string;
  fallbackRedirectUrl?: string;
  /** Link target for "Sign in"; without it the form switches to `SignIn` in place. */
  signInUrl?: string;
  initialValues?: { emailAddress?: string; firstName?: string; lastName?: string; username?: string };
  unsafeMetadata?: Record<string, unknown>;
  appearance?: Appearance;
  onSignedUp?: () => void;
  /** Where a magic link comes back to (default: this page); the `<SignUp />` there says what it did. */
  emailLinkRedirectUrl?: string;
  /** The page with `<AuthenticateWithRedirectCallback />` social providers return to (default `/sso-callback`). */
  oauthCallbackUrl?: string;
}

export interface UserProfileProps {
  appearance?: Appearance;
}

/** What `AuthProvider` takes besides the SDK options. */
export interface ProviderUiOptions {
  appearance?: Appearance;
  signInUrl?: string;
  signUpUrl?: string;
  afterSignOutUrl?: string;
  signInForceRedirectUrl?: string;
  signInFallbackRedirectUrl?: string;
  signUpForceRedirectUrl?: string;
  signUpFallbackRedirectUrl?: string;
  /** Client-side navigation (your router's `push`); default `location.assign`. */
  routerPush?: (to: string) => void | Promise<unknown>;
}

export type ModalState =
  | { kind: "signIn"; props: SignInProps }
  | { kind: "signUp"; props: SignUpProps }
  | { kind: "userProfile"; props: UserProfileProps }
  | null;
