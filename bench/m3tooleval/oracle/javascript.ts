/**
 * Reference JavaScript code actions, one per task: each calls the task's
 * tools (as the CodeAct agent's sandbox exposes them) to compute the answer
 * and prints it. Run through the real graph by the scripted model, they
 * prove the tools, executor, runner and checkers agree.
 */

const FINAL_VALUE = `async function finalValue(basePrice, conversionRate, tariffRate) {
  const converted = await convert_currency(basePrice, conversionRate);
  const tariff = await calculate_tariff(converted, tariffRate);
  return await estimate_final_value(converted, tariff);
}
`;

function trade(body: string): string {
  return `${FINAL_VALUE}${body}`;
}

const TRAVEL = `async function cheapestFlight(from, to, date) {
  const flights = await find_flights(from, to, date);
  return await min(flights.map((flight) => flight.price));
}
async function hotels(location, ...preferences) {
  return await book_hotel({ location, preferences });
}
async function cheapestHotel(location, ...preferences) {
  return await min((await hotels(location, ...preferences)).map((hotel) => hotel.price_per_night));
}
// The first hotel with the highest rating, as Python's max(key=...) picks.
async function bestRatedHotel(location, ...preferences) {
  const found = await hotels(location, ...preferences);
  return found.reduce((best, hotel) => (hotel.rating > best.rating ? hotel : best)).price_per_night;
}
async function leg(from, to, date, nights, preferences = []) {
  return await budget_calculator(await cheapestFlight(from, to, date), await cheapestHotel(to, ...preferences), nights);
}
`;

function travel(body: string): string {
  return `${TRAVEL}${body}`;
}

const CRAWL = `// Reads every page reachable from "/", following [Clickable '...'] links.
function viewLines(view) {
  const lines = view.split("\\n");
  const start = lines.findIndex((line) => line.startsWith("[Viewing page")) + 2;
  return lines.slice(start, lines.length - 1);
}
async function readPage(url) {
  let view = await click_url(url);
  if (view.startsWith("[URL not found")) return null;
  const lines = [];
  for (;;) {
    lines.push(...viewLines(view));
    view = await scroll_down();
    if (view.startsWith("[Reached the bottom")) return lines;
  }
}
async function crawl() {
  const pages = {};
  const queue = ["/"];
  const seen = new Set();
  while (queue.length > 0) {
    const url = queue.shift();
    if (seen.has(url)) continue;
    seen.add(url);
    const lines = await readPage(url);
    if (lines === null) {
      // Some links misspell the page name: try "_" and "-" swapped.
      for (const guess of [url.replace(/_/g, "-"), url.replace(/-/g, "_")]) if (!seen.has(guess)) queue.push(guess);
      continue;
    }
    pages[url] = lines;
    for (const line of lines) for (const match of line.matchAll(/\\[Clickable '([^']+)'\\]/g)) queue.push(match[1]);
  }
  return pages;
}
const pages = await crawl();
const people = Object.values(pages)
  .filter((lines) => / of .+ Department$/.test(lines[0] ?? ""))
  .map((lines) => {
    const field = (label) => lines.find((line) => line.startsWith(label + ": "))?.slice(label.length + 2);
    const [, name, department] = /^(.+) of (.+) Department$/.exec(lines[0]);
    return { name, department, email: field("Email"), phone: field("Phone"), expertise: field("Expertise") };
  });
function price(item) {
  const lines = Object.values(pages).find((page) => page[0] === "Item: " + item);
  const line = lines.find((text) => text.startsWith("Price:"));
  return line.match(/\\$([0-9.]+)/g).at(-1).slice(1);
}
const person = (name) => people.find((entry) => entry.name === name);
`;

function web(body: string): string {
  return `${CRAWL}${body}`;
}

function decodeChain(hex: string, shift: number): string {
  return `const text = await convert_hex_to_ascii(${JSON.stringify(hex)});
console.log(await caesar_decode(await reverse_string(text), ${shift}));`;
}

