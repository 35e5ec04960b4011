import { parse, parseExpressionAt, type Node, type Pattern, type Program, type Statement } from "acorn";
import MagicString from "magic-string";
import { transform as stripTypes } from "sucrase";
import type { CodeDefinition, ExecutionError } from "../types.js";
import type { PreparedOutcome } from "./worker-protocol.js";

/** A cell turned into a script that runs in the guest with REPL semantics. */
export interface TransformedCell {
  /** Script text for an indirect (global) eval inside the isolate. */
  script: string;
  /** Top-level names the cell declares; they become guest globals. */
  declaredNames: string[];
  /**
   * The cell's top-level functions and classes (declarations, and `const f =`
   * a function, arrow or class expression) with their exact source: the guest
   * keeps one as a definition only if the global still holds a function with
   * that very source after the cell.
   */
  definitions: CodeDefinition[];
  /** Characters our prefix adds before the cell's first line (for stack columns). */
  firstLineOffset: number;
}

export type TransformOutcome =
  | { ok: true; cell: TransformedCell }
  | { ok: false; error: ExecutionError };

interface SyntaxErrorLike {
  message: string;
  loc?: { line: number; column: number };
}

/**
 * Turns a cell (JavaScript or TypeScript) into a script whose top-level
 * declarations persist as globals, which may use top-level `await`, and
 * which evaluates to a promise of the cell's last expression value, boxed in a
 * one-element array (no last expression: `undefined`).
 *
 * Shape: `var a, f; (async () => { this.f = f; <cell> \n})()`, all of the
 * prefix on the cell's first line so stack-trace line numbers match the
 * cell. Declarations become assignments (redeclaring a name in a later cell
 * works, as in the Node REPL); function declarations stay in place (hoisting)
 * and are copied to the global object on entry.
 */
export function transformCell(code: string, filename: string): TransformOutcome {
  let javascript = code;
  let program = MAYBE_TYPE_ARGUMENTS.test(code) ? undefined : tryParse(code);
  if (!program) {
    // not plain JavaScript: strip TypeScript syntax (sucrase keeps line numbers,
    // so traces still point into the cell), then parse again
    try {
      javascript = stripTypes(code, { transforms: ["typescript"], disableESTransforms: true }).code;
    } catch (error) {
      // sucrase reports 1-based columns
      return { ok: false, error: syntaxError(code, filename, error as SyntaxErrorLike, 0) };
    }
    try {
      program = parseScript(javascript);
    } catch (error) {
      // acorn reports 0-based columns
      return { ok: false, error: syntaxError(javascript, filename, error as SyntaxErrorLike, 1) };
    }
  }

  const source = new MagicString(javascript);
  const names = new Set<string>();
  const hoistedFunctions: string[] = [];
  const definitions: CodeDefinition[] = [];

  for (const statement of program.body) {
    switch (statement.type) {
      case "VariableDeclaration":
        definitions.push(...definedFunctions(statement, javascript));
        rewriteDeclaration(source, statement, names);
        break;
      case "FunctionDeclaration":
        names.add(statement.id.name);
        hoistedFunctions.push(statement.id.name);
        definitions.push({ name: statement.id.name, source: javascript.slice(statement.start, statement.end) });
        break;
      case "ClassDeclaration":
        names.add(statement.id.name);
        definitions.push({ name: statement.id.name, source: javascript.slice(statement.start, statement.end) });
        // kept in place (columns stay right); copied to the global once defined
        source.appendLeft(statement.end, `;this.${statement.id.name} = ${statement.id.name};`);
        break;
      default:
        hoistNestedVars(source, statement, names);
    }
  }

  const last = program.body.at(-1);
  const previous = program.body.at(-2);
  let returnInPrefix = "";
  // (a lone string is a "directive" to the parser, but a REPL shows its value)
  if (last?.type === "ExpressionStatement") {
    // inserted after the previous statement (or in the prefix), so an
    // expression on its own line keeps its columns
    // boxed, so a thenable last value is shown rather than awaited (as in Node's REPL)
    if (previous) source.appendLeft(previous.end, ";return [(");
    else returnInPrefix = "return [(";
    // after any parentheses around the expression, before its semicolon
    const end = javascript[last.end - 1] === ";" ? last.end - 1 : last.end;
    source.appendLeft(end, ")]");
  }

  const declare = names.size > 0 ? `var ${[...names].join(", ")}; ` : "";
  const copyFunctions = hoistedFunctions.map((name) => `this.${name} = ${name}; `).join("");
  const prefix = `${declare}(async () => { ${copyFunctions}${returnInPrefix}`;
  source.prepend(prefix);
  source.append(`\n})()\n//# sourceURL=${filename}`);
  return {
    ok: true,
    cell: { script: source.toString(), declaredNames: [...names], definitions, firstLineOffset: prefix.length },
  };
}

