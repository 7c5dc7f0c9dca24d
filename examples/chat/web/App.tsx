// The guide's App: the logged-in, logged-out and loading views (`Authenticated`,
// `Unauthenticated`, `AuthLoading` from convex/react), Clerk-shaped buttons from @tandem/react,
// the name badge, and the live chat.
import { Authenticated, AuthLoading, Unauthenticated } from "convex/react";
import { SignInButton, SignOutButton, UserButton } from "@tandem/react";
import Badge from "./Badge";
import { Messages, SendForm } from "./Chat";

export default function App() {
  return (
    <div className="App">
      <header className="bar">
        <h1>Tandem chat</h1>
        <div className="account">
          <AuthLoading>
            <span className="auth-state">Still loading</span>
          </AuthLoading>
          <Unauthenticated>
            <span className="auth-state">Logged out</span>
            <SignInButton mode="modal" />
          </Unauthenticated>
          <Authenticated>
            <span className="auth-state">Logged in</span>
            <Badge />
            <UserButton />
            <SignOutButton />
          </Authenticated>
        </div>
      </header>
      <main>
        <Messages />
        <Authenticated>
          <SendForm />
        </Authenticated>
        <Unauthenticated>
          <p className="hint">Sign in to write messages.</p>
        </Unauthenticated>
      </main>
    </div>
  );
}
