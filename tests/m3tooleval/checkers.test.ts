import { checkFaithful, checkNormalized, extractAnswer } from "../../bench/m3tooleval/checkers.js";
import { loadTasks, type M3Task } from "../../bench/m3tooleval/data.js";

const task = (suffix: string): M3Task => {
  const found = loadTasks().find((candidate) => candidate.name.endsWith(suffix));
  if (!found) throw new Error(suffix);
  return found;
};

describe("faithful checker (upstream quirks)", () => {
  const finalValue = task("trade_calculator/estimate_final_value"); // 161.25
  const sum2 = task("total_price_of_selected_items_2"); // 380.41999999999996
  const list = task("fluctuating_conversion_rates_impact"); // [36380.0, 48150.0, 68480.0]
  const tuple = task("find_most_common_nucleotide_combined_sequence"); // ('A', 3)
  const bool = task("transcribe_translate_find_amino_acid"); // False
  const dict = task("reverse_transcribe_palindrome_check");

  it("truncates the expected float to an int", () => {
    expect(checkFaithful("161", finalValue)).toBe(true);
    expect(checkFaithful("161.25", finalValue)).toBe(true);
    expect(checkFaithful("161.3", finalValue)).toBe(false);
  });
  it("compares floats by Python's str()", () => {
    expect(checkFaithful("380.42", sum2)).toBe(false);
    expect(checkFaithful("380.41999999999996", sum2)).toBe(true);
    expect(checkFaithful("380", sum2)).toBe(true);
  });
  it("needs Python's exact repr for lists, tuples and dicts", () => {
    expect(checkFaithful("[36380.0, 48150.0, 68480.0]", list)).toBe(true);
    expect(checkFaithful("[36380, 48150, 68480]", list)).toBe(false);
    expect(checkFaithful("('A', 3)", tuple)).toBe(true);
    expect(checkFaithful("['A', 3]", tuple)).toBe(false);
    expect(checkFaithful("{'T': 1, 'A': 2, 'C': 2, 'G': 1}", dict)).toBe(true);
    expect(checkFaithful('{"T": 1, "A": 2, "C": 2, "G": 1}', dict)).toBe(false);
  });
  it("accepts True/False as Python spells them, and 0 for False", () => {
    expect(checkFaithful("False", bool)).toBe(true);
    expect(checkFaithful("false", bool)).toBe(false);
    expect(checkFaithful("0", bool)).toBe(true);
  });
  it("accepts a quoted string through literal_eval", () => {
    expect(checkFaithful("'Engineering'", task("department_of_allison_hill"))).toBe(true);
    expect(checkFaithful("Marketing", task("department_of_allison_hill"))).toBe(false);
  });
});

describe("normalized checker", () => {
  it("accepts near floats, list = tuple, true = True, JSON and quotes", () => {
    expect(checkNormalized("380.42", task("total_price_of_selected_items_2"))).toBe(true);
    expect(checkNormalized("[36380, 48150, 68480]", task("fluctuating_conversion_rates_impact"))).toBe(true);
    expect(checkNormalized('["A", 3]', task("find_most_common_nucleotide_combined_sequence"))).toBe(true);
    expect(checkNormalized("false", task("transcribe_translate_find_amino_acid"))).toBe(true);
    expect(checkNormalized('{"T": 1, "A": 2, "C": 2, "G": 1}', task("reverse_transcribe_palindrome_check"))).toBe(true);
    expect(checkNormalized(" 'Engineering' ", task("department_of_allison_hill"))).toBe(true);
  });
  it("rejects wrong answers", () => {
    expect(checkNormalized("400", task("total_price_of_selected_items_2"))).toBe(false);
    expect(checkNormalized("[36380, 48150]", task("fluctuating_conversion_rates_impact"))).toBe(false);
    expect(checkNormalized("true", task("transcribe_translate_find_amino_acid"))).toBe(false);
    expect(checkNormalized("Marketing", task("department_of_allison_hill"))).toBe(false);
  });
});

describe("extractAnswer", () => {
  it("prefers an Answer: line", () => {
    expect(extractAnswer("The total is below.\nAnswer: 68.71\nThanks")).toBe("68.71");
    expect(extractAnswer("**Answer:** 68.71")).toBe("68.71");
    expect(extractAnswer("Answer:\n\n42")).toBe("42");
    expect(extractAnswer("  68.71 ")).toBe("68.71");
  });
});
