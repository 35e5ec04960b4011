/**
 * Reference Python code actions, one per task, for the Jupyter executor:
 * the same computations as the JavaScript oracle, calling the tools as
 * Python functions (variadic upstream arguments are one list; the travel
 * tools `min`, `max` and `sum` are `min_`, `max_`, `sum_` in Python, where
 * the agent keeps the builtins).
 */

const FINAL_VALUE = `def final_value(base_price, conversion_rate, tariff_rate):
    converted = convert_currency(base_price, conversion_rate)
    return estimate_final_value(converted, calculate_tariff(converted, tariff_rate))

`;

const TRAVEL = `def cheapest_flight(origin, destination, date):
    return min_(args=[flight["price"] for flight in find_flights(origin, destination, date)])

def cheapest_hotel(location, *preferences):
    return min_(args=[hotel["price_per_night"] for hotel in book_hotel(location=location, preferences=list(preferences))])

def best_rated_hotel(location, *preferences):
    found = book_hotel(location=location, preferences=list(preferences))
    best = found[0]
    for hotel in found:
        if hotel["rating"] > best["rating"]:
            best = hotel
    return best["price_per_night"]

def leg(origin, destination, date, nights, preferences=()):
    return budget_calculator(cheapest_flight(origin, destination, date), cheapest_hotel(destination, *preferences), nights)

`;

const CRAWL = `import re

def view_lines(view):
    lines = view.split("\\n")
    start = next(i for i, line in enumerate(lines) if line.startswith("[Viewing page")) + 2
    return lines[start:len(lines) - 1]

def read_page(url):
    view = click_url(url)
    if view.startswith("[URL not found"):
        return None
    lines = []
    while True:
        lines.extend(view_lines(view))
        view = scroll_down()
        if view.startswith("[Reached the bottom"):
            return lines

pages, queue, seen = {}, ["/"], set()
while queue:
    url = queue.pop(0)
    if url in seen:
        continue
    seen.add(url)
    lines = read_page(url)
    if lines is None:
        # Some links misspell the page name: try "_" and "-" swapped.
        queue.extend(guess for guess in (url.replace("_", "-"), url.replace("-", "_")) if guess not in seen)
        continue
    pages[url] = lines
    for line in lines:
        queue.extend(re.findall(r"\\[Clickable '([^']+)'\\]", line))

people = []
for lines in pages.values():
    match = re.match(r"^(.+) of (.+) Department$", lines[0] if lines else "")
    if match:
        fields = dict(line.split(": ", 1) for line in lines[1:] if ": " in line)
        people.append({"name": match.group(1), "department": match.group(2), "email": fields.get("Email"),
                       "phone": fields.get("Phone"), "expertise": fields.get("Expertise")})

def price(item):
    lines = next(page for page in pages.values() if page and page[0] == "Item: " + item)
    line = next(text for text in lines if text.startswith("Price:"))
    return re.findall(r"\\$([0-9.]+)", line)[-1]

def person(name):
    return next(entry for entry in people if entry["name"] == name)

`;

const py = JSON.stringify;

function decodeChain(hex: string, shift: number): string {
  return `print(caesar_decode(reverse_string(convert_hex_to_ascii(${py(hex)})), ${shift}))`;
}

function totalPrice(items: string[], discount: boolean): string {
  return `${CRAWL}total = 0
for item in ${py(items)}:
    total += float(price(item))
print(${discount ? "total * 0.9" : "total"})`;
}

const snake = (text: string): string => text.toLowerCase().replace(/ /g, "_");