/**
 * True when `source` is exactly one function, arrow or class (what a saved
 * definition must be before it is replayed: state can be edited by hand).
 */
export function isSingleDefinition(source: string): boolean {
  try {
    const node = parseExpressionAt(source, 0, { ecmaVersion: "latest" });
    return FUNCTION_EXPRESSIONS.has(node.type) && source.slice(node.end).trim() === "";
  } catch {
    return false;
  }
}

function parseScript(javascript: string): Program {
  return parse(javascript, {
    ecmaVersion: "latest",
    sourceType: "script",
    allowAwaitOutsideFunction: true,
  });
}

/**
 * `f<T>(x)` is a generic call in TypeScript but valid JavaScript comparisons
 * (`f < T > x`): code with `<…>(` on a line always goes through the type
 * stripper. False positives (`x => (…)` after a `<`) only cost time.
 */
const MAYBE_TYPE_ARGUMENTS = /<[^\n]*>\s*\(/;

/** Plain JavaScript skips the type stripper (parsing is ~2x cheaper than sucrase). */
function tryParse(code: string): Program | undefined {
  try {
    return parseScript(code);
  } catch {
    return undefined;
  }
}

type VariableDeclarationNode = Extract<Statement, { type: "VariableDeclaration" }>;

const FUNCTION_EXPRESSIONS = new Set(["ArrowFunctionExpression", "FunctionExpression", "ClassExpression"]);

/** `const f = (x) => …`, `let g = function () {…}`, `var C = class {…}`: name and the expression's source. */
function definedFunctions(node: VariableDeclarationNode, javascript: string): CodeDefinition[] {
  return node.declarations.flatMap((declarator) =>
    declarator.id.type === "Identifier" && declarator.init && FUNCTION_EXPRESSIONS.has(declarator.init.type)
      ? [{ name: declarator.id.name, source: javascript.slice(declarator.init.start, declarator.init.end) }]
      : []
  );
}

/** `const {a} = o, b;` → `;(    {a} = o, b = void 0);` (the `;` guards against ASI joins). */
function rewriteDeclaration(source: MagicString, node: VariableDeclarationNode, names: Set<string>): void {
  if (node.kind !== "var" && node.kind !== "let" && node.kind !== "const") return; // `using`: block-local
  // same length as the keyword, so columns in the rest of the line do not move
  source.overwrite(node.start, node.start + node.kind.length, ";(".padEnd(node.kind.length, " "));
  for (const declarator of node.declarations) {
    collectBindingNames(declarator.id, names);
    // `var x` keeps x's value (the bare name is a harmless read); `let x` resets it
    if (!declarator.init && node.kind !== "var") source.appendLeft(declarator.end, " = void 0");
  }
  const lastDeclarator = node.declarations.at(-1);
  if (lastDeclarator) source.appendLeft(lastDeclarator.end, ")");
}

/** `var` inside top-level blocks and loops is global in a script: keep it so. */
function hoistNestedVars(source: MagicString, node: Node | null | undefined, names: Set<string>): void {
  if (!node) return;
  switch (node.type) {
    case "VariableDeclaration": {
      const declaration = node as VariableDeclarationNode;
      if (declaration.kind === "var") rewriteDeclaration(source, declaration, names);
      return;
    }
    case "BlockStatement":
    case "StaticBlock":
      for (const child of (node as Extract<Statement, { type: "BlockStatement" }>).body) hoistNestedVars(source, child, names);
      return;
    case "IfStatement": {
      const statement = node as Extract<Statement, { type: "IfStatement" }>;
      hoistNestedVars(source, statement.consequent, names);
      hoistNestedVars(source, statement.alternate, names);
      return;
    }
    case "ForStatement": {
      const statement = node as Extract<Statement, { type: "ForStatement" }>;
      if (statement.init?.type === "VariableDeclaration") stripLoopVar(source, statement.init, names);
      hoistNestedVars(source, statement.body, names);
      return;
    }
    case "ForInStatement":
    case "ForOfStatement": {
      const statement = node as Extract<Statement, { type: "ForInStatement" | "ForOfStatement" }>;
      if (statement.left.type === "VariableDeclaration") stripLoopVar(source, statement.left, names);
      hoistNestedVars(source, statement.body, names);
      return;
    }
    case "WhileStatement":
    case "DoWhileStatement":
    case "LabeledStatement":
      hoistNestedVars(source, (node as Extract<Statement, { type: "WhileStatement" }>).body, names);
      return;
    case "TryStatement": {
      const statement = node as Extract<Statement, { type: "TryStatement" }>;
      hoistNestedVars(source, statement.block, names);
      hoistNestedVars(source, statement.handler?.body, names);
      hoistNestedVars(source, statement.finalizer, names);
      return;
    }
    case "SwitchStatement":
      for (const switchCase of (node as Extract<Statement, { type: "SwitchStatement" }>).cases) {
        for (const child of switchCase.consequent) hoistNestedVars(source, child, names);
      }
      return;
    default:
      return; // functions and classes have their own scope
  }
}

/** `for (var i = 0; …)` → `for ( i = 0; …)`: the loop head stays valid. */
function stripLoopVar(source: MagicString, node: VariableDeclarationNode, names: Set<string>): void {
  if (node.kind !== "var") return;
  source.remove(node.start, node.start + node.kind.length);
  for (const declarator of node.declarations) collectBindingNames(declarator.id, names);
}

function collectBindingNames(pattern: Pattern | null, names: Set<string>): void {
  if (!pattern) return;
  switch (pattern.type) {
    case "Identifier":
      names.add(pattern.name);
      return;
    case "ObjectPattern":
      for (const property of pattern.properties) {
        collectBindingNames(property.type === "RestElement" ? property.argument : property.value, names);
      }
      return;
    case "ArrayPattern":
      for (const element of pattern.elements) collectBindingNames(element, names);
      return;
    case "AssignmentPattern":
      collectBindingNames(pattern.left, names);
      return;
    case "RestElement":
      collectBindingNames(pattern.argument, names);
      return;
    default:
      return; // MemberExpression: not a binding
  }
}

/**
 * `Unexpected token (2:10)` → a message with the cell's file, a 1-based
 * line:column, and the offending line with a caret under the column.
 */
function syntaxError(
  source: string,
  filename: string,
  error: SyntaxErrorLike,
  columnBase: 0 | 1
): ExecutionError {
  const reason = String(error.message ?? error).replace(/\s*\(\d+:\d+\)$/, "");
  if (!error.loc) return { name: "SyntaxError", message: reason };
  const line = error.loc.line;
  const column = error.loc.column + columnBase; // 1-based from here on
  const text = source.split("\n")[line - 1] ?? "";
  const gutter = `${line} | `;
  const pointer = `${" ".repeat(gutter.length + Math.max(0, column - 1))}^`;
  return {
    name: "SyntaxError",
    message: `${reason} (${filename}:${line}:${column})\n${gutter}${text}\n${pointer}`,
  };
}

/**
 * The session's `cellNumber`-th cell ready for the cell runner: transformed,
 * named `cell-<n>.ts` in traces and messages.
 */
export function prepareCell(code: string, cellNumber: number): PreparedOutcome {
  const filename = `cell-${cellNumber}.ts`;
  const transformed = transformCell(code, filename);
  if (!transformed.ok) return transformed;
  const { script, definitions, firstLineOffset } = transformed.cell;
  return { ok: true, cell: { filename, script, definitions, firstLineOffset, code } };
}
