import type { StructuredToolInterface } from "@langchain/core/tools";
import { loadToolSpecs, M3_DOMAINS, type M3Domain } from "../../bench/m3tooleval/data.js";
import { createM3Tools } from "../../bench/m3tooleval/tools/index.js";

function toolOf(tools: StructuredToolInterface[], name: string): StructuredToolInterface {
  const found = tools.find((candidate) => candidate.name === name);
  if (!found) throw new Error(`no tool ${name}`);
  return found;
}
const call = (domain: M3Domain, name: string, input: Record<string, unknown>, python = false) =>
  toolOf(createM3Tools(domain, python ? { resultFormat: "python-str" } : {}), name).invoke(input);

describe("createM3Tools", () => {
  it("keeps upstream names and descriptions for every domain", () => {
    for (const domain of M3_DOMAINS) {
      const specs = loadToolSpecs()[domain];
      const tools = createM3Tools(domain);
      expect(tools.map((tool) => tool.name).sort()).toEqual(Object.keys(specs).sort());
      for (const tool of tools) expect(tool.description).toBe(specs[tool.name]?.description);
    }
  });

  it("decodes messages as the tasks' expected outputs imply", async () => {
    const ascii = await call("message_decoder", "convert_hex_to_ascii", { hex_string: "7a686b7a686d666d686b" });
    expect(ascii).toBe("zhkzhmfmhk");
    const reversed = await call("message_decoder", "reverse_string", { string: ascii });
    expect(await call("message_decoder", "caesar_decode", { message: reversed, shift: 5 })).toBe("fchahcufcu");
    expect(await call("message_decoder", "caesar_decode", { message: "MOR-R", shift: "2" })).toBe("KMP-P");
    expect(await call("message_decoder", "string_length", { string: "abc" })).toBe(3);
    expect(await call("message_decoder", "minimum_value", { args: [3, 5, 4] })).toBe(3);
    expect(await call("message_decoder", "maximum_value", { args: [123, 987, 456] })).toBe(987);
  });

  it("rejects invalid or odd-length hex as Python does", async () => {
    await expect(call("message_decoder", "convert_hex_to_ascii", { hex_string: "abc" })).rejects.toThrow(
      "ValueError: non-hexadecimal number found in fromhex() arg at position 3"
    );
    await expect(call("message_decoder", "convert_hex_to_ascii", { hex_string: "zz" })).rejects.toThrow("position 0");
    await expect(call("message_decoder", "convert_hex_to_ascii", { hex_string: "ff" })).rejects.toThrow("UnicodeDecodeError");
  });

  it("sequences DNA", async () => {
    const domain = "cryptobotanists_plant_dna_sequencer";
    expect(await call(domain, "count_nucleotides", { dna_sequence: "TACGCA" })).toEqual({ T: 1, A: 2, C: 2, G: 1 });
    expect(await call(domain, "count_nucleotides", { dna_sequence: "TACGCA" }, true)).toBe("{'T': 1, 'A': 2, 'C': 2, 'G': 1}");
    expect(await call(domain, "reverse_transcribe_mrna_to_dna", { mrna_sequence: "AUGCGU" })).toBe("TACGCA");
    expect(await call(domain, "transcribe_dna_to_mrna", { dna_sequence: "AGCTAGCGTA" })).toBe("UCGAUCGCAU");
    expect(await call(domain, "translate_mrna_to_amino_acid", { mrna_sequence: "UCGAUCGCAU" })).toBe("X-X-X-X");
    expect(await call(domain, "translate_mrna_to_amino_acid", { mrna_sequence: "AUGUUUUUCA" })).toBe("Methionine-Phenylalanine-Phenylalanine-X");
    expect(await call(domain, "find_max_nucleotide", { args: ["A", 3, "G", 3, "C", 3] })).toEqual(["A", 3]);
    expect(await call(domain, "find_max_nucleotide", { args: ["A", 3, "G", 4] }, true)).toBe("('G', 4)");
    expect(await call(domain, "is_valid_dna_sequence", { dna_sequence: "AGCTTX" })).toBe(false);
  });

  it("computes trade values (161.25 for the first task) and prints ints and floats the Python way", async () => {
    const tariff = await call("trade_calculator", "calculate_tariff", { price: 150, tariff_rate: 7.5 });
    expect(tariff).toBe(11.25);
    expect(await call("trade_calculator", "estimate_final_value", { price: 150, tariff })).toBe(161.25);
    expect(await call("trade_calculator", "convert_currency", { base_price: 5000, conversion_rate: 1.5 })).toBe(7500);
    expect(await call("trade_calculator", "calculator", { expression: "3+4.0" }, true)).toBe("7.0");
    expect(await call("trade_calculator", "calculator", { expression: "3+4.0" })).toBe(7);
    expect(await call("trade_calculator", "calculator", { expression: "1/0" })).toBe("Failed to evaluate expression: 1/0");
    expect(await call("trade_calculator", "find_minimum", { args: [695.5, 763, 624] })).toBe(624);
  });

  it("plans travel from the tables, stripping quotes and rejecting unknown places", async () => {
    const domain = "travel_itinerary_planning";
    const flights = await call(domain, "find_flights", { from_location: '"E"', to_location: "B", date: "2023-11-10" });
    expect(flights).toEqual([
      { from_location: '"E"', to_location: '"B"', date: "2023-11-10", price: 350 },
      { from_location: '"E"', to_location: '"B"', date: "2023-11-10", price: 165 },
    ]);
    const hotels = (await call(domain, "book_hotel", { location: '"A"', preferences: ["wifi", "pool"] })) as Array<{ price_per_night: number }>;
    expect(hotels.map((hotel) => hotel.price_per_night)).toEqual([120, 50]);
    expect(await call(domain, "budget_calculator", { flight_price: 450, hotel_price_per_night: 120, num_nights: 5 })).toBe(1050);
    expect(await call(domain, "max", { args: [[1, 5, 2]] })).toBe(5);
    expect(await call(domain, "min", { args: [4, 2, 9] })).toBe(2);
    expect(await call(domain, "sum", { args: [600, 510] })).toBe(1110);
    await expect(call(domain, "find_flights", { from_location: "Paris", to_location: "A", date: "2023-12-25" })).rejects.toThrow(
      `ValueError: Origin [Paris] is not supported. Supported from_locations: ['"A"', '"B"', '"C"', '"D"', '"E"', '"F"']`
    );
    await expect(call(domain, "book_hotel", { location: "Z" })).rejects.toThrow("Location [Z] is not supported");
    expect(await call(domain, "find_flights", { from_location: "F", to_location: "A", date: "2023-12-25" })).toEqual([]);
  });

  it("browses with 5-line pages, history and upstream's exact text", async () => {
    const tools = createM3Tools("web_browsing");
    const run = (name: string, input: Record<string, unknown> = {}) => toolOf(tools, name).invoke(input);
    expect(await run("view")).toBe(
      "----------\n[Web Page Name: /]\n[Viewing page 1 of 2]\n\nWelcome to MagicWand Co.!\n" +
        "Dive into a world where magic meets reality. We specialize in crafting the finest magical artifacts.\n" +
        "- About Us [Clickable '/about']\n- Our Products [Clickable '/products']\n- Blog [Clickable '/blog']\n----------"
    );
    expect(await run("scroll_up")).toBe("[Reached the top of the page.]\n");
    expect(await run("scroll_down")).toContain("[Viewing page 2 of 2]\n\n- Contact Us [Clickable '/contact']");
    expect(await run("scroll_down")).toBe("[Reached the bottom of the page.]\n");
    expect(await run("click_url", { url: "'/products/wand/legendary_wand'" })).toBe(
      "[Opened page: /products/wand/legendary_wand]\n----------\n[Web Page Name: /products/wand/legendary_wand]\n" +
        "[Viewing page 1 of 1]\n\nItem: Legendary Wand\nDescription: High-quality magical item.\nPrice: $68.71\n----------"
    );
    expect(await run("click_url", { url: "/team/customer_support" })).toBe("[URL not found.]");
    expect(await run("go_to_previous_page")).toMatch(/^\[Opened page: \/\]\n-{10}\n\[Web Page Name: \/\]\n\[Viewing page 1 of 2\]/);
    expect(await run("go_to_previous_page")).toBe("[No previous page.]");
    // A fresh call builds a fresh browser.
    const fresh = createM3Tools("web_browsing");
    expect(await toolOf(fresh, "go_to_previous_page").invoke({})).toBe("[No previous page.]");
  });
});
