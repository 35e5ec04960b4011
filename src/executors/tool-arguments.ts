/**
 * The one mapping from a call's positional and keyword arguments to a tool's
 * single input object, shared by the JavaScript tool functions and the
 * Python kernel's tool channel: positional values fill the tool's
 * parameters in order (`HostFunction.parameters`), keywords the rest.
 */

/**
 * The input object for `positional` and `keywords`.
 * @throws TypeError (with a message the code's author can act on) for too
 * many positional values or a value given twice.
 */
export function bindArguments(
  parameters: readonly string[],
  positional: readonly unknown[],
  keywords: Readonly<Record<string, unknown>>
): Record<string, unknown> {
  if (positional.length > parameters.length) {
    throw new TypeError(
      `takes at most ${parameters.length} positional argument(s)${parameters.length > 0 ? ` (${parameters.join(", ")})` : ""}, got ${positional.length}`
    );
  }
  const input: Record<string, unknown> = {};
  positional.forEach((value, index) => {
    const name = parameters[index];
    if (name !== undefined && value !== undefined) input[name] = value;
  });
  for (const [name, value] of Object.entries(keywords)) {
    if (Object.prototype.hasOwnProperty.call(input, name)) throw new TypeError(`got multiple values for argument '${name}'`);
    input[name] = value;
  }
  return input;
}
