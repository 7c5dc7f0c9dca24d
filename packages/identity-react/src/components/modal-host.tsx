/** Renders the dialog `openSignIn`/`openSignUp`/`openUserProfile` asked for; a finished sign-in closes it. */
import { useEffect, useId } from "react";
import { unreachable } from "@tandem/shared";
import { useTandemContext } from "../context.js";
import { mergeAppearance } from "../theme.js";
import { TitleIdContext } from "./card.js";
import { Modal } from "./modal.js";
import { SignIn } from "./sign-in.js";
import { SignUp } from "./sign-up.js";
import { UserProfile } from "./user-profile.js";

export function ModalHost() {
  const { ui, options, tandem } = useTandemContext("ModalHost");
  const titleId = useId();
  const modal = ui.modal;
  const close = () => ui.setModal(null);
  const signedIn = tandem.session !== null;

  // The profile dialog has nothing to show once the user is gone.
  useEffect(() => {
    if (modal?.kind === "userProfile" && !signedIn) ui.setModal(null);
  }, [modal, signedIn, ui]);

  if (!modal) return null;
  const appearance = mergeAppearance(options.appearance, modal.props.appearance);
  let body;
  switch (modal.kind) {
    case "signIn":
      body = <SignIn {...modal.props} onSignedIn={() => (modal.props.onSignedIn?.(), close())} />;
      break;
    case "signUp":
      body = <SignUp {...modal.props} onSignedUp={() => (modal.props.onSignedUp?.(), close())} />;
      break;
    case "userProfile":
      body = <UserProfile {...modal.props} />;
      break;
    default:
      return unreachable(modal);
  }
  return (
    <TitleIdContext.Provider value={titleId}>
      <Modal labelledBy={titleId} onClose={close} appearance={appearance}>
        {body}
      </Modal>
    </TitleIdContext.Provider>
  );
}
