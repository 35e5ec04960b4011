/** The file name the guest runtime's code carries in stack traces (and is cut from them by). */
export const GUEST_RUNTIME_FILENAME = "codeact-runtime.js";
