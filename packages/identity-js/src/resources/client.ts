/** The current client (browser or device): its signed-in sessions and its sign-in/sign-up attempts. */
import type { SessionResource } from "./session.js";
import type { SignIn } from "./sign-in.js";
import type { SignUp } from "./sign-up.js";

export interface ClientResource {
  /** `null` until the server has created a client for this browser/device. */
  readonly id: string | null;
  /** Active sessions (single-session instances have at most one). */
  readonly sessions: readonly SessionResource[];
  readonly activeSessions: readonly SessionResource[];
  readonly lastActiveSessionId: string | null;
  readonly signIn: SignIn;
  readonly signUp: SignUp;
  readonly updatedAt: Date | null;
}
