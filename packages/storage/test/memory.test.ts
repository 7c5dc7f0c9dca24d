import { MemoryDatabase, openMemoryStorage } from "../src/index.js";
import { runStorageSuite } from "./suite.js";

runStorageSuite("memory", async () => {
  const database = new MemoryDatabase();
  return {
    open: (o) => openMemoryStorage({ database, readonly: o?.readonly ?? false }),
    dispose: async () => {},
  };
});
