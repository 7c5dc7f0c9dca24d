// The Clerk guide's src/main.tsx with only the provider's import changed: `AuthProvider` from
// @tandem/react wraps the official `ConvexProviderWithClerk`, given our Clerk-shaped `useAuth`.
import React from "react";
import ReactDOM from "react-dom/client";
import App from "./App";
import "./index.css";
import { AuthProvider, useAuth } from "@tandem/react";
import { ConvexProviderWithClerk } from "convex/react-clerk";
import { ConvexReactClient } from "convex/react";

const convex = new ConvexReactClient(import.meta.env.VITE_CONVEX_URL as string);

ReactDOM.createRoot(document.getElementById("root")!).render(
  <React.StrictMode>
    <AuthProvider publishableKey={import.meta.env.VITE_TANDEM_PUBLISHABLE_KEY}>
      <ConvexProviderWithClerk client={convex} useAuth={useAuth}>
        <App />
      </ConvexProviderWithClerk>
    </AuthProvider>
  </React.StrictMode>,
);
