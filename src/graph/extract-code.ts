import type { CodeLanguage } from "../executors/types.js";

/** Fence tags (lower case) whose blocks each language runs. */
const LANGUAGE_TAGS: Record<CodeLanguage, ReadonlySet<string>> = {
  javascript: new Set(["js", "javascript", "ts", "typescript", "jsx", "tsx", "mjs", "node"]),
  python: new Set(["py", "python", "python3", "ipython", "ipython3", "py3"]),
};

/**
 * Tags models commonly put on blocks that are not code to run. A known tag
 * followed by text is a tag; an unknown word alone on the fence line is
 * taken as a tag too (```rust), so that block is skipped.
 */
const OTHER_TAGS: ReadonlySet<string> = new Set([
  ...LANGUAGE_TAGS.javascript,
  ...LANGUAGE_TAGS.python,
  "bash", "sh", "shell", "zsh", "console", "terminal", "powershell", "bat",
  "json", "jsonc", "json5", "jsonl", "yaml", "yml", "toml", "ini", "xml", "csv",
  "text", "txt", "plaintext", "plain", "output", "out", "stdout", "stderr",
  "result", "log", "markdown", "md", "html", "css", "sql", "diff", "r",
  "c", "cpp", "java", "go", "rust", "ruby", "php", "swift", "kotlin",
]);

const FENCE_OPEN = /^([ \t]*)(`{3,}|~{3,})(.*)$/;
const TAG_ONLY = /^[A-Za-z][\w+#.-]*$/;
const FENCE_ATTRIBUTES = /^(\{.*\}|(?:[\w-]+=(?:"[^"]*"|'[^']*'|\S+)\s*)+|[\w./-]+\.(?:py|js|ts|mjs|cjs|jsx|tsx|ipynb))$/;

interface OpenFence {
  indent: number;
  marker: string;
  /** Lower-case tag, or null for an untagged block. */
  tag: string | null;
  lines: string[];
}

/**
 * Extracts the code action from a model reply: the fenced blocks the
 * executor's language runs, joined in order with a newline.
 *
 * Accepted fences: ``` or ~~~ (three or more), tagged for the language
 * (JavaScript: js, javascript, ts, typescript, jsx, tsx, mjs, node; Python:
 * py, python, python3, ipython — case-insensitive) or untagged. Blocks of
 * other languages (```bash, ```json, ```output, …) are ignored. An indented
 * fence's lines are dedented by the fence's indentation. Text after the
 * opening fence is code unless it is a tag (```js const x = 1 → `const x = 1`;
 * ```x=1 → `x=1`). A fence that is never closed takes the rest of the text.
 * Blank lines at a block's edges are dropped; whitespace-only blocks are
 * ignored.
 *
 * @returns the code, or `null` when the reply has none (the final answer).
 */
export function extractCode(text: string, language: CodeLanguage): string | null {
  const accepted = LANGUAGE_TAGS[language];
  const blocks: string[] = [];
  let open: OpenFence | null = null;

  const finish = (fence: OpenFence): void => {
    if (fence.tag !== null && !accepted.has(fence.tag)) return;
    const lines = [...fence.lines];
    // Blank edges (often from an unterminated fence) are not part of the code.
    while (lines.length > 0 && lines[0]?.trim() === "") lines.shift();
    while (lines.length > 0 && lines.at(-1)?.trim() === "") lines.pop();
    if (lines.length > 0) blocks.push(lines.join("\n"));
  };

  for (const line of text.split(/\r?\n/)) {
    if (open !== null) {
      if (isClosingFence(line, open.marker)) {
        finish(open);
        open = null;
      } else {
        open.lines.push(dedent(line, open.indent));
      }
      continue;
    }
    const match = FENCE_OPEN.exec(line);
    if (match === null) continue;
    const [, indent = "", marker = "", rest = ""] = match;
    const fence: OpenFence = { indent: indent.length, marker, tag: null, lines: [] };
    let info = rest.trim();
    // ```print(1)``` on one line: a whole block.
    const closesOnSameLine = info.length > 0 && info.endsWith(marker);
    if (closesOnSameLine) info = info.slice(0, -marker.length).trim();
    const [firstWord = "", ...others] = info.split(/\s+/);
    const lowerWord = firstWord.toLowerCase();
    if (OTHER_TAGS.has(lowerWord)) {
      fence.tag = lowerWord;
      info = info.slice(firstWord.length).trim();
      // ```python title="x.py", ```js {highlight: 2}, ```py main.py: attributes, not code.
      if (FENCE_ATTRIBUTES.test(info)) info = "";
    } else if (others.length === 0 && TAG_ONLY.test(firstWord)) {
      fence.tag = lowerWord;
      info = "";
    }
    if (info !== "") fence.lines.push(info);
    if (closesOnSameLine) finish(fence);
    else open = fence;
  }
  if (open !== null) finish(open);
  return blocks.length === 0 ? null : blocks.join("\n");
}

/**
 * The other CodeAct language when a reply's only code is a block written for
 * it (```javascript in a Python agent, ```python in a JavaScript one): such a
 * reply is a mistake to correct, not a final answer. `null` otherwise.
 */
export function otherLanguageCode(text: string, language: CodeLanguage): CodeLanguage | null {
  const other: CodeLanguage = language === "python" ? "javascript" : "python";
  return extractCode(text, language) === null && extractCode(text, other) !== null ? other : null;
}

function isClosingFence(line: string, marker: string): boolean {
  const trimmed = line.trim();
  const character = marker.charAt(0);
  return (
    trimmed.length >= marker.length &&
    [...trimmed].every((c) => c === character)
  );
}

// Removes up to `count` leading spaces/tabs: the fence's own indentation.
function dedent(line: string, count: number): string {
  let index = 0;
  while (index < count && (line[index] === " " || line[index] === "\t")) index += 1;
  return line.slice(index);
}

export { messageText } from "../shared/message-text.js";
