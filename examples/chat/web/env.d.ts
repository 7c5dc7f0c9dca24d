// `scripts/demo.mjs` replaces these when it bundles the page, as Vite does for VITE_-prefixed
// variables: the backend URL from .env.local, and a publishable key naming the identity service
// behind the page's own origin (see scripts/lib/identity-proxy.mjs).
interface ImportMetaEnv {
  readonly VITE_CONVEX_URL: string;
  readonly VITE_TANDEM_PUBLISHABLE_KEY: string;
}
interface ImportMeta {
  readonly env: ImportMetaEnv;
}
// esbuild bundles imported CSS into main.css.
declare module "*.css";
