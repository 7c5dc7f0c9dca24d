/** `useUser`, `useSession`, `useClerk`, `useSignIn`, `useSignUp`: the `@clerk/clerk-react` v5 shapes. */
import { useMemo } from "react";
import type { SessionResource, SetActiveParams, SignIn, SignUp, UserResource } from "@tandem/js";
import { useTandemContext } from "../context.js";
import { createClerkLike, type ClerkLike } from "../clerk.js";

export type UseUserReturn =
  | { isLoaded: false; isSignedIn: undefined; user: undefined }
  | { isLoaded: true; isSignedIn: false; user: null }
  | { isLoaded: true; isSignedIn: true; user: UserResource };

export type UseSessionReturn =
  | { isLoaded: false; isSignedIn: undefined; session: undefined }
  | { isLoaded: true; isSignedIn: false; session: null }
  | { isLoaded: true; isSignedIn: true; session: SessionResource };

type SetActive = (params: SetActiveParams) => Promise<void>;

export type UseSignInReturn =
  | { isLoaded: false; signIn: undefined; setActive: undefined }
  | { isLoaded: true; signIn: SignIn; setActive: SetActive };
export type UseSignUpReturn =
  | { isLoaded: false; signUp: undefined; setActive: undefined }
  | { isLoaded: true; signUp: SignUp; setActive: SetActive };

export function useUser(): UseUserReturn {
  const { tandem } = useTandemContext("useUser");
  const user = tandem.user;
  const loaded = tandem.loaded;
  return useMemo<UseUserReturn>(
    () =>
      !loaded
        ? { isLoaded: false, isSignedIn: undefined, user: undefined }
        : user
          ? { isLoaded: true, isSignedIn: true, user }
          : { isLoaded: true, isSignedIn: false, user: null },
    [loaded, user],
  );
}

export function useSession(): UseSessionReturn {
  const { tandem } = useTandemContext("useSession");
  const session = tandem.session;
  const loaded = tandem.loaded;
  return useMemo<UseSessionReturn>(
    () =>
      !loaded
        ? { isLoaded: false, isSignedIn: undefined, session: undefined }
        : session
          ? { isLoaded: true, isSignedIn: true, session }
          : { isLoaded: true, isSignedIn: false, session: null },
    [loaded, session],
  );
}

export function useClerk(): ClerkLike {
  const { tandem, ui, options } = useTandemContext("useClerk");
  return useMemo(() => createClerkLike(tandem, ui, options), [tandem, ui, options]);
}

export function useSignIn(): UseSignInReturn {
  const ctx = useTandemContext("useSignIn");
  const { tandem } = ctx;
  const setActive = useMemo<SetActive>(() => (p) => tandem.setActive(p), [tandem]);
  // A new object per revision so that components reading `signIn.status` re-render.
  return useMemo<UseSignInReturn>(
    () =>
      tandem.loaded
        ? { isLoaded: true, signIn: tandem.signIn, setActive }
        : { isLoaded: false, signIn: undefined, setActive: undefined },
    [ctx.revision, tandem, setActive],
  );
}

export function useSignUp(): UseSignUpReturn {
  const ctx = useTandemContext("useSignUp");
  const { tandem } = ctx;
  const setActive = useMemo<SetActive>(() => (p) => tandem.setActive(p), [tandem]);
  return useMemo<UseSignUpReturn>(
    () =>
      tandem.loaded
        ? { isLoaded: true, signUp: tandem.signUp, setActive }
        : { isLoaded: false, signUp: undefined, setActive: undefined },
    [ctx.revision, tandem, setActive],
  );
}
