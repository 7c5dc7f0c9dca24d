import { ConvexClient } from "convex/browser";
import { makeFunctionReference } from "convex/server";

interface Message {
  _id: string;
  _creationTime: number;
  author: string;
  body: string;
}

// The same references `convex/_generated/api` would give (`api.messages.list`), spelled out so
// the page bundles even before the first codegen has run.
const listMessages = makeFunctionReference<"query", Record<string, never>, Message[]>("messages:list");
const sendMessage = makeFunctionReference<"mutation", { body: string; author?: string }, null>("messages:send");

const client = new ConvexClient(import.meta.env.VITE_CONVEX_URL);

const element = <T extends HTMLElement>(id: string): T => {
  const found = document.getElementById(id);
  if (found === null) throw new Error(`index.html has no #${id}`);
  return found as T;
};
const list = element<HTMLUListElement>("messages");
const status = element<HTMLParagraphElement>("status");
const form = element<HTMLFormElement>("send");
const author = element<HTMLInputElement>("author");
const body = element<HTMLInputElement>("body");

author.value = localStorage.getItem("tandem-chat-author") ?? "";

function render(messages: Message[]): void {
  list.replaceChildren(
    ...messages.map((message) => {
      const item = document.createElement("li");
      const name = document.createElement("span");
      name.className = "author";
      name.textContent = message.author;
      item.append(name, message.body);
      return item;
    }),
  );
  status.textContent = `Live · ${messages.length} message${messages.length === 1 ? "" : "s"}`;
}

client.onUpdate(listMessages, {}, render, (error) => {
  status.textContent = `Could not load messages: ${error.message}`;
});

form.addEventListener("submit", (event) => {
  event.preventDefault();
  const text = body.value.trim();
  if (text === "") return;
  const name = author.value.trim();
  localStorage.setItem("tandem-chat-author", name);
  body.value = "";
  client.mutation(sendMessage, name === "" ? { body: text } : { body: text, author: name }).catch((error: unknown) => {
    status.textContent = `Send failed: ${error instanceof Error ? error.message : String(error)}`;
    body.value = text;
  });
});
