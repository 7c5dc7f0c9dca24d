/** The shell: login gate, navigation (routes live in the URL fragment) and the current page. */
import { useEffect, useRef, useState, type ReactNode } from "react";
import { Api } from "./api.js";
import { Login } from "./login.js";
import { DataPage } from "./pages/data.js";
import { FunctionsPage } from "./pages/functions.js";
import { LogsPage } from "./pages/logs.js";
import { EnvPage } from "./pages/env.js";
import { UsersPage } from "./pages/users.js";
import { SessionsPage } from "./pages/sessions.js";
import { TemplatesPage } from "./pages/templates.js";
import { KeysPage } from "./pages/keys.js";
import { InboxPage } from "./pages/inbox.js";
import { SchedulesPage } from "./pages/schedules.js";
import { FilesPage } from "./pages/files.js";
import { AuthDoctorPage } from "./pages/auth-doctor.js";

type Route =
  | "data"
  | "functions"
  | "logs"
  | "env"
  | "users"
  | "sessions"
  | "templates"
  | "keys"
  | "inbox"
  | "schedules"
  | "files"
  | "auth";

const NAV: ReadonlyArray<{ route: Route; label: string; group: "Backend" | "Identity" }> = [
  { route: "data", label: "Data", group: "Backend" },
  { route: "functions", label: "Functions", group: "Backend" },
  { route: "logs", label: "Logs", group: "Backend" },
  { route: "env", label: "Environment variables", group: "Backend" },
  { route: "schedules", label: "Schedules", group: "Backend" },
  { route: "files", label: "Files", group: "Backend" },
  { route: "users", label: "Users", group: "Identity" },
  { route: "sessions", label: "Sessions", group: "Identity" },
  { route: "templates", label: "JWT templates", group: "Identity" },
  { route: "keys", label: "Keys", group: "Identity" },
  { route: "inbox", label: "Dev inbox", group: "Identity" },
  { route: "auth", label: "Auth doctor", group: "Identity" },
];

function routeOf(hash: string): Route {
  const name = hash.replace(/^#\/?/, "").split("/")[0];
  return NAV.find((n) => n.route === name)?.route ?? "data";
}

function pageFor(route: Route, api: Api): ReactNode {
  switch (route) {
    case "data":
      return <DataPage api={api} />;
    case "functions":
      return <FunctionsPage api={api} />;
    case "logs":
      return <LogsPage api={api} />;
    case "env":
      return <EnvPage api={api} />;
    case "users":
      return <UsersPage api={api} />;
    case "sessions":
      return <SessionsPage api={api} />;
    case "templates":
      return <TemplatesPage api={api} />;
    case "keys":
      return <KeysPage api={api} />;
    case "inbox":
      return <InboxPage api={api} />;
    case "schedules":
      return <SchedulesPage api={api} />;
    case "files":
      return <FilesPage api={api} />;
    case "auth":
      return <AuthDoctorPage api={api} />;
    default:
      return route satisfies never;
  }
}

export function App() {
  const [api, setApi] = useState<Api | null>(() => {
    const saved = Api.saved();
    return saved ? new Api(saved) : null;
  });
  const [notice, setNotice] = useState<string | null>(null);
  const [route, setRoute] = useState<Route>(() => routeOf(location.hash));

  useEffect(() => {
    // A one-time login link (`#login=<token>`, printed by `tandem dev`): redeem it, then drop it from the URL.
    const m = /^#login=([\w-]+)$/.exec(location.hash);
    if (!m) return;
    history.replaceState(null, "", location.pathname + "#/data");
    Api.redeem(m[1]!).then(setApi, (e: Error) => setNotice(e.message));
  }, []);
  useEffect(() => {
    const on = () => setRoute(routeOf(location.hash));
    addEventListener("hashchange", on);
    return () => removeEventListener("hashchange", on);
  }, []);

  // After following a link in the navigation, move focus to the new page (screen readers announce it).
  const main = useRef<HTMLElement>(null);
  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    main.current?.focus();
  }, [route]);

  if (!api) return <Login onLogin={setApi} notice={notice} />;
  const logout = () => {
    api.close();
    Api.forget();
    setApi(null);
  };
  return (
    <div className="shell">
      <a className="skip" href="#main">
        Skip to content
      </a>
      <nav aria-label="Dashboard">
        <p className="brand">Tandem</p>
        {(["Backend", "Identity"] as const).map((group) => (
          <div key={group} className="nav-group">
            <h2>{group}</h2>
            <ul>
              {NAV.filter((n) => n.group === group).map((n) => (
                <li key={n.route}>
                  <a href={`#/${n.route}`} aria-current={n.route === route ? "page" : undefined}>
                    {n.label}
                  </a>
                </li>
              ))}
            </ul>
          </div>
        ))}
        <button type="button" className="secondary" onClick={logout}>
          Log out
        </button>
      </nav>
      <main id="main" tabIndex={-1} ref={main}>
        {pageFor(route, api)}
      </main>
    </div>
  );
}
