// `scripts/demo.mjs` replaces this with the backend URL from .env.local when it bundles the page,
// as Vite does for VITE_-prefixed variables.
interface ImportMetaEnv {
  readonly VITE_CONVEX_URL: string;
}
interface ImportMeta {
  readonly env: ImportMetaEnv;
}
