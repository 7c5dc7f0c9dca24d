/** The React context `AuthProvider` fills: the SDK instance, a revision that changes with it, and the UI controls. */
import { createContext, useContext } from "react";
import type { Tandem } from "@tandem/js";
import type { ModalState, ProviderUiOptions } from "./types.js";

export interface UiControls {
  modal: ModalState;
  setModal(next: ModalState): void;
  navigate(to: string): Promise<void>;
}

export interface TandemContextValue {
  tandem: Tandem;
  /** Changes whenever any resource changes, so consumers re-render. */
  revision: number;
  options: ProviderUiOptions;
  ui: UiControls;
}

export const TandemContext = createContext<TandemContextValue | null>(null);

export function useTandemContext(hook: string): TandemContextValue {
  const ctx = useContext(TandemContext);
  if (!ctx) throw new Error(`${hook} can only be used inside <AuthProvider>.`);
  return ctx;
}
