import { z } from "zod";
import { loadWebPages, type WebPage } from "../data.js";
import { calculatorTool } from "./trade-calculator.js";
import { defineTool, type M3ToolDefinition } from "./define.js";

/** Lines shown per view. */
export const LINES_PER_VIEW = 5;
const RULE = "-".repeat(10);

/** The benchmark's stateful text browser over the synthetic shop site. */
export class WebBrowser {
  readonly #pages: Map<string, WebPage>;
  #current: WebPage;
  #history: WebPage[] = [];
  #lines: string[];
  #scrollPosition = 0;

  constructor(pages: readonly WebPage[] = loadWebPages(), startPage = "/") {
    this.#pages = new Map(pages.map((page) => [page.name, page]));
    const start = this.#pages.get(startPage);
    if (!start) throw new Error(`no page named ${startPage}`);
    this.#current = start;
    this.#lines = start.content.split("\n");
  }

  #open(page: WebPage): void {
    this.#current = page;
    this.#lines = page.content.split("\n");
    this.#scrollPosition = 0;
  }

  /** Opens any existing page by name (single quotes are removed first). */
  clickUrl(url: string): string {
    const name = url.replace(/'/g, "");
    const page = this.#pages.get(name);
    if (!page) return "[URL not found.]";
    this.#history.push(this.#current);
    this.#open(page);
    return `[Opened page: ${name}]\n${this.view()}`;
  }

  goToPreviousPage(): string {
    const previous = this.#history.pop();
    if (!previous) return "[No previous page.]";
    this.#open(previous);
    return `[Opened page: ${previous.name}]\n${this.view()}`;
  }

  scrollDown(): string {
    if (this.#scrollPosition + LINES_PER_VIEW < this.#lines.length) {
      this.#scrollPosition += LINES_PER_VIEW;
      return this.view();
    }
    return "[Reached the bottom of the page.]\n";
  }

  scrollUp(): string {
    if (this.#scrollPosition > 0) {
      this.#scrollPosition -= LINES_PER_VIEW;
      return this.view();
    }
    return "[Reached the top of the page.]\n";
  }

  view(): string {
    const start = this.#scrollPosition;
    const total = this.#lines.length;
    const paged = total > LINES_PER_VIEW;
    const pageNumber = paged ? Math.floor(start / LINES_PER_VIEW) + 1 : 1;
    // Upstream's count: a 10-line page says "of 3".
    const pageCount = paged ? Math.floor(total / LINES_PER_VIEW) + 1 : 1;
    const name = this.#current.name ? `[Web Page Name: ${this.#current.name}]\n` : "";
    const lines = this.#lines.slice(start, start + LINES_PER_VIEW).join("\n");
    return `${RULE}\n${name}[Viewing page ${pageNumber} of ${pageCount}]\n\n${lines}\n${RULE}`;
  }
}

/** The web domain's tools over one new browser (state is per task). */
export function webBrowsingTools(): readonly M3ToolDefinition[] {
  const browser = new WebBrowser();
  const none = z.object({});
  return [
    defineTool({
      name: "click_url",
      schema: z.object({ url: z.string() }),
      run: ({ url }) => browser.clickUrl(url),
    }),
    defineTool({ name: "go_to_previous_page", schema: none, run: () => browser.goToPreviousPage() }),
    defineTool({ name: "scroll_down", schema: none, run: () => browser.scrollDown() }),
    defineTool({ name: "scroll_up", schema: none, run: () => browser.scrollUp() }),
    defineTool({ name: "view", schema: none, run: () => browser.view() }),
    calculatorTool(),
  ];
}
