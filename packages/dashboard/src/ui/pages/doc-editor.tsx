/** The JSON editor panel for adding or replacing one document; the server checks it against the schema. */
import { useState, type FormEvent } from "react";
import { useAction, parseJsonObject } from "../hooks.js";
import { Alert, JsonEditor } from "../parts.js";

export function DocEditor({
  title,
  initial,
  onSave,
  onClose,
}: {
  title: string;
  initial: string;
  onSave(doc: Record<string, unknown>): Promise<void>;
  onClose(): void;
}) {
  const [text, setText] = useState(initial);
  const action = useAction();
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (await action.run(() => onSave(parseJsonObject(text, "The document")))) onClose();
  };
  return (
    <form
      className="panel"
      role="dialog"
      aria-label={title}
      onSubmit={submit}
      onKeyDown={(e) => e.key === "Escape" && onClose()}
    >
      <h2>{title}</h2>
      <JsonEditor label="Document (JSON)" value={text} onChange={setText} rows={10} />
      <div className="row">
        <button type="submit" disabled={action.busy}>
          Save
        </button>
        <button type="button" className="secondary" onClick={onClose}>
          Cancel
        </button>
      </div>
      <Alert message={action.error} />
    </form>
  );
}
