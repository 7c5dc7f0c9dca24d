// The live message list (anyone can read it) and the send form (signed-in users: the server names
// the author from `ctx.auth.getUserIdentity()`, so the form sends only the text).
import { useMutation, useQuery } from "convex/react";
import { useState, type FormEvent } from "react";
import { api } from "../convex/_generated/api";
import { useStoreUserEffect } from "./useStoreUserEffect";

const time = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit" });

export function Messages() {
  const messages = useQuery(api.messages.list);
  if (messages === undefined) return <p className="hint">Loading messages…</p>;
  return (
    <>
      <ul className="messages" aria-label="Messages">
        {messages.map((message) => (
          <li key={message._id}>
            <span className="author">{message.author}</span>
            <span className="body">{message.body}</span>
            <time dateTime={new Date(message._creationTime).toISOString()}>{time.format(message._creationTime)}</time>
          </li>
        ))}
      </ul>
      {messages.length === 0 ? <p className="hint">No messages yet.</p> : null}
    </>
  );
}

export function SendForm() {
  // Sending waits until `users:store` has run, so every message can point at its author's row.
  const { isAuthenticated: stored } = useStoreUserEffect();
  const send = useMutation(api.messages.send);
  const [body, setBody] = useState("");
  const [error, setError] = useState<string | null>(null);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const text = body.trim();
    if (text === "") return;
    setBody("");
    setError(null);
    send({ body: text }).catch((e: unknown) => {
      setBody(text);
      setError(e instanceof Error ? e.message : String(e));
    });
  };

  return (
    <form className="send" onSubmit={submit} aria-label="Send a message">
      <input
        aria-label="Message"
        placeholder="Write a message"
        autoComplete="off"
        value={body}
        onChange={(e) => setBody(e.target.value)}
      />
      <button type="submit" disabled={!stored}>
        Send
      </button>
      {error !== null ? (
        <p className="error" role="alert">
          Send failed: {error}
        </p>
      ) : null}
    </form>
  );
}
