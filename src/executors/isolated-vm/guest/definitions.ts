/**
 * The session's code that travels: top-level functions and classes kept as
 * their exact source, replayed into a new isolate (after a restart or on
 * another worker), and the class instances among the variables.
 *
 * A definition is kept only while it is exact: the global still holds the
 * very function its cell's top-level source created (its source text
 * matches), nothing was added to it or its prototype outside that source,
 * and a top-level function's only scope is the global one (cells are
 * transformed so), so evaluating the source again at global scope
 * recreates it. Anything else is reported unsaved, by name.
 * Part of the guest runtime's source (see runtime.ts): evaluated inside the
 * isolate, never in the host.
 */
export const GUEST_DEFINITIONS = String.raw`
// name -> { fn, source, order, isClass }, null prototype: names are user data
let codeDefinitions = { __proto__: null };
let definitionOrder = 0;
const PRIVATE_NAME = ownPattern(/#[A-Za-z_$]/);
const OWN_FUNCTION_KEYS = { __proto__: null, length: true, name: true, prototype: true, arguments: true, caller: true };

function ownValue(owner, key) {
  const d = ObjectGetOwnPropertyDescriptor(owner, key);
  return d && ObjectHasOwn(d, "value") ? d.value : undefined;
}

function keepDefinition(name, fn, source) {
  codeDefinitions[name] = { __proto__: null, fn, source, order: ++definitionOrder, isClass: stringStartsWith(source, "class") };
}

/** After a cell: its top-level functions and classes whose global still holds exactly what the source made. */
function recordDefinitions(candidates) {
  if (!ArrayIsArray(candidates)) return;
  for (let i = 0; i < candidates.length; i++) {
    const name = candidates[i][0], source = candidates[i][1];
    if (typeof name !== "string" || typeof source !== "string" || source.length > maxVariableChars) continue;
    const fn = ownValue(G, name);
    if (typeof fn === "function" && ReflectApply(FunctionToString, fn, []) === source) keepDefinition(name, fn, source);
  }
}

/** A member defined by the class body itself (its functions' source lies inside the class's source). */
function memberOfSource(owner, key, source) {
  const d = ObjectGetOwnPropertyDescriptor(owner, key);
  if (!d) return false;
  const parts = ObjectHasOwn(d, "value") ? [d.value] : [d.get, d.set];
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i];
    if (part === undefined) continue;
    if (typeof part === "function") {
      if (!stringIncludes(source, ReflectApply(FunctionToString, part, []))) return false;
    } else if (typeof key !== "string" || !stringIncludes(source, "static " + key)) {
      return false; // a static field: its initial value comes from the source
    }
  }
  return true;
}

/** Still exactly what its source creates: nothing added to the function or its prototype since. */
function definitionHolds(definition) {
  const fn = definition.fn;
  const keys = ReflectOwnKeys(fn);
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i];
    if (typeof key === "string" && OWN_FUNCTION_KEYS[key] === true) continue;
    if (!definition.isClass || !memberOfSource(fn, key, definition.source)) return false;
  }
  const proto = ownValue(fn, "prototype");
  if (proto === null || typeof proto !== "object") return true;
  const protoKeys = ReflectOwnKeys(proto);
  for (let i = 0; i < protoKeys.length; i++) {
    const key = protoKeys[i];
    if (key === "constructor") { if (ownValue(proto, key) !== fn) return false; continue; }
    if (!definition.isClass || !memberOfSource(proto, key, definition.source)) return false;
  }
  return true;
}

/** The definitions still in effect, in definition order; stale ones are forgotten. */
function definitionsInEffect() {
  const kept = [];
  const names = ObjectKeys(codeDefinitions);
  for (let i = 0; i < names.length; i++) {
    const definition = codeDefinitions[names[i]];
    if (ownValue(G, names[i]) !== definition.fn) { delete codeDefinitions[names[i]]; continue; }
    if (definitionHolds(definition)) pushTo(kept, [names[i], definition]);
  }
  ReflectApply(ArraySort, kept, [(a, b) => a[1].order - b[1].order]);
  return kept;
}

/**
 * The class whose instances have this prototype, if they can be rebuilt
 * from their own data: every prototype up the chain belongs to a kept
 * definition, none with private fields (not visible from outside).
 */
function replayableClassOf(proto, inEffect) {
  let className = null;
  for (let p = proto; p !== ObjectPrototype; p = ObjectGetPrototypeOf(p)) {
    if (p === null) return null;
    let owner = null;
    for (let i = 0; i < inEffect.length; i++) {
      if (ownValue(inEffect[i][1].fn, "prototype") === p) { owner = inEffect[i]; break; }
    }
    if (owner === null || matches(PRIVATE_NAME, owner[1].source)) return null;
    if (className === null) className = owner[0];
  }
  return className;
}

/**
 * Replays definitions into this new isolate, in order; one that fails (it
 * needs a later one, e.g. a base class) is retried while others succeed.
 * Returns [restored names, [name, reason] of the lost ones].
 */
function replayDefinitions(code) {
  const restored = [];
  const lost = [];
  let pending = ArrayIsArray(code) ? code : [];
  const reasons = { __proto__: null };
  for (let progress = true; pending.length > 0 && progress; ) {
    progress = false;
    const next = [];
    for (let i = 0; i < pending.length; i++) {
      const name = pending[i].name, source = pending[i].source;
      if (typeof name !== "string" || typeof source !== "string" || !matches(IDENTIFIER, name) ||
          name === "__proto__" || ReflectApply(SetHas, baseline, [name])) continue;
      try {
        const fn = indirectEval("(" + source + "\n)");
        if (typeof fn !== "function" || ReflectApply(FunctionToString, fn, []) !== source) {
          throw new TypeErrorCtor("the saved source is not one function or class");
        }
        ObjectDefineProperty(G, name, { __proto__: null, value: fn, writable: true, configurable: true, enumerable: true });
        keepDefinition(name, fn, source);
        pushTo(restored, name);
        progress = true;
      } catch (error) {
        const described = describeError(error);
        reasons[name] = described.name + ": " + stringSlice(described.message, 0, 200);
        pushTo(next, pending[i]);
      }
    }
    pending = next;
  }
  for (let i = 0; i < pending.length; i++) pushTo(lost, [pending[i].name, reasons[pending[i].name]]);
  return [restored, lost];
}

/** Gives restored values their classes back; returns [name, reason] for variables that could not get them. */
function restoreInstances(instances, restoredVariables) {
  const lost = [];
  if (instances === null || typeof instances !== "object") return lost;
  const names = ObjectKeys(instances);
  for (let i = 0; i < names.length; i++) {
    const name = names[i];
    if (!ReflectApply(ArrayIncludes, restoredVariables, [name])) continue;
    const locations = instances[name];
    let failure = ArrayIsArray(locations) ? null : "no locations";
    // deepest first would not matter: a prototype swap never moves data
    for (let k = 0; failure === null && k < locations.length; k++) {
      const location = locations[k];
      const definition = codeDefinitions[location.className];
      if (!definition || ownValue(G, location.className) !== definition.fn) { failure = "its class " + location.className + " could not be rebuilt"; break; }
      let target = ownValue(G, name);
      const path = ArrayIsArray(location.path) ? location.path : [];
      for (let step = 0; target !== null && typeof target === "object" && step < path.length; step++) target = ownValue(target, path[step]);
      if (target === null || typeof target !== "object") { failure = "an instance of " + location.className + " was not where it was saved"; break; }
      ObjectSetPrototypeOf(target, ownValue(definition.fn, "prototype"));
    }
    if (failure !== null) {
      delete G[name];
      pushTo(lost, [name, failure]);
    }
  }
  return lost;
}
`;
