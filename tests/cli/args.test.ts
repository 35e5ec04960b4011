import {
  CliUsageError,
  DEFAULT_CLI_MAX_STEPS,
  DEFAULT_MAX_RETRIES,
  DEFAULT_MODEL,
  MISSING_MODEL_SERVER,
  PLACEHOLDER_API_KEY,
  helpText,
  parseCliArgs,
  resolveCliConfig,
} from "../../src/cli/args.js";
import {
  EXIT_ANSWERED,
  EXIT_FAILED,
  EXIT_INTERRUPTED,
  EXIT_MAX_STEPS,
  EXIT_USAGE,
} from "../../src/cli/exit-codes.js";

describe("parseCliArgs", () => {
  it("has sensible defaults", () => {
    expect(parseCliArgs(["do it"])).toEqual({
      task: "do it",
      json: false,
      stream: true,
      quiet: false,
      trace: false,
      help: false,
      version: false,
    });
  });

  it("joins several positional words into one task", () => {
    expect(parseCliArgs(["what", "is", "2+2?"]).task).toBe("what is 2+2?");
  });

  it("leaves the task undefined without positionals and keeps '-'", () => {
    expect(parseCliArgs(["--json"]).task).toBeUndefined();
    expect(parseCliArgs(["-"]).task).toBe("-");
  });

  it("parses every option", () => {
    const options = parseCliArgs([
      "--model", "qwen",
      "--base-url", "http://127.0.0.1:11434/v1",
      "--max-steps", "5",
      "--timeout-ms", "1500",
      "--memory-limit-mb", "64",
      "--max-retries", "0",
      "--executor", "python",
      "--jupyter-url", "http://127.0.0.1:8888/",
      "--jupyter-token", "secret",
      "--json", "--no-stream", "--quiet", "--trace",
      "task",
    ]);
    expect(options).toEqual({
      task: "task",
      model: "qwen",
      baseUrl: "http://127.0.0.1:11434/v1",
      maxSteps: 5,
      timeoutMs: 1500,
      memoryLimitMb: 64,
      maxRetries: 0,
      executor: "python",
      jupyterUrl: "http://127.0.0.1:8888/",
      jupyterToken: "secret",
      json: true,
      stream: false,
      quiet: true,
      trace: true,
      help: false,
      version: false,
    });
  });

  it("accepts short flags and --option=value", () => {
    const options = parseCliArgs(["-m", "m1", "-q", "-e", "js", "--max-steps=7", "x"]);
    expect(options).toMatchObject({ model: "m1", quiet: true, executor: "javascript", maxSteps: 7 });
    expect(parseCliArgs(["-h"]).help).toBe(true);
    expect(parseCliArgs(["-v"]).version).toBe(true);
  });

  it.each([
    [["--bogus"], /--bogus/],
    [["--max-steps", "0"], /--max-steps must be a whole number of at least 1, got "0"/],
    [["--max-steps", "2.5"], /--max-steps/],
    [["--timeout-ms", "-1"], /--timeout-ms/],
    [["--max-retries", "x"], /--max-retries/],
    [["--executor", "ruby"], /--executor must be "javascript" or "python", got "ruby"/],
    [["--base-url", "not a url"], /--base-url must be an http\(s\) URL/],
    [["--base-url", "ftp://host/v1"], /--base-url must be an http\(s\) URL/],
    [["--model"], /--model/],
  ])("rejects %j", (argv, message) => {
    expect(() => parseCliArgs(argv)).toThrow(CliUsageError);
    expect(() => parseCliArgs(argv)).toThrow(message);
  });
});

