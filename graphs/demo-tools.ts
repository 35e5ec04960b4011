/**
 * Two small demo tools for the Studio graphs, with canned data so the demo
 * answers the same way every time.
 */
import { tool } from "@langchain/core/tools";
import { z } from "zod";

const WEATHER: Record<string, { temperatureC: number; conditions: string }> = {
  paris: { temperatureC: 18, conditions: "cloudy" },
  london: { temperatureC: 14, conditions: "rain" },
  tokyo: { temperatureC: 24, conditions: "sunny" },
  "new york": { temperatureC: 21, conditions: "windy" },
};
const USD_PER_UNIT: Record<string, number> = { USD: 1, EUR: 1.08, GBP: 1.27, JPY: 0.0067 };

export const getWeather = tool(
  async ({ city }) => {
    const report = WEATHER[city.trim().toLowerCase()];
    if (report === undefined) {
      throw new Error(`No weather for ${city}; known cities: ${Object.keys(WEATHER).join(", ")}`);
    }
    return { city, ...report };
  },
  {
    name: "get_weather",
    description: "Current weather of a city (demo data).",
    schema: z.object({ city: z.string().describe("City name, e.g. Paris") }),
  }
);

export const convertCurrency = tool(
  async ({ amount, from, to }) => {
    const rate = (USD_PER_UNIT[from] ?? Number.NaN) / (USD_PER_UNIT[to] ?? Number.NaN);
    if (Number.isNaN(rate)) throw new Error(`Unknown currency; use ${Object.keys(USD_PER_UNIT).join(", ")}`);
    return Math.round(amount * rate * 100) / 100;
  },
  {
    name: "convert_currency",
    description: "Converts an amount between currencies at fixed demo rates.",
    schema: z.object({
      amount: z.number(),
      from: z.enum(["USD", "EUR", "GBP", "JPY"]),
      to: z.enum(["USD", "EUR", "GBP", "JPY"]),
    }),
  }
);

export const demoTools = [getWeather, convertCurrency];
