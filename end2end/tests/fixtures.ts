import { test as base, expect, Page } from "@playwright/test";

/** A server function answering a person's mistake (422, 401, 429...) is the app working, not an error. */
function expectedAnswer(text: string, url: string): boolean {
  return /status of 4\d\d/.test(text) && new URL(url).pathname.startsWith("/_fn/");
}

/** Every test fails on an uncaught page error or a console error: that is what a broken wasm looks like. */
export const test = base.extend<{ page: Page }>({
  page: async ({ page }, use) => {
    const problems: string[] = [];
    page.on("pageerror", (err) => problems.push(`page error: ${err.message}`));
    page.on("console", (msg) => {
      if (msg.type() === "error" && !expectedAnswer(msg.text(), msg.location().url)) {
        problems.push(`console error: ${msg.text()} (${msg.location().url})`);
      }
    });
    await use(page);
    expect(problems, problems.join("\n")).toEqual([]);
  },
});

export { expect };

/** Waits until the wasm has hydrated the page (the app marks <body> when it has). */
export async function hydrated(page: Page) {
  await expect(page.locator("body[data-hydrated=true]")).toHaveCount(1);
}