describe("resolveCliConfig", () => {
  const options = (argv: string[]) => parseCliArgs([...argv, "task"]);

  it("needs an API key or a base URL, and says how to set both", () => {
    expect(() => resolveCliConfig(options([]), {})).toThrow(MISSING_MODEL_SERVER);
    expect(MISSING_MODEL_SERVER).toContain("OPENAI_API_KEY");
    expect(MISSING_MODEL_SERVER).toContain("--base-url");
    expect(MISSING_MODEL_SERVER).toContain("OPENAI_BASE_URL");
    expect(MISSING_MODEL_SERVER).toMatch(/export OPENAI_API_KEY=/);
    expect(() => resolveCliConfig(options([]), { OPENAI_API_KEY: "  " })).toThrow(CliUsageError);
  });

  it("uses OPENAI_API_KEY and the defaults", () => {
    expect(resolveCliConfig(options([]), { OPENAI_API_KEY: "sk-1" })).toEqual({
      model: DEFAULT_MODEL,
      apiKey: "sk-1",
      maxSteps: DEFAULT_CLI_MAX_STEPS,
      maxRetries: DEFAULT_MAX_RETRIES,
      executor: "javascript",
      sandbox: false,
      images: false,
      outputsDir: expect.stringMatching(/^codeact-outputs\/\d{4}-\d\d-\d\d_\d\d-\d\d-\d\d$/),
      mcpServers: {},
      json: false,
      stream: true,
      quiet: false,
      trace: false,
      debug: false,
    });
  });

  it("takes --images and --outputs-dir", () => {
    const config = resolveCliConfig(options(["--images", "--outputs-dir", "charts"]), { OPENAI_API_KEY: "sk-1" });
    expect(config.images).toBe(true);
    expect(config.outputsDir).toBe("charts");
  });

  it("sends a placeholder key to a base URL without one", () => {
    const config = resolveCliConfig(options(["--base-url", "http://127.0.0.1:1234/v1"]), {});
    expect(config.apiKey).toBe(PLACEHOLDER_API_KEY);
    expect(config.baseUrl).toBe("http://127.0.0.1:1234/v1");
  });

  it("reads OPENAI_BASE_URL, CODEACT_MODEL and CODEACT_DEBUG; options win over the environment", () => {
    const env = {
      OPENAI_BASE_URL: "http://127.0.0.1:1/v1",
      CODEACT_MODEL: "env-model",
      CODEACT_DEBUG: "1",
    };
    const fromEnv = resolveCliConfig(options([]), env);
    expect(fromEnv).toMatchObject({ baseUrl: env.OPENAI_BASE_URL, model: "env-model", debug: true });
    const fromFlags = resolveCliConfig(options(["--base-url", "http://127.0.0.1:2/v1", "-m", "flag-model"]), env);
    expect(fromFlags).toMatchObject({ baseUrl: "http://127.0.0.1:2/v1", model: "flag-model" });
  });

  it("rejects a malformed OPENAI_BASE_URL", () => {
    expect(() => resolveCliConfig(options([]), { OPENAI_BASE_URL: "localhost:11434" })).toThrow(
      /OPENAI_BASE_URL must be an http\(s\) URL/
    );
  });

  it("takes the Jupyter server from options or JUPYTER_URL/JUPYTER_TOKEN for python only", () => {
    const env = { OPENAI_API_KEY: "k", JUPYTER_URL: "http://127.0.0.1:8888/", JUPYTER_TOKEN: "t" };
    expect(resolveCliConfig(options(["-e", "python"]), env)).toMatchObject({
      executor: "python",
      jupyterUrl: "http://127.0.0.1:8888/",
      jupyterToken: "t",
    });
    const javascript = resolveCliConfig(options([]), env);
    expect(javascript.jupyterUrl).toBeUndefined();
    expect(() => resolveCliConfig(options(["--jupyter-url", "http://127.0.0.1:1/"]), env)).toThrow(
      /need --executor python/
    );
    expect(() => resolveCliConfig(options(["-e", "python", "--memory-limit-mb", "64"]), env)).toThrow(
      /a Jupyter server of your own \(--jupyter-url\) or --no-sandbox kernels are limited by their server/
    );
  });

  it("sandboxes the local Python kernels unless --no-sandbox, which fits only a local server", () => {
    const env = { OPENAI_API_KEY: "k" };
    expect(resolveCliConfig(options(["-e", "python"]), env)).toMatchObject({ sandbox: true });
    expect(resolveCliConfig(options(["-e", "python", "--memory-limit-mb", "512"]), env)).toMatchObject({ sandbox: true, memoryLimitMb: 512 });
    expect(resolveCliConfig(options(["-e", "python", "--no-sandbox"]), env)).toMatchObject({ sandbox: false });
    expect(resolveCliConfig(options([]), env)).toMatchObject({ sandbox: false });
    expect(resolveCliConfig(options(["-e", "python"]), { ...env, JUPYTER_URL: "http://127.0.0.1:8888/" })).toMatchObject({ sandbox: false });
    expect(() => resolveCliConfig(options(["--no-sandbox"]), env)).toThrow(/--no-sandbox applies to --executor python/);
    expect(() => resolveCliConfig(options(["-e", "python", "--no-sandbox", "--jupyter-url", "http://127.0.0.1:1/"]), env)).toThrow(
      /applies to the local Jupyter server/
    );
    expect(() => resolveCliConfig(options(["-e", "python", "--no-sandbox", "--memory-limit-mb", "64"]), env)).toThrow(/--no-sandbox kernels/);
  });
});

