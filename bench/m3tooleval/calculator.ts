/**
 * The benchmark's `calculator(expression)` tool: upstream calls Python's
 * `eval`; this is a small parser with Python's arithmetic instead (never
 * `eval`): `+ - * / // % **`, unary `+ - ~`, parentheses, int literals
 * (exact, as `bigint`), float literals, and the builtins `abs`, `round`,
 * `min`, `max`, `pow`, `int`, `float`, `sum` with list literals.
 *
 * Precedence (lowest first): `+ -`, then `* / // %`, then unary `+ - ~`,
 * then `**` (right-associative, and binding tighter than a unary minus on its
 * left: `-2**2 == -4`, `2**-1 == 0.5`).
 */
import { formatPythonFloat } from "./python-values.js";

/** A Python number: an exact int or a float. */
export type PyNumber = { kind: "int"; value: bigint } | { kind: "float"; value: number };

/** Why an expression could not be evaluated (Python would raise). */
export class CalculatorError extends Error {
  override name = "CalculatorError";
}

/** Largest exponent an int power may have before we refuse (Python would compute it slowly). */
const MAX_INT_EXPONENT_BITS = 100_000n;

/** Evaluates `expression` with Python semantics; throws {@link CalculatorError}. */
export function evaluatePythonExpression(expression: string): PyNumber {
  const tokens = tokenize(expression);
  const parser = new ExpressionParser(tokens);
  const value = parser.parseExpression();
  parser.expectEnd();
  if (Array.isArray(value)) throw new CalculatorError("a list is not a number");
  return value;
}

/** Python's `str()` of a number: `7`, `7.0`, `0.30000000000000004`, `1e+16`. */
export function formatPythonNumber(number: PyNumber): string {
  return number.kind === "int" ? number.value.toString() : formatPythonFloat(number.value);
}

/** The number as a JS number (ints beyond 2**53 lose precision). */
export function pyNumberToNumber(number: PyNumber): number {
  return number.kind === "int" ? Number(number.value) : number.value;
}

/** The text upstream returns when `eval` raised. */
export function calculatorFailure(expression: string): string {
  return `Failed to evaluate expression: ${expression}`;
}

type Token =
  | { type: "number"; value: PyNumber }
  | { type: "operator"; value: string }
  | { type: "name"; value: string };

const OPERATORS = ["**", "//", "+", "-", "*", "/", "%", "~", "(", ")", "[", "]", ","];

function tokenize(expression: string): Token[] {
  const tokens: Token[] = [];
  let position = 0;
  while (position < expression.length) {
    const rest = expression.slice(position);
    const space = /^\s+/.exec(rest);
    if (space) {
      position += space[0].length;
      continue;
    }
    const number =
      /^(?:\d+(?:_\d+)*)?\.\d+(?:_\d+)*(?:[eE][+-]?\d+)?|^\d+(?:_\d+)*\.?(?:[eE][+-]?\d+)?/.exec(rest);
    if (number) {
      const text = number[0].replace(/_/g, "");
      if (/^\d+$/.test(text)) {
        if (/^0\d/.test(text) && /[1-9]/.test(text)) {
          throw new CalculatorError("leading zeros in decimal integer literals are not permitted");
        }
        tokens.push({ type: "number", value: { kind: "int", value: BigInt(text) } });
      } else {
        tokens.push({ type: "number", value: { kind: "float", value: Number(text) } });
      }
      position += number[0].length;
      continue;
    }
    const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(rest);
    if (name) {
      tokens.push({ type: "name", value: name[0] });
      position += name[0].length;
      continue;
    }
    const operator = OPERATORS.find((candidate) => rest.startsWith(candidate));
    if (!operator) throw new CalculatorError(`invalid syntax at '${rest.slice(0, 10)}'`);
    tokens.push({ type: "operator", value: operator });
    position += operator.length;
  }
  return tokens;
}

type Value = PyNumber | Value[];

class ExpressionParser {
  #tokens: Token[];
  #index = 0;

  constructor(tokens: Token[]) {
    this.#tokens = tokens;
  }

  expectEnd(): void {
    if (this.#index < this.#tokens.length) throw new CalculatorError("invalid syntax");
  }

  #peekOperator(): string | undefined {
    const token = this.#tokens[this.#index];
    return token?.type === "operator" ? token.value : undefined;
  }

  #take(operator: string): boolean {
    if (this.#peekOperator() !== operator) return false;
    this.#index += 1;
    return true;
  }

