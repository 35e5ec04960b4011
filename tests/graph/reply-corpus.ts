/**
 * Reply shapes small and mid-size models write for code actions, written for
 * these tests from what their chat templates and the CodeAct, smolagents and
 * OpenInterpreter prompts ask for. Each says what it must be read as: code
 * (and the code), a final answer, or a format error (and a word of the
 * correction). The tools in scope are `search` and `get_weather`.
 */
import type { CodeLanguage } from "../../src/executors/types.js";

export interface ReplyCase {
  name: string;
  language: CodeLanguage;
  text: string;
  expected: { kind: "code"; code: string } | { kind: "answer" } | { kind: "format_error"; mentions: string };
}

export const REPLY_TOOLS = [
  { name: "search", identifier: "search" },
  { name: "get-weather", identifier: "get_weather" },
];

export const REPLY_CORPUS: ReplyCase[] = [
  // Fenced blocks: the shape every prompt asks for, and its variants.
  { name: "a python fence", language: "python", text: "Let me check.\n```python\nprint(search(query='x'))\n```", expected: { kind: "code", code: "print(search(query='x'))" } },
  { name: "an untagged fence", language: "javascript", text: "```\nconst r = await search({ query: 'x' });\nr\n```", expected: { kind: "code", code: "const r = await search({ query: 'x' });\nr" } },
  { name: "a tag with a file name attribute", language: "python", text: '```python title="analysis.py"\nx = 1\nprint(x)\n```', expected: { kind: "code", code: "x = 1\nprint(x)" } },
  { name: "a tag followed by a file name", language: "python", text: "```py main.py\nprint(1)\n```", expected: { kind: "code", code: "print(1)" } },
  { name: "a tag with a brace attribute", language: "javascript", text: "```js {highlight: [1]}\nconsole.log(1)\n```", expected: { kind: "code", code: "console.log(1)" } },
  { name: "a fence left open (the reply stopped)", language: "python", text: "Here:\n```python\nrows = search(query='a')\nprint(len(rows))", expected: { kind: "code", code: "rows = search(query='a')\nprint(len(rows))" } },
  { name: "smolagents: Thought, Code, fence, <end_code>", language: "python", text: "Thought: I need the weather.\nCode:\n```py\nw = get_weather(city='Paris')\nprint(w)\n```<end_code>", expected: { kind: "code", code: "w = get_weather(city='Paris')\nprint(w)" } },
  { name: "smolagents: <end_code> inside an unclosed fence", language: "python", text: "Code:\n```py\nprint(search(query='q'))\n<end_code>", expected: { kind: "code", code: "print(search(query='q'))" } },
  { name: "several blocks where one was asked: run in order", language: "python", text: "```python\na = 1\n```\nand then\n```python\nprint(a + 1)\n```", expected: { kind: "code", code: "a = 1\nprint(a + 1)" } },
  { name: "code beside a bash block: only the runnable language", language: "python", text: "```bash\npip install pandas\n```\n```python\nimport pandas\n```", expected: { kind: "code", code: "import pandas" } },
  // Tags: the CodeAct paper's <execute>, OpenHands-style variants, <code>.
  { name: "CodeAct <execute> tags", language: "python", text: "I'll search.\n<execute>\nprint(search(query='llm'))\n</execute>", expected: { kind: "code", code: "print(search(query='llm'))" } },
  { name: "<execute_ipython> tags", language: "python", text: "<execute_ipython>\nx = 2 ** 10\nx\n</execute_ipython>", expected: { kind: "code", code: "x = 2 ** 10\nx" } },
  { name: "<code> tags around a fence", language: "javascript", text: "<code>\n```js\nconsole.log(2)\n```\n</code>", expected: { kind: "code", code: "console.log(2)" } },
  { name: "an <execute> tag never closed", language: "python", text: "<execute>\nprint('hi')", expected: { kind: "code", code: "print('hi')" } },
  // Unfenced code after a label.
  { name: "unfenced code after Code:", language: "python", text: "Thought: compute it.\nCode:\nresult = search(query='rust')\nprint(result)", expected: { kind: "code", code: "result = search(query='rust')\nprint(result)" } },
  { name: "unfenced code after Action:, stopping at Observation:", language: "javascript", text: "Action: const w = await get_weather({ city: 'Oslo' }); console.log(w)\nObservation: (pending)", expected: { kind: "code", code: "const w = await get_weather({ city: 'Oslo' }); console.log(w)" } },
  { name: "a ReAct action instead of code", language: "python", text: "Thought: search first.\nAction: search[llm agents]", expected: { kind: "format_error", mentions: "ReAct action" } },
  // JSON tool calls written as text (tool-calling chat templates).
  { name: "a JSON tool call as the whole reply", language: "python", text: '{"name": "get-weather", "arguments": {"city": "Paris", "metric": true}}', expected: { kind: "code", code: 'get_weather(**{"city": "Paris", "metric": True})' } },
  { name: "Hermes/Qwen <tool_call> tags", language: "javascript", text: '<tool_call>\n{"name": "search", "arguments": {"query": "x"}}\n</tool_call>', expected: { kind: "code", code: 'await search({"query":"x"})' } },
  { name: "Mistral [TOOL_CALLS] with a list", language: "python", text: '[TOOL_CALLS] [{"name": "search", "arguments": {"query": "a"}}, {"name": "search", "arguments": {"query": "b"}}]', expected: { kind: "code", code: 'search(**{"query": "a"})\nsearch(**{"query": "b"})' } },
  { name: "OpenAI function shape with string arguments, in a json fence", language: "javascript", text: 'Calling:\n```json\n{"type": "function", "function": {"name": "search", "arguments": "{\\"query\\": \\"z\\"}"}}\n```', expected: { kind: "code", code: 'await search({"query":"z"})' } },
  { name: "a JSON tool call to a tool that does not exist", language: "python", text: '{"name": "browse", "arguments": {"url": "x"}}', expected: { kind: "format_error", mentions: "not a tool here" } },
  // Reasoning models.
  { name: "code inside <think> is not run; the code after it is", language: "python", text: "<think>\nmaybe ```python\nprint('no')\n```\n</think>\n```python\nprint('yes')\n```", expected: { kind: "code", code: "print('yes')" } },
  { name: "a reply that is only an unclosed <think>", language: "python", text: "<think>\nLet me consider the options for a long time", expected: { kind: "format_error", mentions: "only reasoning" } },
  { name: "an answer after reasoning", language: "javascript", text: "<think>It is 42.</think>\nThe answer is 42.", expected: { kind: "answer" } },
  // Answers.
  { name: "a label followed by something that is not code is an answer", language: "python", text: "Your booking is confirmed.\nCode: XK-4417", expected: { kind: "answer" } },
  { name: "prose with inline code is an answer", language: "python", text: "The total is `42`, computed with `sum(rows)`.", expected: { kind: "answer" } },
  { name: "Final Answer: line", language: "python", text: "Thought: done.\nFinal Answer: Paris is 18 °C.", expected: { kind: "answer" } },
  { name: "a json block that is not a tool call is an answer", language: "javascript", text: 'Here you go:\n```json\n{"city": "Paris", "temperature": 18}\n```', expected: { kind: "answer" } },
  { name: "an output block is not code", language: "python", text: "The script printed:\n```output\n42\n```\nSo it is 42.", expected: { kind: "answer" } },
  // Wrong shapes.
  { name: "an empty reply", language: "python", text: "   \n", expected: { kind: "format_error", mentions: "empty" } },
  { name: "only an <end_code> marker", language: "python", text: "<end_code>", expected: { kind: "format_error", mentions: "empty" } },
];
