import { ToolMessage, type BaseMessage } from "@langchain/core/messages";
import { IsolatedVmExecutor } from "../../src/executors/isolated-vm/index.js";
import { M3_DOMAINS, loadTasks, type M3Task } from "../../bench/m3tooleval/data.js";
import { JsonOracle, JsonOracleChatModel } from "../../bench/m3tooleval/json-oracle.js";
import {
  DEFAULT_MAX_TURNS,
  mapWithConcurrency,
  runTask,
  type M3Result,
} from "../../bench/m3tooleval/runner.js";

jest.setTimeout(120_000);

interface Outcome {
  task: M3Task;
  oracle: JsonOracle;
  result: M3Result;
  /** Chat model calls that reached the model. */
  modelCalls: number;
  /** Tool calls per AI message, in order. */
  callsPerMessage: number[];
  /** The messages of the last model call. */
  lastPrompt: BaseMessage[];
}

// Every task through LangGraph.js's createReactAgent (the runner's "json"
// mode) with a tool-calling model that follows the task's reference code one
// tool call per turn.
describe("M3ToolEval JSON mode: the JSON oracle through createReactAgent", () => {
  let executor: IsolatedVmExecutor;
  let outcomes: Outcome[];

  beforeAll(async () => {
    executor = new IsolatedVmExecutor({ maxOutputChars: 2000 });
    outcomes = await mapWithConcurrency(loadTasks(), 4, async (task) => {
      const oracle = await JsonOracle.record(task, executor);
      let modelCalls = 0;
      const callsPerMessage: number[] = [];
      let lastPrompt: BaseMessage[] = [];
      const model = new JsonOracleChatModel({
        oracle,
        callbacks: [
          {
            handleChatModelStart: (_llm, prompts) => {
              modelCalls += 1;
              lastPrompt = prompts[0] ?? [];
            },
            handleLLMEnd: (output) => {
              const message = (output.generations[0]?.[0] as { message?: { tool_calls?: unknown[] } } | undefined)
                ?.message;
              callsPerMessage.push(message?.tool_calls?.length ?? 0);
            },
          },
        ],
      });
      const result = await runTask({ task, mode: "json", model });
      return { task, oracle, result, modelCalls, callsPerMessage, lastPrompt };
    });
  });

  afterAll(async () => {
    await executor.close();
  });

  it("solves every task whose tool sequence fits the turn budget, in one turn per call plus the answer", () => {
    const fitting = outcomes.filter((outcome) => outcome.oracle.calls.length < DEFAULT_MAX_TURNS);
    const wrong = fitting
      .filter(({ result, oracle }) => !result.success.normalized || result.turns !== oracle.calls.length + 1)
      .map(({ result, oracle }) => ({ task: result.task, calls: oracle.calls.length, turns: result.turns, answer: result.answer, error: result.error }));
    expect(wrong).toEqual([]);
    for (const { result, oracle } of fitting) {
      // The answer was computed from the tool messages and is what the reference code prints.
      expect(result.answer).toBe(oracle.output);
      expect(result.error).toBeUndefined();
    }
    // At least two thirds of the benchmark, and every domain, are covered by a success.
    expect(fitting.length).toBeGreaterThanOrEqual(60);
    for (const domain of M3_DOMAINS) {
      expect(fitting.some(({ task, result }) => task.domain === domain && result.success.normalized)).toBe(true);
    }
  });

  it("stops the others at 10 turns, with no answer and the failure recorded", () => {
    const over = outcomes.filter((outcome) => outcome.oracle.calls.length >= DEFAULT_MAX_TURNS);
    expect(over.length).toBeGreaterThan(0);
    for (const { result, modelCalls } of over) {
      expect(result.turns).toBe(DEFAULT_MAX_TURNS);
      expect(modelCalls).toBe(DEFAULT_MAX_TURNS);
      expect(result.answer).toBeNull();
      expect(result.success).toEqual({ faithful: false, normalized: false });
      expect(result.error).toBeUndefined();
    }
  });

  it("makes one tool call per turn and counts every AI message as a turn", () => {
    for (const { result, callsPerMessage, modelCalls } of outcomes) {
      expect(modelCalls).toBe(result.turns);
      expect(callsPerMessage).toHaveLength(result.turns);
      const calls = result.answer === null ? callsPerMessage : callsPerMessage.slice(0, -1);
      expect(calls.every((count) => count === 1)).toBe(true);
      if (result.answer !== null) expect(callsPerMessage.at(-1)).toBe(0);
    }
  });

  it("hands the model upstream's observations: Python's str() of each result", () => {
    const trade = outcomes.find(({ task }) => task.name === "trade_calculator/interstellar_trade_transaction");
    expect(trade?.oracle.calls.map((call) => call.name)).toEqual([
      "convert_currency",
      "calculate_tariff",
      "estimate_final_value",
    ]);
    const toolContents = (trade?.lastPrompt ?? [])
      .filter((message) => ToolMessage.isInstance(message))
      .map((message) => message.content);
    // Numbers from JSON arguments lose the int/float distinction (README): Python shows 7500.0.
    expect(toolContents).toEqual(["7500", "600", "8100"]);
    expect(trade?.result.answer).toBe("8100");
    const flights = outcomes.find(({ task }) => task.name === "travel_itinerary_planning/plan_trip_to_0");
    const flightList = flights?.lastPrompt.find((message) => ToolMessage.isInstance(message));
    expect(flightList?.content).toMatch(/^\[\{'from_location': '"E"', 'to_location': '"A"'/);
    expect(flights?.result.success.normalized).toBe(true);
  });
});
