/**
 * Durable resume with PostgreSQL (`PostgresSaver`): a JavaScript thread
 * started in one process continues in another, against a real server the
 * test starts on loopback. Needs Debian's `postgresql` package; set
 * CODEACT_SKIP_POSTGRES=1 to skip where it cannot be installed.
 */
import { PostgresSaver } from "@langchain/langgraph-checkpoint-postgres";
import { js, observations, runAgentProcess } from "./helpers.js";
import { startPostgres, type PostgresServer } from "./postgres-server.js";

jest.setTimeout(180_000);

const describePostgres = process.env["CODEACT_SKIP_POSTGRES"] === "1" ? describe.skip : describe;

describePostgres("JavaScript thread on PostgresSaver", () => {
  let postgres: PostgresServer;
  beforeAll(async () => {
    postgres = await startPostgres();
  }, 120_000);
  afterAll(async () => {
    await postgres?.stop();
  }, 60_000);

  it("continues in a new process with the variables restored and lost names reported", async () => {
    const checkpointer = { kind: "postgres", connectionString: postgres.connectionString } as const;
    const threadId = "pg-thread";
    const first = await runAgentProcess({
      checkpointer,
      threadId,
      task: "Remember a total.",
      responses: [js('const total = 7 * 6;\nconst greet = (who) => "hi " + who;\nconsole.log("total", total);'), "Saved."],
    });
    expect(observations(first)[0]).toContain("total 42");
    expect(first.unsavedVariables).toEqual([]);

    // The checkpoints really are in this server's tables.
    const saver = PostgresSaver.fromConnString(postgres.connectionString);
    try {
      const saved = await saver.getTuple({ configurable: { thread_id: threadId } });
      expect(JSON.stringify(saved?.checkpoint.channel_values)).toContain("total 42");
    } finally {
      await saver.end();
    }

    const second = await runAgentProcess({
      checkpointer,
      threadId,
      task: "Add one.",
      responses: [js('console.log(total + 1, greet("pg"))'), "43."],
    });
    expect(second.messagesBefore).toBe(first.messages.length);
    expect(second.messages.slice(0, first.messages.length)).toEqual(first.messages);
    const [observation] = observations(second);
    expect(observation).toContain("43 hi pg");
    expect(observation).toMatch(/restored variables total/);
    // greet, a top-level arrow function, came back too
    expect(observation).not.toMatch(/Not restored/);
  });
});
