// Stands in for prettier under jest: json-schema-to-typescript loads prettier,
// whose CommonJS entry starts a dynamic import() at load time that jest's
// CommonJS runtime rejects (ERR_VM_DYNAMIC_IMPORT_CALLBACK_MISSING_FLAG),
// crashing the worker. We always compile with `format: false`, so prettier is
// never called. Wire with jest moduleNameMapper: { "^prettier$": "<rootDir>/tests/tools/prettier-stub.cjs" }.
module.exports = {};
