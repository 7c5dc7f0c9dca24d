/**
 * Cross-tab sync: tabs of one browser share the identity cookie, so when one signs in or out the
 * others re-read `/v1/client`. Uses BroadcastChannel where the runtime has one; otherwise off.
 */
export interface TabSync {
  announce(): void;
  close(): void;
}

interface ChannelLike {
  postMessage(message: unknown): void;
  close(): void;
  onmessage: ((event: { data: unknown }) => void) | null;
  unref?: () => void;
}

type ChannelCtor = new (name: string) => ChannelLike;

export function openTabSync(name: string, onOtherTabChanged: () => void): TabSync | null {
  const Ctor = (globalThis as unknown as { BroadcastChannel?: ChannelCtor }).BroadcastChannel;
  if (typeof Ctor !== "function") return null;
  const channel = new Ctor(name);
  channel.unref?.(); // Node: never keep the process alive for this
  const me = Math.random().toString(36).slice(2);
  channel.onmessage = (event) => {
    const data = event.data as { type?: string; from?: string } | null;
    if (data?.type === "auth_changed" && data.from !== me) onOtherTabChanged();
  };
  return {
    announce: () => channel.postMessage({ type: "auth_changed", from: me }),
    close: () => channel.close(),
  };
}