  parseExpression(): Value {
    let left = this.#parseTerm();
    for (;;) {
      const operator = this.#peekOperator();
      if (operator !== "+" && operator !== "-") return left;
      this.#index += 1;
      left = binary(operator, left, this.#parseTerm());
    }
  }

  #parseTerm(): Value {
    let left = this.#parseUnary();
    for (;;) {
      const operator = this.#peekOperator();
      if (operator !== "*" && operator !== "/" && operator !== "//" && operator !== "%") return left;
      this.#index += 1;
      left = binary(operator, left, this.#parseUnary());
    }
  }

  #parseUnary(): Value {
    const operator = this.#peekOperator();
    if (operator === "-" || operator === "+" || operator === "~") {
      this.#index += 1;
      const operand = number(this.#parseUnary());
      if (operator === "+") return operand;
      if (operator === "~") {
        if (operand.kind !== "int") throw new CalculatorError("bad operand type for unary ~: 'float'");
        return { kind: "int", value: -operand.value - 1n };
      }
      return operand.kind === "int"
        ? { kind: "int", value: -operand.value }
        : { kind: "float", value: -operand.value };
    }
    return this.#parsePower();
  }

  #parsePower(): Value {
    const base = this.#parsePrimary();
    // Right-associative, and the exponent may carry its own unary sign.
    if (this.#take("**")) return power(number(base), number(this.#parseUnary()));
    return base;
  }

  #parsePrimary(): Value {
    const token = this.#tokens[this.#index];
    if (!token) throw new CalculatorError("unexpected end of expression");
    this.#index += 1;
    if (token.type === "number") return token.value;
    if (token.type === "name") {
      if (!this.#take("(")) throw new CalculatorError(`name '${token.value}' is not defined`);
      const args = this.#parseArguments(")");
      return callBuiltin(token.value, args);
    }
    if (token.value === "(") {
      const inner = this.parseExpression();
      if (!this.#take(")")) throw new CalculatorError("'(' was never closed");
      return inner;
    }
    if (token.value === "[") return this.#parseArguments("]");
    throw new CalculatorError(`invalid syntax at '${token.value}'`);
  }

  #parseArguments(close: string): Value[] {
    const items: Value[] = [];
    while (!this.#take(close)) {
      items.push(this.parseExpression());
      if (this.#take(close)) break;
      if (!this.#take(",")) throw new CalculatorError("invalid syntax: expected ','");
    }
    return items;
  }
}

function number(value: Value): PyNumber {
  if (Array.isArray(value)) throw new CalculatorError("unsupported operand type: 'list'");
  return value;
}

function asFloat(value: PyNumber): number {
  return value.kind === "int" ? Number(value.value) : value.value;
}

function float(value: number): PyNumber {
  return { kind: "float", value };
}

function binary(operator: string, leftValue: Value, rightValue: Value): PyNumber {
  const left = number(leftValue);
  const right = number(rightValue);
  if (left.kind === "int" && right.kind === "int") {
    const a = left.value;
    const b = right.value;
    switch (operator) {
      case "+": return { kind: "int", value: a + b };
      case "-": return { kind: "int", value: a - b };
      case "*": return { kind: "int", value: a * b };
      case "/":
        if (b === 0n) throw new CalculatorError("division by zero");
        return float(Number(a) / Number(b));
      case "//":
        if (b === 0n) throw new CalculatorError("integer division or modulo by zero");
        return { kind: "int", value: floorDivide(a, b) };
      case "%":
        if (b === 0n) throw new CalculatorError("integer division or modulo by zero");
        return { kind: "int", value: a - b * floorDivide(a, b) };
    }
  }
  const a = asFloat(left);
  const b = asFloat(right);
  switch (operator) {
    case "+": return float(a + b);
    case "-": return float(a - b);
    case "*": return float(a * b);
    case "/":
      if (b === 0) throw new CalculatorError("float division by zero");
      return float(a / b);
    case "//":
    case "%": {
      if (b === 0) throw new CalculatorError("float divmod()");
      const [quotient, remainder] = floatDivmod(a, b);
      return float(operator === "//" ? quotient : remainder);
    }
  }
  throw new CalculatorError(`unknown operator ${operator}`);
}

function floorDivide(a: bigint, b: bigint): bigint {
  const quotient = a / b;
  // BigInt division truncates; Python floors (the remainder takes b's sign).
  return a % b !== 0n && (a < 0n) !== (b < 0n) ? quotient - 1n : quotient;
}

// CPython's float divmod: the remainder has the divisor's sign.
function floatDivmod(a: number, b: number): [number, number] {
  let remainder = a % b;
  let division = (a - remainder) / b;
  if (remainder !== 0) {
    if (b < 0 !== remainder < 0) {
      remainder += b;
      division -= 1;
    }
  } else {
    remainder = b < 0 ? -0 : 0;
  }
  let quotient: number;
  if (division !== 0) {
    quotient = Math.floor(division);
    if (division - quotient > 0.5) quotient += 1;
  } else {
    quotient = a / b < 0 ? -0 : 0;
  }
  return [quotient, remainder];
}

function power(base: PyNumber, exponent: PyNumber): PyNumber {
  if (base.kind === "int" && exponent.kind === "int") {
    if (exponent.value >= 0n) {
      const magnitude = base.value < 0n ? -base.value : base.value;
      if (magnitude > 1n && exponent.value * BigInt(magnitude.toString(2).length) > MAX_INT_EXPONENT_BITS) {
        throw new CalculatorError("result too large");
      }
      return { kind: "int", value: base.value ** exponent.value };
    }
    if (base.value === 0n) throw new CalculatorError("0.0 cannot be raised to a negative power");
    return float(Number(base.value) ** Number(exponent.value));
  }
  const a = asFloat(base);
  const b = asFloat(exponent);
  if (a === 0 && b < 0) throw new CalculatorError("0.0 cannot be raised to a negative power");
  // Python returns a complex number here; the calculator's callers want reals.
  if (a < 0 && !Number.isInteger(b)) throw new CalculatorError("complex result");
  const result = a ** b;
  if (!Number.isFinite(result) && Number.isFinite(a) && Number.isFinite(b)) {
    throw new CalculatorError("(34, 'Numerical result out of range')");
  }
  return float(result);
}

function numbersOf(name: string, args: Value[]): PyNumber[] {
  // min([1, 2]) and min(1, 2) both work, as in Python.
  const items = args.length === 1 && Array.isArray(args[0]) ? args[0] : args;
  if (items.length === 0) throw new CalculatorError(`${name}() arg is an empty sequence`);
  return items.map(number);
}

function compare(a: PyNumber, b: PyNumber): number {
  if (a.kind === "int" && b.kind === "int") return a.value < b.value ? -1 : a.value > b.value ? 1 : 0;
  return asFloat(a) - asFloat(b);
}

function callBuiltin(name: string, args: Value[]): Value {
  switch (name) {
    case "abs": {
      const [value] = args.map(number);
      if (!value || args.length !== 1) throw new CalculatorError("abs() takes exactly one argument");
      return value.kind === "int"
        ? { kind: "int", value: value.value < 0n ? -value.value : value.value }
        : float(Math.abs(value.value));
    }
    case "min":
    case "max": {
      const values = numbersOf(name, args);
      return values.reduce((best, value) => {
        const order = compare(value, best);
        return (name === "min" ? order < 0 : order > 0) ? value : best;
      });
    }
    case "sum": {
      const [items, start] = args;
      if (!Array.isArray(items)) throw new CalculatorError("sum() needs an iterable");
      return items.map(number).reduce<PyNumber>(
        (total, value) => binary("+", total, value),
        start === undefined ? { kind: "int", value: 0n } : number(start)
      );
    }
    case "pow": {
      const [base, exponent] = args.map(number);
      if (!base || !exponent || args.length !== 2) throw new CalculatorError("pow() takes 2 arguments");
      return power(base, exponent);
    }
    case "int": {
      const [value] = args.map(number);
      if (!value) return { kind: "int", value: 0n };
      if (value.kind === "int") return value;
      if (!Number.isFinite(value.value)) throw new CalculatorError("cannot convert float to integer");
      return { kind: "int", value: BigInt(Math.trunc(value.value)) };
    }
    case "float": {
      const [value] = args.map(number);
      return float(value ? asFloat(value) : 0);
    }
    case "round": {
      const [value, digits] = args.map(number);
      if (!value) throw new CalculatorError("round() missing required argument 'number'");
      return round(value, digits);
    }
  }
  throw new CalculatorError(`name '${name}' is not defined`);
}

// Python rounds half to even, on the exact binary value.
function round(value: PyNumber, digits: PyNumber | undefined): PyNumber {
  if (digits === undefined) {
    if (value.kind === "int") return value;
    return { kind: "int", value: BigInt(roundHalfEven(value.value)) };
  }
  const places = Number(number(digits).kind === "int" ? digits.value : Math.trunc(asFloat(digits)));
  if (value.kind === "int") {
    if (places >= 0) return value;
    const unit = 10n ** BigInt(-places);
    const quotient = floorDivide(value.value, unit);
    const remainder = value.value - quotient * unit;
    const twice = remainder * 2n;
    const up = twice > unit || (twice === unit && quotient % 2n !== 0n);
    return { kind: "int", value: (up ? quotient + 1n : quotient) * unit };
  }
  if (!Number.isFinite(value.value)) return value;
  // toFixed works on the exact binary value, like CPython's correctly rounded
  // dtoa, except for exact ties, which it rounds away from zero.
  const fixed = Number(value.value.toFixed(Math.max(0, Math.min(places, 100))));
  if (places < 0) {
    const unit = 10 ** -places;
    return float(roundHalfEven(value.value / unit) * unit);
  }
  return float(fixed);
}

function roundHalfEven(value: number): number {
  const floor = Math.floor(value);
  const difference = value - floor;
  if (difference > 0.5) return floor + 1;
  if (difference < 0.5) return floor;
  return floor % 2 === 0 ? floor : floor + 1;
}
