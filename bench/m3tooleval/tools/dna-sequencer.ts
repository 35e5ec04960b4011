import { z } from "zod";
import { PyDict, PyTuple, type PyValue } from "../python-values.js";
import { defineTool, pythonError, pythonLess, type M3ToolDefinition } from "./define.js";

function translate(sequence: string, from: string, to: string): string {
  return [...sequence]
    .map((char) => {
      const index = from.indexOf(char);
      return index < 0 ? char : (to[index] ?? char);
    })
    .join("");
}

/** Counts of each character, in order of first appearance (`dict(Counter(s))`). */
export function countNucleotides(sequence: string): PyDict {
  const counts = new Map<string, number>();
  for (const char of sequence) counts.set(char, (counts.get(char) ?? 0) + 1);
  return new PyDict([...counts]);
}

const CODONS: Record<string, string> = {
  AUG: "Methionine",
  UUU: "Phenylalanine",
  UUC: "Phenylalanine",
};

/** Codons of three letters (a shorter tail included) to amino acids joined by "-". */
export function translateMrna(sequence: string): string {
  const acids: string[] = [];
  for (let index = 0; index < sequence.length; index += 3) {
    acids.push(CODONS[sequence.slice(index, index + 3)] ?? "X");
  }
  return acids.join("-");
}

/** `(key, count)` of the largest count among `k1, v1, k2, v2, ...`; the first key wins ties. */
export function findMaxNucleotide(args: readonly PyValue[]): PyTuple {
  // dict(zip(keys, values)): a repeated key keeps its first place, last value.
  const counts = new Map<string, PyValue>();
  for (let index = 0; index + 1 < args.length; index += 2) {
    counts.set(JSON.stringify(args[index]), args[index + 1]);
  }
  if (counts.size === 0) throw pythonError("ValueError", "max() arg is an empty sequence");
  let best: [string, PyValue] | undefined;
  for (const entry of counts) {
    if (best === undefined || pythonLess(best[1], entry[1])) best = entry;
  }
  const [key, count] = best as [string, PyValue];
  return new PyTuple([JSON.parse(key) as PyValue, count]);
}

const scalar = z.union([z.string(), z.number()]);

export const dnaSequencerTools: readonly M3ToolDefinition[] = [
  defineTool({
    name: "count_nucleotides",
    schema: z.object({ dna_sequence: z.string() }),
    run: ({ dna_sequence }) => countNucleotides(dna_sequence),
  }),
  defineTool({
    name: "transcribe_dna_to_mrna",
    schema: z.object({ dna_sequence: z.string() }),
    run: ({ dna_sequence }) => translate(dna_sequence, "ACGT", "UGCA"),
  }),
  defineTool({
    name: "translate_mrna_to_amino_acid",
    schema: z.object({ mrna_sequence: z.string() }),
    run: ({ mrna_sequence }) => translateMrna(mrna_sequence),
  }),
  defineTool({
    name: "find_max_nucleotide",
    schema: z.object({ args: z.array(scalar) }),
    run: ({ args }) => findMaxNucleotide(args),
  }),
  defineTool({
    name: "is_valid_dna_sequence",
    schema: z.object({ dna_sequence: z.string() }),
    run: ({ dna_sequence }) => [...dna_sequence].every((char) => "ACGT".includes(char)),
  }),
  defineTool({
    name: "reverse_transcribe_mrna_to_dna",
    schema: z.object({ mrna_sequence: z.string() }),
    run: ({ mrna_sequence }) => translate(mrna_sequence, "UCAG", "AGTC"),
  }),
];
