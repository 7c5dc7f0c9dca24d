/**
 * Commits documents forever, printing `id ts` after each commit resolves; the test kills it with
 * SIGKILL and checks that every acknowledged commit is there after reopening.
 */
import { openSqliteStorage, type DocumentId } from "../../src/index.js";

const storage = await openSqliteStorage({ path: process.argv[2]! });
await storage.ensureTable("t");
for (let i = 0; ; i++) {
  const id = storage.newId("t") as DocumentId;
  const { ts } = await storage.commit({
    writes: [{ id, table: "t", value: { _id: id, _creationTime: Date.now(), i } }],
    meta: [["last", id]],
  });
  process.stdout.write(`${id} ${ts}\n`);
}
