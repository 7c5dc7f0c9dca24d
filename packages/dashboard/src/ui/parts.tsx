/** Pieces every page uses: an alert for errors, a labelled JSON editor, a page heading. */
import type { ReactNode } from "react";

export function Alert({ message }: { message: string | null }) {
  if (!message) return null;
  return (
    <p role="alert" className="alert">
      {message}
    </p>
  );
}

export function Page({ title, actions, children }: { title: string; actions?: ReactNode; children: ReactNode }) {
  return (
    <section aria-labelledby="page-title" className="page">
      <header className="page-head">
        <h1 id="page-title">{title}</h1>
        <div className="actions">{actions}</div>
      </header>
      {children}
    </section>
  );
}

export function JsonEditor({
  label,
  value,
  onChange,
  rows = 8,
}: {
  label: string;
  value: string;
  onChange(v: string): void;
  rows?: number;
}) {
  return (
    <label className="field">
      <span>{label}</span>
      <textarea
        className="json"
        spellCheck={false}
        rows={rows}
        value={value}
        onChange={(e) => onChange(e.target.value)}
      />
    </label>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return <p className="empty">{children}</p>;
}
