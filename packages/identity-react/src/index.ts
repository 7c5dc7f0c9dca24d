/**
 * @tandem/react — `AuthProvider`, hooks with the shapes of `@clerk/clerk-react` v5, and prebuilt,
 * accessible, themeable components. The guide's code runs with only the provider's import changed:
 *
 * @example
 * import { AuthProvider, useAuth } from "@tandem/react";
 * import { ConvexProviderWithClerk } from "convex/react-clerk";
 *
 * <AuthProvider publishableKey={import.meta.env.VITE_TANDEM_PUBLISHABLE_KEY}>
 *   <ConvexProviderWithClerk client={convex} useAuth={useAuth}>
 *     <App />
 *   </ConvexProviderWithClerk>
 * </AuthProvider>
 */
export { AuthProvider, type AuthProviderProps } from "./auth-provider.js";
export {
  useAuth,
  type UseAuthReturn,
  type GetToken,
  type Has,
  type HasParams,
  type SignOut,
} from "./hooks/use-auth.js";
export {
  useUser,
  useSession,
  useClerk,
  useSignIn,
  useSignUp,
  type UseUserReturn,
  type UseSessionReturn,
  type UseSignInReturn,
  type UseSignUpReturn,
} from "./hooks/resources.js";
export type { ClerkLike } from "./clerk.js";
export {
  useOrganization,
  useOrganizationList,
  type UseOrganizationReturn,
  type UseOrganizationListReturn,
  type MembershipList,
} from "./hooks/organizations.js";
export { OrganizationSwitcher, type OrganizationSwitcherProps } from "./components/organization-switcher.js";
export { CreateOrganization, type CreateOrganizationProps } from "./components/create-organization.js";
export { SignIn } from "./components/sign-in.js";
export { SignUp } from "./components/sign-up.js";
export { UserProfile } from "./components/user-profile.js";
export {
  AuthenticateWithRedirectCallback,
  type AuthenticateWithRedirectCallbackProps,
} from "./components/sso-callback.js";
export { UserButton, type UserButtonProps } from "./components/user-button.js";
export {
  SignInButton,
  SignUpButton,
  SignOutButton,
  type SignInButtonProps,
  type SignUpButtonProps,
  type SignOutButtonProps,
} from "./components/buttons.js";
export {
  SignedIn,
  SignedOut,
  Protect,
  IdentityLoaded,
  IdentityLoading,
  type ProtectProps,
} from "./components/control.js";
export type { Appearance, AppearanceVariables, ElementKey } from "./theme.js";
export type { SignInProps, SignUpProps, UserProfileProps } from "./types.js";
export {
  AuthApiError,
  isAuthApiError,
  isClerkAPIResponseError,
  createTandem,
  type Tandem,
  type AuthState,
} from "@tandem/js";