function webOracles(): Record<string, string> {
  const oracles: Record<string, string> = {};
  for (const item of ["Legendary Wand", "Legendary Potion", "Legendary Spellbook", "Legendary Crystal Ball"]) {
    oracles[`web_browsing/price_of_${snake(item)}`] = `${CRAWL}print(price(${py(item)}))`;
  }
  const fields: Array<[string, string]> = [
    ["email", "email"],
    ["department", "department"],
    ["phone_number", "phone"],
    ["expertise", "expertise"],
  ];
  for (const [task, field] of fields) {
    for (const name of ["Allison Hill", "Meredith Barnes", "Kimberly Dudley", "Henry Santiago"]) {
      oracles[`web_browsing/${task}_of_${snake(name)}`] = `${CRAWL}print(person(${py(name)})[${py(field)}])`;
    }
  }
  [
    ["Legendary Wand", "Enchanted Potion", "Magical Spellbook"],
    ["Mystical Crystal Ball", "Rare Crystal Ball", "Magical Spellbook"],
    ["Ancient Wand", "Mystical Wand", "Enchanted Potion"],
    ["Mystical Crystal Ball", "Rare Crystal Ball", "Magical Spellbook", "Mystical Potion"],
  ].forEach((items, index) => {
    oracles[`web_browsing/total_price_of_selected_items_${index}`] = totalPrice(items, false);
  });
  [
    ["Legendary Wand", "Enchanted Potion", "Magical Spellbook"],
    ["Mystical Crystal Ball", "Magical Spellbook"],
    ["Ancient Wand", "Enchanted Potion"],
    ["Ancient Crystal Ball", "Rare Wand"],
  ].forEach((items, index) => {
    oracles[`web_browsing/total_price_of_selected_items_after_discount_${index}`] = totalPrice(items, true);
  });
  for (const department of ["Sales", "Customer Support"]) {
    oracles[`web_browsing/people_in_${snake(department)}`] =
      `${CRAWL}print(len([entry for entry in people if entry["department"] == ${py(department)}]))`;
  }
  const phones: Array<[string, string]> = [
    ["Thomas Ramos", "432-867-7360"],
    ["James House", "+1-972-434-3098x05009"],
    ["Jordan York", "(719)639-9091x6998"],
    ["Mike Allen", "310-579-9118x38425"],
  ];
  for (const [name, phone] of phones) {
    oracles[`web_browsing/match_phone_number_to_person_${snake(name)}`] =
      `${CRAWL}print(next(entry["name"] for entry in people if entry["phone"] == ${py(phone)}))`;
  }
  return oracles;
}

