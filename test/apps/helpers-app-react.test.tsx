/**
 * The helpers-app's paginated lists under React's `usePaginatedQuery` (the official hook, a real
 * ConvexReactClient): a list whose query bounds each page with `maximumRowsRead` gets pages cut
 * short (`SplitRequired`), which the hook hides until it has split them at the offered cursor.
 */
import { win, waitUntil } from "../../packages/identity-react/test/support/dom.js";
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import React, { act } from "react";
import { createRoot } from "react-dom/client";
import WebSocket from "ws";
import { ConvexHttpClient } from "convex/browser";
import { ConvexProvider, ConvexReactClient, usePaginatedQuery } from "convex/react";
import { usePaginatedQuery as useHelpersPaginatedQuery } from "convex-helpers/react";
import { anyApi } from "convex/server";
import { silentLogger } from "@tandem/shared";
import { startBackend, type Backend } from "@tandem/backend";
import { copyApp, pushApp, type AppCopy } from "../support/app.js";

const api = anyApi as any;
let backend: Backend;
let app: AppCopy;

before(async () => {
  backend = await startBackend({
    dataDir: await mkdtemp(join(tmpdir(), "tandem-helpers-react-")),
    port: 0,
    sitePort: 0,
    logger: silentLogger,
  });
  app = await copyApp("helpers-app", ["convex-helpers", "zod", "@convex-dev/migrations"]);
  await pushApp(app.dir, { url: backend.url, adminKey: backend.adminKey });
});

after(async () => {
  await backend?.close();
  await app?.remove();
});

type Hook = typeof usePaginatedQuery;

for (const [name, hook, fn, group] of [
  ["convex/react", usePaginatedQuery, "sparse", "rs"],
  ["convex-helpers/react over a stream", useHelpersPaginatedQuery as unknown as Hook, "sparseStream", "rh"],
] as const) {
  test(`${name} usePaginatedQuery over pages cut by maximumRowsRead: split, shown, loaded to the end, live`, async () => {
    const http = new ConvexHttpClient(backend.url);
    await http.mutation(api.items.seed, { group, from: 0, to: 12 });
    const convex = new ConvexReactClient(backend.url, {
      webSocketConstructor: WebSocket as unknown as typeof globalThis.WebSocket,
    });
    let state: { results: number[]; status: string; loadMore: (n: number) => void } | undefined;
    function List() {
      state = hook(api.items[fn], { group }, { initialNumItems: 3 }) as typeof state;
      return <p>{state!.results.join(",")}</p>;
    }
    const root = createRoot(win.document.body.appendChild(win.document.createElement("div")));
    try {
      await act(async () =>
        root.render(
          <ConvexProvider client={convex}>
            <List />
          </ConvexProvider>,
        ),
      );
      await waitUntil(() => state?.status === "CanLoadMore", "the first page, split");
      assert.deepEqual(state!.results, [0, 3]);
      for (let i = 0; i < 5 && state!.status !== "Exhausted"; i++) {
        const before = state!.results.length;
        await act(async () => state!.loadMore(3));
        await waitUntil(
          () => state!.status === "Exhausted" || (state!.status === "CanLoadMore" && state!.results.length > before),
          `page ${i + 2}`,
        );
      }
      assert.equal(state!.status, "Exhausted");
      assert.deepEqual(state!.results, [0, 3, 6, 9]);
      await http.mutation(api.items.add, { group, n: 3 });
      await http.mutation(api.items.removeN, { group, n: 6 });
      await waitUntil(() => state!.results.join() === "0,3,3,9", "the insert and the delete");
    } finally {
      await act(async () => root.unmount());
      await convex.close();
    }
  });
}
