/**
 * An accessible modal dialog: `role="dialog"` + `aria-modal`, labelled by its title; focus moves
 * into it on open, Tab and Shift+Tab stay inside (focus trap), Escape and the backdrop close it,
 * and focus returns to what had it before.
 */
import { useEffect, useRef, type KeyboardEvent, type ReactNode } from "react";
import { createPortal } from "react-dom";
import { elementProps, variableStyle, type Appearance } from "../theme.js";

const FOCUSABLE =
  'a[href],button:not([disabled]),input:not([disabled]):not([type="hidden"]),select:not([disabled]),textarea:not([disabled]),[tabindex]:not([tabindex="-1"])';

export interface ModalProps {
  labelledBy: string;
  onClose: () => void;
  appearance?: Appearance | undefined;
  children: ReactNode;
}

export function focusableIn(root: HTMLElement): HTMLElement[] {
  return [...root.querySelectorAll<HTMLElement>(FOCUSABLE)].filter((el) => !el.hasAttribute("inert"));
}

export function Modal({ labelledBy, onClose, appearance, children }: ModalProps) {
  const dialog = useRef<HTMLDivElement>(null);
  const onCloseRef = useRef(onClose);
  onCloseRef.current = onClose;

  useEffect(() => {
    const previous = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    const root = dialog.current;
    if (root) (focusableIn(root).find((el) => el.tagName === "INPUT") ?? focusableIn(root)[0] ?? root).focus();
    return () => previous?.focus();
  }, []);

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    if (e.key === "Escape") {
      e.stopPropagation();
      onCloseRef.current();
      return;
    }
    if (e.key !== "Tab" || !dialog.current) return;
    const items = focusableIn(dialog.current);
    if (items.length === 0) {
      e.preventDefault();
      return;
    }
    const first = items[0]!;
    const last = items[items.length - 1]!;
    const active = document.activeElement;
    if (e.shiftKey && (active === first || !dialog.current.contains(active))) {
      e.preventDefault();
      last.focus();
    } else if (!e.shiftKey && (active === last || !dialog.current.contains(active))) {
      e.preventDefault();
      first.focus();
    }
  };

  const content = (
    <div
      {...elementProps(appearance, "modalBackdrop", variableStyle(appearance))}
      data-tandem-modal=""
      onMouseDown={(e) => {
        if (e.target === e.currentTarget) onCloseRef.current();
      }}
    >
      <div
        ref={dialog}
        role="dialog"
        aria-modal="true"
        aria-labelledby={labelledBy}
        tabIndex={-1}
        onKeyDown={onKeyDown}
        {...elementProps(appearance, "modalContent")}
      >
        <button
          type="button"
          aria-label="Close"
          onClick={() => onCloseRef.current()}
          {...elementProps(appearance, "modalCloseButton")}
        >
          ×
        </button>
        {children}
      </div>
    </div>
  );
  return typeof document === "undefined" ? content : createPortal(content, document.body);
}