/** Task name → reference Python code action. */
export const PYTHON_ORACLES: Readonly<Record<string, string>> = {
  "message_decoder/full_alien_message_decoding": decodeChain("7a686b7a686d666d686b", 5),
  "message_decoder/shortest_caesar_decoded_message": `lengths = [string_length(caesar_decode(reverse_string(convert_hex_to_ascii(h)), 4)) for h in ['636261', '686766', '6365646362', '6867666865']]
print(minimum_value(lengths))`,
  "message_decoder/longest_decoded_string": `lengths = [string_length(caesar_decode(reverse_string(convert_hex_to_ascii(h)), s)) for h, s in zip(['4a656d', '4b6867', '4c696f'], [2, 3, 5])]
print(maximum_value(lengths))`,
  "message_decoder/specific_decoded_character": decodeChain("576562546563686e6f6c6f6779", 7),
  "message_decoder/hex_caesar_combined_decoding": `print(caesar_decode(convert_hex_to_ascii('4d4f5252'), 2))`,
  "message_decoder/multi_step_decoding_challenge": decodeChain("726f77746e6153794d", 3),
  "message_decoder/length_based_decoding_puzzle": `decoded = [caesar_decode(convert_hex_to_ascii(h), 6) for h in ['646566', '6a6b6c6d', '68696a6b6c']]
print([d for d in decoded if string_length(d) == 5][0])`,
  "message_decoder/maximum_value_decoding": `print(maximum_value([int(reverse_string(caesar_decode(convert_hex_to_ascii(h), 4))) for h in ['313233', '343536', '373839']]))`,

  "cryptobotanists_plant_dna_sequencer/find_most_common_nucleotide_and_transcribe": `counts = count_nucleotides('AGCTAGCCGATGCA')
nucleotide, _ = find_max_nucleotide([x for pair in counts.items() for x in pair])
print(transcribe_dna_to_mrna(nucleotide * 3))`,
  "cryptobotanists_plant_dna_sequencer/validate_transcribe_translate": `dna = 'AGCTTX'
print(translate_mrna_to_amino_acid(transcribe_dna_to_mrna(dna)) if is_valid_dna_sequence(dna) else 'Invalid DNA sequence')`,
  "cryptobotanists_plant_dna_sequencer/reverse_transcribe_count_max_nucleotide": `counts = count_nucleotides(reverse_transcribe_mrna_to_dna('AUGCUUUUC'))
print(find_max_nucleotide([x for pair in counts.items() for x in pair])[0])`,
  "cryptobotanists_plant_dna_sequencer/transcribe_translate_amino_acid_length": `print(len(translate_mrna_to_amino_acid(transcribe_dna_to_mrna('AGCTAGCGTA')).split('-')))`,
  "cryptobotanists_plant_dna_sequencer/reverse_transcribe_palindrome_check": `print(count_nucleotides(reverse_transcribe_mrna_to_dna('AUGCGU')))`,
  "cryptobotanists_plant_dna_sequencer/validate_find_longest_valid_sequence": `print(max([s for s in ['AGCTAG', 'XYZABC', 'GTCAGT'] if is_valid_dna_sequence(s)], key=len))`,
  "cryptobotanists_plant_dna_sequencer/transcribe_translate_find_amino_acid": `print('Methionine' in translate_mrna_to_amino_acid(transcribe_dna_to_mrna('AGCTAGCGTA')))`,
  "cryptobotanists_plant_dna_sequencer/find_most_common_nucleotide_combined_sequence": `counts = count_nucleotides(''.join(['AGCT', 'CCGA', 'TTAG']))
print(tuple(find_max_nucleotide([x for pair in counts.items() for x in pair])))`,

  "trade_calculator/estimate_final_value": `print(estimate_final_value(150, calculate_tariff(150, 7.5)))`,
  "trade_calculator/interstellar_trade_transaction": `${FINAL_VALUE}print(final_value(100 * 50, 1.5, 8))`,
  "trade_calculator/taxed_commodity_export": `${FINAL_VALUE}print(final_value(200 * 120, 2.0, 5))`,
  "trade_calculator/best_trade_route_selection": `${FINAL_VALUE}print(find_minimum([final_value(500, 1.3, 7), final_value(500, 1.4, 9), final_value(500, 1.2, 4)]))`,
  "trade_calculator/most_profitable_conversion_rate": `${FINAL_VALUE}print(find_maximum([final_value(1000 * 300, rate, 10) for rate in [2.5, 2.3, 2.7]]))`,
  "trade_calculator/bulk_trade_quantity_discount": `${FINAL_VALUE}units = 2500
print(final_value(units * 1500 * (0.95 if units >= 2000 else 1), 1.8, 12))`,
  "trade_calculator/comparative_profit_analysis": `${FINAL_VALUE}print(find_maximum([final_value(100 * 300, 1.6, 6), final_value(80 * 500, 1.8, 5)]))`,
  "trade_calculator/fluctuating_conversion_rates_impact": `${FINAL_VALUE}print([final_value(200 * q, r, 7) for q, r in zip([100, 150, 200], [1.7, 1.5, 1.6])])`,
  "trade_calculator/optimal_trade_route_multiple_commodities": `${FINAL_VALUE}print(find_maximum([final_value(150 * 200, 1.7, 8), final_value(250 * 300, 1.5, 5), final_value(100 * 400, 2.0, 10)]))`,
  "trade_calculator/seasonal_price_fluctuation_impact": `${FINAL_VALUE}print([final_value(p * 200, 1.8, 7) for p in [200, 250, 180]])`,
  "trade_calculator/balancing_multiple_trade_offers": `${FINAL_VALUE}print(calculator(f"{final_value(300 * 250, 1.6, 6)} - {final_value(150 * 220, 1.5, 4)}"))`,
  "trade_calculator/dynamic_pricing_strategy": `${FINAL_VALUE}print([final_value(120 * 300 * 1.10, 1.8, 6), final_value(100 * 300, 1.8, 6), final_value(80 * 300 * 0.95, 1.8, 6)])`,
  "trade_calculator/quantity_tariff_tradeoff": `${FINAL_VALUE}print(find_maximum([final_value(200 * 400, 1.7, 10), final_value(150 * 400, 1.7, 5)]))`,
  "trade_calculator/optimizing_bulk_purchase_discounts": `${FINAL_VALUE}print(find_maximum([final_value(u * p * (0.95 if u >= 1000 else 1), 1.6, 7) for p in [150, 180] for u in [950, 1050]]))`,
  "trade_calculator/currency_fluctuation_hedging": `${FINAL_VALUE}print(find_minimum([final_value(500 * 250, r, 8) for r in [1.5, 1.65, 1.8]]))`,
  "trade_calculator/variable_tariff_profit_maximization": `${FINAL_VALUE}print(find_maximum([final_value(400 * 300, 1.7, 6), final_value(350 * 300, 1.7, 4), final_value(450 * 300, 1.7, 7)]))`,
  "trade_calculator/long_term_vs_short_term_trade_decisions": `${FINAL_VALUE}print([final_value(600 * 200, 1.8, 5), final_value(600 * 200 * 1.10, 1.8 - 0.2, 5 + 2)])`,

  "travel_itinerary_planning/plan_trip_to_0": `flight = find_flights('"E"', '"A"', '2023-12-25')[0]
hotel = book_hotel(location='"A"', preferences=['wifi', 'pool'])[0]
print(budget_calculator(flight["price"], hotel["price_per_night"], 5))`,
  "travel_itinerary_planning/cheapest_new_york_trip": `print(min_(args=[budget_calculator(f["price"], h["price_per_night"], 3) for f in find_flights('"E"', '"B"', '2023-11-10') for h in book_hotel('"B"')]))`,
  "travel_itinerary_planning/luxury_tokyo_trip": `${TRAVEL}print(budget_calculator(cheapest_flight('"E"', '"C"', '2023-10-05'), best_rated_hotel('"C"'), 7))`,
  "travel_itinerary_planning/budget_trip_to_paris": `${TRAVEL}print(leg('"E"', '"A"', '2023-12-25', 4))`,
  "travel_itinerary_planning/new_york_trip_with_specific_preferences": `${TRAVEL}prices = [h["price_per_night"] for h in book_hotel(location='"B"', preferences=['gym']) if 'pool' not in h["preferences"]]
print(budget_calculator(cheapest_flight('"E"', '"B"', '2023-11-10'), min_(args=prices), 3))`,
  "travel_itinerary_planning/london_business_trip": `${TRAVEL}print(leg('"E"', '"D"', '2023-08-15', 4, ['wifi']))`,
  "travel_itinerary_planning/last_minute_tokyo_trip": `${TRAVEL}print(leg('"E"', '"C"', '2023-12-01', 3))`,
  "travel_itinerary_planning/new_york_holiday_season": `${TRAVEL}print(leg('"E"', '"B"', '2023-12-15', 7, ['gym', 'pool']))`,
  "travel_itinerary_planning/multi_city_business_trip": `${TRAVEL}print(sum_(args=[leg('"E"', '"B"', '2023-11-10', 2, ['wifi']), leg('"B"', '"C"', '2023-11-13', 3, ['wifi'])]))`,
  "travel_itinerary_planning/leisure_multi_city_trip": `${TRAVEL}print(sum_(args=[leg('"E"', '"A"', '2023-12-25', 3), leg('"A"', '"D"', '2023-12-28', 2)]))`,
  "travel_itinerary_planning/three_city_european_tour": `${TRAVEL}print(sum_(args=[leg('"E"', '"A"', '2023-12-25', 3, ['wifi']), leg('"A"', '"D"', '2023-12-29', 4, ['wifi']), leg('"D"', '"C"', '2024-01-02', 3, ['wifi'])]))`,
  "travel_itinerary_planning/adventure_trip": `${TRAVEL}print(sum_(args=[leg('"E"', '"C"', '2023-12-01', 2, ['pool']), leg('"C"', '"B"', '2023-12-03', 3), leg('"B"', '"D"', '2023-12-06', 2, ['gym'])]))`,
  "travel_itinerary_planning/cultural_exploration_tour": `${TRAVEL}print(sum_(args=[leg('"E"', '"A"', '2023-12-25', 4, ['wifi']), leg('"A"', '"B"', '2023-12-29', 2, ['wifi']), budget_calculator(cheapest_flight('"B"', '"D"', '2024-01-01'), best_rated_hotel('"D"', 'wifi'), 3)]))`,
  "travel_itinerary_planning/leisure_and_business_combo": `${TRAVEL}print(sum_(args=[leg('"E"', '"D"', '2023-08-15', 3, ['wifi', 'gym']), leg('"D"', '"A"', '2023-08-18', 2, ['pool']), leg('"A"', '"C"', '2023-08-20', 2, ['wifi', 'gym'])]))`,
  "travel_itinerary_planning/grand_tour_vacation": `${TRAVEL}stops = [('"E"', '"C"', '2023-12-01', 2), ('"C"', '"D"', '2023-12-03', 3), ('"D"', '"B"', '2023-12-06', 2), ('"B"', '"E"', '2023-12-08', 3)]
print(sum_(args=[budget_calculator(cheapest_flight(o, d, t), best_rated_hotel(d), n) for o, d, t, n in stops]))`,

  ...webOracles(),
};
