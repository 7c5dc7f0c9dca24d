/**
 * `<UserButton />`: the signed-in user's avatar; it opens a menu (WAI-ARIA menu button pattern:
 * Enter/Space/ArrowDown open it, arrows move, Escape closes and returns focus) with "Manage
 * account" (the `UserProfile` dialog, or `userProfileUrl`) and "Sign out".
 */
import { useEffect, useId, useRef, useState, type KeyboardEvent } from "react";
import type { UserResource } from "@tandem/js";
import { useClerk, useUser } from "../hooks/resources.js";
import { elementProps, mergeAppearance, variableStyle, type Appearance } from "../theme.js";
import { useTandemContext } from "../context.js";

export interface UserButtonProps {
  showName?: boolean;
  defaultOpen?: boolean;
  afterSignOutUrl?: string;
  userProfileMode?: "modal" | "navigation";
  userProfileUrl?: string;
  appearance?: Appearance;
}

export function initials(user: UserResource): string {
  const fromName = [user.firstName, user.lastName]
    .filter(Boolean)
    .map((s) => s!.trim()[0])
    .join("");
  return (fromName || user.username?.[0] || user.primaryEmailAddress?.emailAddress[0] || "?").toUpperCase();
}

export function displayName(user: UserResource): string {
  return user.fullName ?? user.username ?? user.primaryEmailAddress?.emailAddress ?? "Account";
}

export function Avatar({ user, appearance }: { user: UserResource; appearance: Appearance | undefined }) {
  return (
    <span {...elementProps(appearance, "userButtonAvatar")} aria-hidden="true">
      {user.hasImage && user.imageUrl ? <img src={user.imageUrl} alt="" /> : initials(user)}
    </span>
  );
}

export function UserButton(props: UserButtonProps) {
  const { user } = useUser();
  const clerk = useClerk();
  const appearance = mergeAppearance(useTandemContext("UserButton").options.appearance, props.appearance);
  const [open, setOpen] = useState(props.defaultOpen ?? false);
  const menuId = useId();
  const root = useRef<HTMLDivElement>(null);
  const trigger = useRef<HTMLButtonElement>(null);
  const menu = useRef<HTMLDivElement>(null);

  const items = () => [...(menu.current?.querySelectorAll<HTMLElement>('[role="menuitem"]') ?? [])];

  useEffect(() => {
    if (!open) return;
    items()[0]?.focus();
    const onDown = (e: Event) => {
      if (root.current && e.target instanceof Node && !root.current.contains(e.target)) setOpen(false);
    };
    document.addEventListener("mousedown", onDown);
    return () => document.removeEventListener("mousedown", onDown);
  }, [open]);

  if (!user) return null;
  const name = displayName(user);

  const close = (focusTrigger: boolean) => {
    setOpen(false);
    if (focusTrigger) trigger.current?.focus();
  };

  const onTriggerKey = (e: KeyboardEvent) => {
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      e.preventDefault();
      setOpen(true);
    }
  };

  const onMenuKey = (e: KeyboardEvent) => {
    const list = items();
    const i = list.indexOf(document.activeElement as HTMLElement);
    const move = (to: number) => {
      e.preventDefault();
      list[(to + list.length) % list.length]?.focus();
    };
    switch (e.key) {
      case "ArrowDown":
        return move(i + 1);
      case "ArrowUp":
        return move(i - 1);
      case "Home":
        return move(0);
      case "End":
        return move(list.length - 1);
      case "Escape":
        e.preventDefault();
        return close(true);
      case "Tab":
        return close(false);
      default:
        return;
    }
  };

  const manage = () => {
    close(false);
    if (props.userProfileMode === "navigation" && props.userProfileUrl) void clerk.navigate(props.userProfileUrl);
    else clerk.openUserProfile({ ...(props.appearance ? { appearance: props.appearance } : {}) });
  };

  const signOut = () => {
    close(false);
    void clerk.signOut(props.afterSignOutUrl ? { redirectUrl: props.afterSignOutUrl } : {});
  };

  return (
    <div
      ref={root}
      {...elementProps(appearance, "rootBox", {
        ...variableStyle(appearance),
        position: "relative",
        display: "inline-block",
      })}
    >
      <button
        ref={trigger}
        type="button"
        aria-haspopup="menu"
        aria-expanded={open}
        aria-controls={open ? menuId : undefined}
        aria-label={`Open user menu for ${name}`}
        onClick={() => setOpen((o) => !o)}
        onKeyDown={onTriggerKey}
        {...elementProps(appearance, "userButtonTrigger")}
      >
        <Avatar user={user} appearance={appearance} />
        {props.showName ? <span>{name}</span> : null}
      </button>
      {open ? (
        <div
          ref={menu}
          id={menuId}
          role="menu"
          aria-label="User menu"
          onKeyDown={onMenuKey}
          {...elementProps(appearance, "userButtonPopover")}
        >
          <div style={{ padding: ".25rem 1rem .5rem" }}>
            <strong>{name}</strong>
            {user.primaryEmailAddress ? (
              <div style={{ fontSize: ".875em", opacity: 0.75 }}>{user.primaryEmailAddress.emailAddress}</div>
            ) : null}
          </div>
          <button
            type="button"
            role="menuitem"
            tabIndex={-1}
            onClick={manage}
            {...elementProps(appearance, "userButtonMenuItem")}
          >
            Manage account
          </button>
          <button
            type="button"
            role="menuitem"
            tabIndex={-1}
            onClick={signOut}
            {...elementProps(appearance, "userButtonMenuItem")}
          >
            Sign out
          </button>
        </div>
      ) : null}
    </div>
  );
}