function totalPrice(items: string[], discount: boolean): string {
  const list = JSON.stringify(items);
  return web(`let total = 0;
for (const item of ${list}) total += Number(price(item));
console.log(${discount ? "total * 0.9" : "total"});`);
}

/** Task name → reference JavaScript code action. */
export const JAVASCRIPT_ORACLES: Readonly<Record<string, string>> = {
  "message_decoder/full_alien_message_decoding": decodeChain("7a686b7a686d666d686b", 5),
  "message_decoder/shortest_caesar_decoded_message": `const lengths = [];
for (const hex of ['636261', '686766', '6365646362', '6867666865']) {
  const decoded = await caesar_decode(await reverse_string(await convert_hex_to_ascii(hex)), 4);
  lengths.push(await string_length(decoded));
}
console.log(await minimum_value(lengths));`,
  "message_decoder/longest_decoded_string": `const lengths = [];
const shifts = [2, 3, 5];
const hexes = ['4a656d', '4b6867', '4c696f'];
for (let i = 0; i < hexes.length; i++) {
  const decoded = await caesar_decode(await reverse_string(await convert_hex_to_ascii(hexes[i])), shifts[i]);
  lengths.push(await string_length(decoded));
}
console.log(await maximum_value(lengths));`,
  "message_decoder/specific_decoded_character": decodeChain("576562546563686e6f6c6f6779", 7),
  "message_decoder/hex_caesar_combined_decoding": `console.log(await caesar_decode(await convert_hex_to_ascii('4d4f5252'), 2));`,
  "message_decoder/multi_step_decoding_challenge": decodeChain("726f77746e6153794d", 3),
  "message_decoder/length_based_decoding_puzzle": `for (const hex of ['646566', '6a6b6c6d', '68696a6b6c']) {
  const decoded = await caesar_decode(await convert_hex_to_ascii(hex), 6);
  if ((await string_length(decoded)) === 5) { console.log(decoded); break; }
}`,
  "message_decoder/maximum_value_decoding": `const numbers = [];
for (const hex of ['313233', '343536', '373839']) {
  numbers.push(Number(await reverse_string(await caesar_decode(await convert_hex_to_ascii(hex), 4))));
}
console.log(await maximum_value(numbers));`,

  "cryptobotanists_plant_dna_sequencer/find_most_common_nucleotide_and_transcribe": `const counts = await count_nucleotides('AGCTAGCCGATGCA');
const [nucleotide] = await find_max_nucleotide(Object.entries(counts).flat());
console.log(await transcribe_dna_to_mrna(nucleotide.repeat(3)));`,
  "cryptobotanists_plant_dna_sequencer/validate_transcribe_translate": `const dna = 'AGCTTX';
if (await is_valid_dna_sequence(dna)) console.log(await translate_mrna_to_amino_acid(await transcribe_dna_to_mrna(dna)));
else console.log('Invalid DNA sequence');`,
  "cryptobotanists_plant_dna_sequencer/reverse_transcribe_count_max_nucleotide": `const counts = await count_nucleotides(await reverse_transcribe_mrna_to_dna('AUGCUUUUC'));
const [nucleotide] = await find_max_nucleotide(Object.entries(counts).flat());
console.log(nucleotide);`,
  "cryptobotanists_plant_dna_sequencer/transcribe_translate_amino_acid_length": `const acids = await translate_mrna_to_amino_acid(await transcribe_dna_to_mrna('AGCTAGCGTA'));
console.log(acids.split('-').length);`,
  "cryptobotanists_plant_dna_sequencer/reverse_transcribe_palindrome_check": `const counts = await count_nucleotides(await reverse_transcribe_mrna_to_dna('AUGCGU'));
console.log(JSON.stringify(counts));`,
  "cryptobotanists_plant_dna_sequencer/validate_find_longest_valid_sequence": `let longest = null;
for (const dna of ['AGCTAG', 'XYZABC', 'GTCAGT']) {
  if (await is_valid_dna_sequence(dna) && (longest === null || dna.length > longest.length)) longest = dna;
}
console.log(longest);`,
  "cryptobotanists_plant_dna_sequencer/transcribe_translate_find_amino_acid": `const acids = await translate_mrna_to_amino_acid(await transcribe_dna_to_mrna('AGCTAGCGTA'));
console.log(acids.includes('Methionine') ? 'True' : 'False');`,
  "cryptobotanists_plant_dna_sequencer/find_most_common_nucleotide_combined_sequence": `const counts = await count_nucleotides(['AGCT', 'CCGA', 'TTAG'].join(''));
console.log(JSON.stringify(await find_max_nucleotide(Object.entries(counts).flat())));`,

  "trade_calculator/estimate_final_value": `console.log(await estimate_final_value(150, await calculate_tariff(150, 7.5)));`,
  "trade_calculator/interstellar_trade_transaction": trade(`console.log(await finalValue(100 * 50, 1.5, 8));`),
  "trade_calculator/taxed_commodity_export": trade(`console.log(await finalValue(200 * 120, 2.0, 5));`),
  "trade_calculator/best_trade_route_selection": trade(
    `console.log(await find_minimum([await finalValue(500, 1.3, 7), await finalValue(500, 1.4, 9), await finalValue(500, 1.2, 4)]));`
  ),
  "trade_calculator/most_profitable_conversion_rate": trade(`const values = [];
for (const rate of [2.5, 2.3, 2.7]) values.push(await finalValue(1000 * 300, rate, 10));
console.log(await find_maximum(values));`),
  "trade_calculator/bulk_trade_quantity_discount": trade(`const units = 2500;
console.log(await finalValue(units * 1500 * (units >= 2000 ? 0.95 : 1), 1.8, 12));`),
  "trade_calculator/comparative_profit_analysis": trade(
    `console.log(await find_maximum([await finalValue(100 * 300, 1.6, 6), await finalValue(80 * 500, 1.8, 5)]));`
  ),
  "trade_calculator/fluctuating_conversion_rates_impact": trade(`const values = [];
const quantities = [100, 150, 200];
const rates = [1.7, 1.5, 1.6];
for (let i = 0; i < 3; i++) values.push(await finalValue(200 * quantities[i], rates[i], 7));
console.log(JSON.stringify(values));`),
  "trade_calculator/optimal_trade_route_multiple_commodities": trade(
    `console.log(await find_maximum([await finalValue(150 * 200, 1.7, 8), await finalValue(250 * 300, 1.5, 5), await finalValue(100 * 400, 2.0, 10)]));`
  ),
  "trade_calculator/seasonal_price_fluctuation_impact": trade(`const values = [];
for (const price of [200, 250, 180]) values.push(await finalValue(price * 200, 1.8, 7));
console.log(JSON.stringify(values));`),
  "trade_calculator/balancing_multiple_trade_offers": trade(
    `console.log(await calculator(\`\${await finalValue(300 * 250, 1.6, 6)} - \${await finalValue(150 * 220, 1.5, 4)}\`));`
  ),
  "trade_calculator/dynamic_pricing_strategy": trade(`const values = [
  await finalValue(120 * 300 * 1.10, 1.8, 6),
  await finalValue(100 * 300, 1.8, 6),
  await finalValue(80 * 300 * 0.95, 1.8, 6),
];
console.log(JSON.stringify(values));`),
  "trade_calculator/quantity_tariff_tradeoff": trade(
    `console.log(await find_maximum([await finalValue(200 * 400, 1.7, 10), await finalValue(150 * 400, 1.7, 5)]));`
  ),
  "trade_calculator/optimizing_bulk_purchase_discounts": trade(`const values = [];
for (const price of [150, 180]) for (const units of [950, 1050]) {
  values.push(await finalValue(units * price * (units >= 1000 ? 0.95 : 1), 1.6, 7));
}
console.log(await find_maximum(values));`),
  "trade_calculator/currency_fluctuation_hedging": trade(`const values = [];
for (const rate of [1.5, 1.65, 1.8]) values.push(await finalValue(500 * 250, rate, 8));
console.log(await find_minimum(values));`),
  "trade_calculator/variable_tariff_profit_maximization": trade(
    `console.log(await find_maximum([await finalValue(400 * 300, 1.7, 6), await finalValue(350 * 300, 1.7, 4), await finalValue(450 * 300, 1.7, 7)]));`
  ),
  "trade_calculator/long_term_vs_short_term_trade_decisions": trade(
    `console.log(JSON.stringify([await finalValue(600 * 200, 1.8, 5), await finalValue(600 * 200 * 1.10, 1.8 - 0.2, 5 + 2)]));`
  ),

  "travel_itinerary_planning/plan_trip_to_0": `const [flight] = await find_flights('"E"', '"A"', '2023-12-25');
const [hotel] = await book_hotel({ location: '"A"', preferences: ['wifi', 'pool'] });
console.log(await budget_calculator(flight.price, hotel.price_per_night, 5));`,
  "travel_itinerary_planning/cheapest_new_york_trip": `const budgets = [];
for (const flight of await find_flights('"E"', '"B"', '2023-11-10'))
  for (const hotel of await book_hotel('"B"')) budgets.push(await budget_calculator(flight.price, hotel.price_per_night, 3));
console.log(await min(budgets));`,
  "travel_itinerary_planning/luxury_tokyo_trip": travel(
    `console.log(await budget_calculator(await cheapestFlight('"E"', '"C"', '2023-10-05'), await bestRatedHotel('"C"'), 7));`
  ),
  "travel_itinerary_planning/budget_trip_to_paris": travel(`console.log(await leg('"E"', '"A"', '2023-12-25', 4));`),
  "travel_itinerary_planning/new_york_trip_with_specific_preferences": travel(`const prices = (await hotels('"B"', 'gym'))
  .filter((hotel) => !hotel.preferences.includes('pool'))
  .map((hotel) => hotel.price_per_night);
console.log(await budget_calculator(await cheapestFlight('"E"', '"B"', '2023-11-10'), await min(prices), 3));`),
  "travel_itinerary_planning/london_business_trip": travel(`console.log(await leg('"E"', '"D"', '2023-08-15', 4, ['wifi']));`),
  "travel_itinerary_planning/last_minute_tokyo_trip": travel(`console.log(await leg('"E"', '"C"', '2023-12-01', 3));`),
  "travel_itinerary_planning/new_york_holiday_season": travel(`console.log(await leg('"E"', '"B"', '2023-12-15', 7, ['gym', 'pool']));`),
  "travel_itinerary_planning/multi_city_business_trip": travel(
    `console.log(await sum([await leg('"E"', '"B"', '2023-11-10', 2, ['wifi']), await leg('"B"', '"C"', '2023-11-13', 3, ['wifi'])]));`
  ),
  "travel_itinerary_planning/leisure_multi_city_trip": travel(
    `console.log(await sum([await leg('"E"', '"A"', '2023-12-25', 3), await leg('"A"', '"D"', '2023-12-28', 2)]));`
  ),
  "travel_itinerary_planning/three_city_european_tour": travel(`console.log(await sum([
  await leg('"E"', '"A"', '2023-12-25', 3, ['wifi']),
  await leg('"A"', '"D"', '2023-12-29', 4, ['wifi']),
  await leg('"D"', '"C"', '2024-01-02', 3, ['wifi']),
]));`),
  "travel_itinerary_planning/adventure_trip": travel(`console.log(await sum([
  await leg('"E"', '"C"', '2023-12-01', 2, ['pool']),
  await leg('"C"', '"B"', '2023-12-03', 3),
  await leg('"B"', '"D"', '2023-12-06', 2, ['gym']),
]));`),
  "travel_itinerary_planning/cultural_exploration_tour": travel(`console.log(await sum([
  await leg('"E"', '"A"', '2023-12-25', 4, ['wifi']),
  await leg('"A"', '"B"', '2023-12-29', 2, ['wifi']),
  await budget_calculator(await cheapestFlight('"B"', '"D"', '2024-01-01'), await bestRatedHotel('"D"', 'wifi'), 3),
]));`),
  "travel_itinerary_planning/leisure_and_business_combo": travel(`console.log(await sum([
  await leg('"E"', '"D"', '2023-08-15', 3, ['wifi', 'gym']),
  await leg('"D"', '"A"', '2023-08-18', 2, ['pool']),
  await leg('"A"', '"C"', '2023-08-20', 2, ['wifi', 'gym']),
]));`),
  "travel_itinerary_planning/grand_tour_vacation": travel(`const stops = [['"E"', '"C"', '2023-12-01', 2], ['"C"', '"D"', '2023-12-03', 3], ['"D"', '"B"', '2023-12-06', 2], ['"B"', '"E"', '2023-12-08', 3]];
const budgets = [];
for (const [from, to, date, nights] of stops) {
  budgets.push(await budget_calculator(await cheapestFlight(from, to, date), await bestRatedHotel(to), nights));
}
console.log(await sum(budgets));`),

  ...webOracles(),
};

