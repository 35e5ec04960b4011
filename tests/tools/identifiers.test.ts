import {
  isPythonParameterName,
  sanitizeIdentifier,
  toolIdentifiers,
} from "../../src/tools/identifiers.js";

describe("sanitizeIdentifier", () => {
  it.each([
    ["web-search", "javascript", "web_search"],
    ["web-search", "python", "web_search"],
    ["1st tool", "javascript", "_1st_tool"],
    ["1st tool", "python", "_1st_tool"],
    ["delete", "javascript", "delete_"],
    ["delete", "python", "delete"],
    ["print", "python", "print_"],
    ["print", "javascript", "print"],
    ["list", "python", "list_"],
    ["console", "javascript", "console_"],
    ["class", "javascript", "class_"],
    ["class", "python", "class_"],
    ["None", "python", "None_"],
    ["getWeather", "javascript", "getWeather"],
    ["get.weather/v2", "python", "get_weather_v2"],
    ["search!", "javascript", "search"],
    ["café au lait", "python", "cafe_au_lait"],
    ["__private", "python", "__private"],
    ["!!!", "javascript", "tool"],
    ["", "python", "tool"],
  ] as const)("%j in %s → %j", (name, language, expected) => {
    expect(sanitizeIdentifier(name, language)).toBe(expected);
  });

  it("deduplicates against taken names and records its result", () => {
    const taken = new Set<string>(["search"]);
    expect(sanitizeIdentifier("search", "javascript", taken)).toBe("search_2");
    expect(sanitizeIdentifier("search", "javascript", taken)).toBe("search_3");
    expect(sanitizeIdentifier("web search", "javascript", taken)).toBe("web_search");
    expect(sanitizeIdentifier("web-search", "javascript", taken)).toBe("web_search_2");
    expect([...taken]).toEqual(["search", "search_2", "search_3", "web_search", "web_search_2"]);
  });

  it("names a list of tools uniquely, in order", () => {
    expect(
      toolIdentifiers([{ name: "a-b" }, { name: "a_b" }, { name: "print" }], "python")
    ).toEqual(["a_b", "a_b_2", "print_"]);
  });
});

describe("isPythonParameterName", () => {
  it.each([
    ["query", true],
    ["type", true],
    ["from", false],
    ["max-results", false],
    ["2x", false],
  ] as const)("%j → %s", (name, expected) => {
    expect(isPythonParameterName(name)).toBe(expected);
  });
});
