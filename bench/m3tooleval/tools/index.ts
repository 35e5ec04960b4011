import type { StructuredToolInterface } from "@langchain/core/tools";
import type { M3Domain } from "../data.js";
import { buildTools, type CreateM3ToolsOptions } from "./define.js";
import { dnaSequencerTools } from "./dna-sequencer.js";
import { messageDecoderTools } from "./message-decoder.js";
import { tradeCalculatorTools } from "./trade-calculator.js";
import { travelTools } from "./travel.js";
import { webBrowsingTools } from "./web-browsing.js";

export {
  MAX_OBSERVATION_CHARS,
  TRUNCATION_MARKER,
  type CreateM3ToolsOptions,
  type M3ResultFormat,
} from "./define.js";
export { WebBrowser } from "./web-browsing.js";

/**
 * The tools of one domain as new LangChain tools, with upstream's names,
 * descriptions and argument names. Every call builds new instances, so
 * per-task state (the web browser's page and history) starts fresh.
 * Variadic upstream arguments (`*args`, `*preferences`) are one array field.
 */
export function createM3Tools(
  domain: M3Domain,
  options: CreateM3ToolsOptions = {}
): StructuredToolInterface[] {
  switch (domain) {
    case "message_decoder":
      return buildTools(domain, messageDecoderTools, options);
    case "cryptobotanists_plant_dna_sequencer":
      return buildTools(domain, dnaSequencerTools, options);
    case "trade_calculator":
      return buildTools(domain, tradeCalculatorTools, options);
    case "travel_itinerary_planning":
      return buildTools(domain, travelTools, options);
    case "web_browsing":
      return buildTools(domain, webBrowsingTools(), options);
  }
}
