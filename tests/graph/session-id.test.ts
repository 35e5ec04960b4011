import { executorSessionId } from "../../src/graph/session-id.js";

describe("executorSessionId", () => {
  it.each([
    [{ thread_id: "t1" }, "t1"],
    [{ thread_id: "t1", checkpoint_ns: "execute:3f2a" }, "t1"],
    [{ thread_id: "t1", checkpoint_ns: "js_analyst:aa|execute:bb" }, "t1/js_analyst"],
    [{ thread_id: "t1", checkpoint_ns: "team:aa|python_analyst:bb|execute:cc" }, "t1/team/python_analyst"],
  ])("scopes thread %j to %s", (configurable, expected) => {
    expect(executorSessionId({ configurable }, null)).toEqual({ sessionId: expected, isNew: false });
  });

  it("keeps two nested agents of one thread apart, and stable across steps", () => {
    const first = executorSessionId({ configurable: { thread_id: "t", checkpoint_ns: "a:1|execute:2" } }, null);
    const again = executorSessionId({ configurable: { thread_id: "t", checkpoint_ns: "a:9|execute:8" } }, null);
    const other = executorSessionId({ configurable: { thread_id: "t", checkpoint_ns: "b:1|execute:2" } }, null);
    expect(first.sessionId).toBe(again.sessionId);
    expect(first.sessionId).not.toBe(other.sessionId);
  });

  it("falls back to the state's session id, then to a new one", () => {
    expect(executorSessionId({}, "kept")).toEqual({ sessionId: "kept", isNew: false });
    const fresh = executorSessionId({}, null);
    expect(fresh.isNew).toBe(true);
    expect(fresh.sessionId).toMatch(/^[0-9a-f-]{36}$/);
  });
});
