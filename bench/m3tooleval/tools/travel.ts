import { z } from "zod";
import { loadTravelTables, type Flight, type Hotel } from "../data.js";
import { pythonRepr, type PyValue } from "../python-values.js";
import { defineTool, pythonError, pythonExtreme, pythonTypeName, type M3ToolDefinition } from "./define.js";

/** Python's `text.strip('"')`. */
function stripDoubleQuotes(text: string): string {
  return text.replace(/^"+|"+$/g, "");
}

function supportedLocations(): Set<string> {
  const { locations } = loadTravelTables();
  return new Set([...locations, ...locations.map(stripDoubleQuotes)]);
}

function locationError(label: string, location: string, listName: string): Error {
  return pythonError(
    "ValueError",
    `${label} [${location}] is not supported. Supported ${listName}: ${pythonRepr(loadTravelTables().locations)}`
  );
}

/** Flights from → to on `date` (locations with or without their double quotes). */
export function findFlights(fromLocation: string, toLocation: string, date: string): Flight[] {
  const from = stripDoubleQuotes(fromLocation);
  const to = stripDoubleQuotes(toLocation);
  const supported = supportedLocations();
  if (!supported.has(from)) throw locationError("Origin", from, "from_locations");
  if (!supported.has(to)) throw locationError("Destination", to, "to_locations");
  return loadTravelTables()
    .flights.filter(
      (flight) =>
        stripDoubleQuotes(flight.to_location) === to &&
        flight.date === date &&
        stripDoubleQuotes(flight.from_location) === from
    )
    .map((flight) => ({ ...flight }));
}

/** Hotels at `location` whose preferences include every one asked for. */
export function bookHotel(location: string, preferences: readonly string[]): Hotel[] {
  const place = stripDoubleQuotes(location);
  if (!supportedLocations().has(place)) throw locationError("Location", place, "locations");
  return loadTravelTables()
    .hotels.filter(
      (hotel) =>
        stripDoubleQuotes(hotel.location) === place &&
        preferences.every((preference) => hotel.preferences.includes(preference))
    )
    .map((hotel) => ({ ...hotel, preferences: [...hotel.preferences] }));
}

// Python's builtin max/min: one iterable argument, or several arguments.
function extremeOfArguments(kind: "min" | "max", args: readonly PyValue[]): PyValue {
  const [first] = args;
  return args.length === 1 && Array.isArray(first)
    ? pythonExtreme(kind, first as readonly PyValue[])
    : pythonExtreme(kind, args);
}

// `lambda *args: sum(args)`: numbers only, starting from 0.
function sumOfArguments(args: readonly PyValue[]): PyValue {
  let total = 0;
  for (const item of args) {
    if (typeof item !== "number" && typeof item !== "boolean") {
      const type = pythonTypeName(item);
      throw pythonError("TypeError", `unsupported operand type(s) for +: 'int' and '${type}'`);
    }
    total += Number(item);
  }
  return total;
}

const anyValue = z.unknown().transform((value) => value as PyValue);

export const travelTools: readonly M3ToolDefinition[] = [
  defineTool({
    name: "find_flights",
    schema: z.object({ from_location: z.string(), to_location: z.string(), date: z.string() }),
    run: ({ from_location, to_location, date }) =>
      findFlights(from_location, to_location, date) as unknown as PyValue,
  }),
  defineTool({
    name: "book_hotel",
    schema: z.object({ location: z.string(), preferences: z.array(z.string()).optional() }),
    run: ({ location, preferences }) => bookHotel(location, preferences ?? []) as unknown as PyValue,
  }),
  defineTool({
    name: "budget_calculator",
    schema: z.object({
      flight_price: z.number(),
      hotel_price_per_night: z.number(),
      num_nights: z.number(),
    }),
    run: ({ flight_price, hotel_price_per_night, num_nights }) =>
      flight_price + hotel_price_per_night * num_nights,
  }),
  defineTool({
    name: "max",
    schema: z.object({ args: z.array(anyValue) }),
    run: ({ args }) => extremeOfArguments("max", args),
  }),
  defineTool({
    name: "min",
    schema: z.object({ args: z.array(anyValue) }),
    run: ({ args }) => extremeOfArguments("min", args),
  }),
  defineTool({
    name: "sum",
    schema: z.object({ args: z.array(anyValue) }),
    run: ({ args }) => sumOfArguments(args),
  }),
];
