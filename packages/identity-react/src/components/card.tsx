/** The frame of SignIn, SignUp and UserProfile: themed root, card, a title that labels the dialog when in a modal. */
import { createContext, useContext, useId, type ReactNode } from "react";
import { elementProps, mergeAppearance, variableStyle, type Appearance } from "../theme.js";
import { useTandemContext } from "../context.js";

/** Set by the modal host so that the card's title labels the dialog. */
export const TitleIdContext = createContext<string | null>(null);

export function useAppearance(own: Appearance | undefined, hook: string): Appearance | undefined {
  return mergeAppearance(useTandemContext(hook).options.appearance, own);
}

export function Card({
  title,
  subtitle,
  appearance,
  children,
  footer,
}: {
  title: string;
  subtitle?: string | undefined;
  appearance: Appearance | undefined;
  children: ReactNode;
  footer?: ReactNode;
}) {
  const fallbackId = useId();
  const titleId = useContext(TitleIdContext) ?? fallbackId;
  return (
    <div {...elementProps(appearance, "rootBox", variableStyle(appearance))}>
      <section {...elementProps(appearance, "card")} aria-labelledby={titleId}>
        <h1 id={titleId} {...elementProps(appearance, "headerTitle")}>
          {title}
        </h1>
        {subtitle ? <p {...elementProps(appearance, "headerSubtitle")}>{subtitle}</p> : null}
        {children}
        {footer ? <div {...elementProps(appearance, "footer")}>{footer}</div> : null}
      </section>
    </div>
  );
}
