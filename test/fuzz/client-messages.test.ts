/**
 * Fuzzing the sync protocol's frame parser in process (thousands of frames a second): whatever the
 * text, it returns a message or refuses it with a `ProtocolError` (a FatalError for that client),
 * never another exception. Kept apart from the network suites: a long synchronous run would starve
 * their sockets' keep-alives.
 */
import { test } from "node:test";
import fc from "fast-check";
import { ProtocolError } from "../../packages/backend/src/sync/protocol-error.js";
import { parseClientMessage } from "../../packages/backend/src/sync/client-messages.js";
import { anyFrame } from "./support/frames.js";
import { inputCounter, runs } from "./support/fuzz.js";

const inputs = inputCounter("client-messages");

test("the client-message parser refuses bad frames only with a ProtocolError", () => {
  fc.assert(
    fc.property(anyFrame, (frame) => {
      inputs.add();
      try {
        parseClientMessage(frame);
      } catch (e) {
        if (!(e instanceof ProtocolError)) throw e;
      }
    }),
    runs(1500, 5),
  );
});
