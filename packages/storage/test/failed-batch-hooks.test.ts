/**
 * A group whose write fails (a full disk, say) wrote nothing, so the `applied` hooks that ran for
 * it are void: `commitMany` reports them through `discarded` and rejects. The engine keeps its
 * conflict log by these hooks; a refused commit left in it would fail every later mutation that
 * reads what it would have written.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { MemoryDatabase } from "../src/memory/database.js";
import { MemoryDialect } from "../src/memory/dialect.js";
import { MvccStorage } from "../src/store/store.js";
import type { BatchStep, StepOutcome } from "../src/store/dialect.js";

/** The memory dialect, but the next batch plans its steps (hooks and all) and then fails to write. */
class FailingWrites extends MemoryDialect {
  failNext = false;
  override async batch<T>(steps: readonly BatchStep<T>[], expected?: bigint): Promise<StepOutcome<T>[]> {
    if (!this.failNext) return super.batch(steps, expected);
    this.failNext = false;
    const head = await this.head();
    for (const step of steps) {
      if (step.accept && !step.accept()) continue;
      const planned = step.planner(head, new Map());
      step.applied?.(planned.result);
    }
    throw new Error("database or disk is full");
  }
}

test("a group whose write fails voids the applied hooks that ran and rejects; the next group is written", async () => {
  const dialect = new FailingWrites(new MemoryDatabase(), false);
  const s = await MvccStorage.open(dialect);
  await s.ensureTable("t");
  const request = async (n: number) => {
    const id = s.newId("t");
    return { prepared: await s.prepare([{ id, table: "t", value: { _id: id, _creationTime: n, n }, original: null }]) };
  };
  const events: string[] = [];
  const hooks = {
    accept: (i: number) => (events.push(`accept ${i}`), true),
    applied: (i: number) => void events.push(`applied ${i}`),
    discarded: (is: readonly number[]) => void events.push(`discarded ${is.join()}`),
  };
  const before = s.latestTs();
  dialect.failNext = true;
  await assert.rejects(s.commitMany([await request(1), await request(2)], hooks), /disk is full/);
  assert.deepEqual(events, ["accept 0", "applied 0", "accept 1", "applied 1", "discarded 0,1"]);
  assert.equal(s.latestTs(), before, "the head did not move");

  events.length = 0;
  const [r] = await s.commitMany([await request(3)], hooks);
  assert.ok(r && typeof r === "object" && "ts" in r && r.ts > before);
  assert.deepEqual(events, ["accept 0", "applied 0"]);
});