describe("helpText", () => {
  it("documents every exit code and the configuration variables", () => {
    const help = helpText("1.2.3");
    expect(help).toContain("codeact 1.2.3");
    for (const code of [EXIT_ANSWERED, EXIT_FAILED, EXIT_USAGE, EXIT_MAX_STEPS, EXIT_INTERRUPTED]) {
      expect(help).toMatch(new RegExp(`^\\s+${code}\\s+\\S`, "m"));
    }
    for (const name of ["OPENAI_API_KEY", "OPENAI_BASE_URL", "CODEACT_MODEL", "NO_COLOR", "--max-steps", "--json", "--no-stream"]) {
      expect(help).toContain(name);
    }
  });
});


describe("--mcp", () => {
  const { parseMcpServers, splitCommandLine } = jest.requireActual("../../src/cli/mcp-servers.js") as typeof import("../../src/cli/mcp-servers.js");
  const env = { OPENAI_BASE_URL: "http://127.0.0.1:1/v1" };

  it("takes command lines and URLs, repeatable, named or with a name made from the package or host", () => {
    const options = parseCliArgs([
      "--mcp", "npx -y @modelcontextprotocol/server-everything",
      "--mcp", "docs=http://127.0.0.1:8000/mcp",
      "--mcp", "https://tools.example.com/mcp",
      "--mcp", "node './my server.js' --verbose",
      "task",
    ]);
    expect(resolveCliConfig(options, env).mcpServers).toEqual({
      everything: { transport: "stdio", command: "npx", args: ["-y", "@modelcontextprotocol/server-everything"] },
      docs: { url: "http://127.0.0.1:8000/mcp" },
      tools: { url: "https://tools.example.com/mcp" },
      my_server: { transport: "stdio", command: "node", args: ["./my server.js", "--verbose"] },
    });
    expect(resolveCliConfig(parseCliArgs(["task"]), env).mcpServers).toEqual({});
  });

  it("keeps two unnamed servers with the same name apart, and refuses two with the same given name", () => {
    expect(Object.keys(parseMcpServers(["npx server-x", "npx server-x"]))).toEqual(["x", "x2"]);
    expect(() => parseMcpServers(["a=npx s", "a=npx t"])).toThrow(CliUsageError);
    expect(() => parseMcpServers(["  "])).toThrow(/needs a command line or an http\(s\) URL/);
    expect(() => parseMcpServers(["node 'open"])).toThrow(/unclosed/);
  });

  it("splits command lines like a shell (quotes and escapes, no expansion)", () => {
    expect(splitCommandLine(`a "b c" 'd "e"' f\\ g "h\\"i" $HOME`)).toEqual(["a", "b c", 'd "e"', "f g", 'h"i', "$HOME"]);
  });
});