function webOracles(): Record<string, string> {
  const oracles: Record<string, string> = {};
  for (const item of ["Legendary Wand", "Legendary Potion", "Legendary Spellbook", "Legendary Crystal Ball"]) {
    oracles[`web_browsing/price_of_${snake(item)}`] = web(`console.log(price(${JSON.stringify(item)}));`);
  }
  const fields: Array<[string, string]> = [
    ["email", "email"],
    ["department", "department"],
    ["phone_number", "phone"],
    ["expertise", "expertise"],
  ];
  for (const [task, field] of fields) {
    for (const name of ["Allison Hill", "Meredith Barnes", "Kimberly Dudley", "Henry Santiago"]) {
      oracles[`web_browsing/${task}_of_${snake(name)}`] = web(`console.log(person(${JSON.stringify(name)}).${field});`);
    }
  }
  const totals = [
    ["Legendary Wand", "Enchanted Potion", "Magical Spellbook"],
    ["Mystical Crystal Ball", "Rare Crystal Ball", "Magical Spellbook"],
    ["Ancient Wand", "Mystical Wand", "Enchanted Potion"],
    ["Mystical Crystal Ball", "Rare Crystal Ball", "Magical Spellbook", "Mystical Potion"],
  ];
  totals.forEach((items, index) => {
    oracles[`web_browsing/total_price_of_selected_items_${index}`] = totalPrice(items, false);
  });
  const discounted = [
    ["Legendary Wand", "Enchanted Potion", "Magical Spellbook"],
    ["Mystical Crystal Ball", "Magical Spellbook"],
    ["Ancient Wand", "Enchanted Potion"],
    ["Ancient Crystal Ball", "Rare Wand"],
  ];
  discounted.forEach((items, index) => {
    oracles[`web_browsing/total_price_of_selected_items_after_discount_${index}`] = totalPrice(items, true);
  });
  for (const department of ["Sales", "Customer Support"]) {
    oracles[`web_browsing/people_in_${snake(department)}`] = web(
      `console.log(people.filter((entry) => entry.department === ${JSON.stringify(department)}).length);`
    );
  }
  const phones: Array<[string, string]> = [
    ["Thomas Ramos", "432-867-7360"],
    ["James House", "+1-972-434-3098x05009"],
    ["Jordan York", "(719)639-9091x6998"],
    ["Mike Allen", "310-579-9118x38425"],
  ];
  for (const [name, phone] of phones) {
    oracles[`web_browsing/match_phone_number_to_person_${snake(name)}`] = web(
      `console.log(people.find((entry) => entry.phone === ${JSON.stringify(phone)}).name);`
    );
  }
  return oracles;
}

function snake(text: string): string {
  return text.toLowerCase().replace(/ /g, "_");
}
