export {
  isPythonParameterName,
  isReservedIdentifier,
  sanitizeIdentifier,
  toolIdentifiers,
} from "./identifiers.js";
export { orderedParameters, type JsonSchema } from "./json-schema.js";
export { pythonLiteral, pythonType, renderPythonStubs } from "./python-stubs.js";
export {
  createToolFunctions,
  toolSchemaToJsonSchema,
  type ContentAndArtifact,
  type CreateToolFunctionsOptions,
} from "./tool-functions.js";
export { renderTypeScriptDeclarations } from "./typescript-declarations.js";
