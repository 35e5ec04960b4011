import { z } from "zod";
import {
  calculatorFailure,
  evaluatePythonExpression,
  formatPythonNumber,
  pyNumberToNumber,
} from "../calculator.js";
import { PyFloat, type PyValue } from "../python-values.js";
import { defineTool, pythonExtreme, type M3ToolDefinition } from "./define.js";

/**
 * The `calculator` tool of the trade and web domains: Python arithmetic, or
 * "Failed to evaluate expression: ..." (returned, not raised, as upstream).
 */
export function calculatorTool(): M3ToolDefinition {
  return defineTool({
    name: "calculator",
    schema: z.object({ expression: z.union([z.string(), z.number()]).transform(String) }),
    run: ({ expression }): PyValue => {
      try {
        const result = evaluatePythonExpression(expression);
        return result.kind === "int" ? result.value : new PyFloat(result.value);
      } catch {
        return calculatorFailure(expression);
      }
    },
    // Code gets a number it can compute with; JSON mode shows Python's text.
    toValue: (result) =>
      typeof result === "bigint"
        ? pyNumberToNumber({ kind: "int", value: result })
        : result instanceof PyFloat
          ? result.value
          : result,
  });
}

/** Python's text of a calculator result, as upstream's observation shows it. */
export function calculate(expression: string): string {
  try {
    return formatPythonNumber(evaluatePythonExpression(expression));
  } catch {
    return calculatorFailure(expression);
  }
}

export const tradeCalculatorTools: readonly M3ToolDefinition[] = [
  defineTool({
    name: "convert_currency",
    schema: z.object({ base_price: z.number(), conversion_rate: z.number() }),
    run: ({ base_price, conversion_rate }) => base_price * conversion_rate,
  }),
  defineTool({
    name: "calculate_tariff",
    schema: z.object({ price: z.number(), tariff_rate: z.number() }),
    run: ({ price, tariff_rate }) => (price * tariff_rate) / 100,
  }),
  defineTool({
    name: "estimate_final_value",
    schema: z.object({ price: z.number(), tariff: z.number() }),
    run: ({ price, tariff }) => price + tariff,
  }),
  calculatorTool(),
  defineTool({
    name: "find_minimum",
    schema: z.object({ args: z.array(z.number()) }),
    run: ({ args }) => pythonExtreme("min", args),
  }),
  defineTool({
    name: "find_maximum",
    schema: z.object({ args: z.array(z.number()) }),
    run: ({ args }) => pythonExtreme("max", args),
  }),
];
