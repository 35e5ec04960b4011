/**
 * What a tool's result becomes for code, past the LangChain envelope: MCP
 * results as their structured content (or text), and every result of a tool
 * that declares an output schema checked against it on the host.
 */
import type { StructuredToolInterface } from "@langchain/core/tools";
import { Validator } from "@langchain/core/utils/json_schema";
import type { RichOutput } from "../executors/types.js";
import { isRecord, toolOutputSchema } from "./json-schema.js";

/** Set on tools from {@link loadMcpTools}: their results are MCP call results. */
export const MCP_TOOL = Symbol.for("langgraph-codeact.mcp-tool");

export function isMcpTool(tool: StructuredToolInterface): boolean {
  return (tool as { [MCP_TOOL]?: unknown })[MCP_TOOL] === true;
}

/**
 * An MCP tool's value for code: its structured content when the server sent
 * one (an object, not JSON text), else its content (text blocks as one string).
 */
export function mcpValue(content: unknown, artifact: unknown): unknown {
  if (Array.isArray(artifact)) {
    for (const item of artifact) {
      if (isRecord(item) && item.type === "mcp_structured_content") return item.data;
    }
  }
  if (isRecord(content) && "structuredContent" in content) return content.structuredContent;
  return Array.isArray(content) ? content.map(mcpBlock) : content;
}

/** Content blocks as MCP describes them: an image as `{ type: "image", mimeType, data }` (base64), not a data URL. */
function mcpBlock(block: unknown): unknown {
  if (!isRecord(block) || block.type !== "image_url") return block;
  const imageUrl = block.image_url;
  const url = typeof imageUrl === "string" ? imageUrl : isRecord(imageUrl) && typeof imageUrl.url === "string" ? imageUrl.url : "";
  const match = /^data:([^;,]+);base64,(.*)$/s.exec(url);
  return match ? { type: "image", mimeType: match[1], data: match[2] } : block;
}

const validators = new WeakMap<object, Validator | null>();

function validatorFor(tool: StructuredToolInterface): Validator | null {
  const cached = validators.get(tool);
  if (cached !== undefined) return cached;
  let validator: Validator | null = null;
  try {
    const schema = toolOutputSchema(tool);
    if (schema !== undefined) validator = new Validator(schema as ConstructorParameters<typeof Validator>[0], "2020-12", false);
  } catch {
    validator = null; // a schema we cannot read validates nothing
  }
  validators.set(tool, validator);
  return validator;
}

/**
 * Throws when the tool declares an output schema and `value` does not match
 * it: code must not build on a result its declaration misdescribes.
 */
export function checkOutput(tool: StructuredToolInterface, identifier: string, value: unknown): void {
  const validator = validatorFor(tool);
  if (validator === null) return;
  const outcome = validator.validate(value);
  if (outcome.valid) return;
  const problems = outcome.errors
    .filter((error) => error.keyword !== "properties" && error.keyword !== "allOf")
    .slice(0, 3)
    .map((error) => `${error.instanceLocation.replace(/^#\/?/, "") || "(result)"}: ${error.error}`);
  throw new TypeError(`${identifier} returned a result that does not match its output schema: ${problems.join("; ")}`);
}

/** The images in a tool's value for code (MCP image blocks), as rich outputs. */
export function imagesOf(value: unknown): RichOutput[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((block) =>
    isRecord(block) && block.type === "image" && typeof block.mimeType === "string" && typeof block.data === "string"
      ? [{ mimeType: block.mimeType, data: block.data }]
      : []
  );
}
