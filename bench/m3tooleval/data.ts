/**
 * Loads the M3ToolEval data files from `bench/m3tooleval/data/`.
 */
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";

/** The five tool domains of the benchmark. */
export const M3_DOMAINS = [
  "message_decoder",
  "cryptobotanists_plant_dna_sequencer",
  "trade_calculator",
  "travel_itinerary_planning",
  "web_browsing",
] as const;

export type M3Domain = (typeof M3_DOMAINS)[number];

/** Python type names of expected answers. */
export type PythonTypeName = "str" | "int" | "float" | "bool" | "list" | "dict" | "tuple";

/** One benchmark task, as in `data/tasks.jsonl`. */
export interface M3Task {
  name: string;
  domain: M3Domain;
  instruction: string;
  /** JSON form of the answer; a tuple is `{ "__tuple__": [...] }`. */
  expected_output: unknown;
  expected_output_python_type: PythonTypeName;
  /** Python's `str()` of the expected answer. */
  expected_output_python_str: string;
  is_single_tool_task: boolean;
  tools: string[];
}

/** How upstream shows one tool to the model. */
export interface ToolSpec {
  description: string;
  fn_signature: string;
}

export interface Flight {
  from_location: string;
  to_location: string;
  date: string;
  price: number;
}

export interface Hotel {
  location: string;
  preferences: string[];
  price_per_night: number;
  rating: number;
}

export interface TravelTables {
  /** Location names as upstream stores them, with literal double quotes: `"A"`. */
  locations: string[];
  flights: Flight[];
  hotels: Hotel[];
}

export interface WebPage {
  name: string;
  content: string;
}

/**
 * The data directory: `M3TOOLEVAL_DATA_DIR` if set, else `data/` next to this
 * module (CommonJS, as under jest), else `bench/m3tooleval/data` under the
 * working directory (ESM under tsx, where `__dirname` does not exist and
 * `import.meta` cannot be used because tests compile to CommonJS).
 */
export function dataDirectory(): string {
  const fromEnvironment = process.env.M3TOOLEVAL_DATA_DIR;
  if (fromEnvironment) return resolve(fromEnvironment);
  if (typeof __dirname === "string") return join(__dirname, "data");
  return resolve(process.cwd(), "bench", "m3tooleval", "data");
}

const cache = new Map<string, unknown>();

function cached<T>(file: string, parse: (text: string) => T): T {
  if (!cache.has(file)) {
    cache.set(file, parse(readFileSync(join(dataDirectory(), file), "utf8")));
  }
  return cache.get(file) as T;
}

function parseJsonLines<T>(text: string): T[] {
  return text
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line) as T);
}

/** All 82 tasks, in upstream order. */
export function loadTasks(): M3Task[] {
  return cached("tasks.jsonl", (text) => parseJsonLines<M3Task>(text));
}

/** Tool descriptions and signatures per domain. */
export function loadToolSpecs(): Record<M3Domain, Record<string, ToolSpec>> {
  return cached("tool_specs.json", (text) => JSON.parse(text) as Record<M3Domain, Record<string, ToolSpec>>);
}

/** The travel domain's flights and hotels. */
export function loadTravelTables(): TravelTables {
  return cached("travel_tables.json", (text) => JSON.parse(text) as TravelTables);
}

/** The web domain's 55 pages. */
export function loadWebPages(): WebPage[] {
  return cached("web_pages.jsonl", (text) => parseJsonLines<WebPage>(text));
}
