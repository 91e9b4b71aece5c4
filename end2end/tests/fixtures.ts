import { test as base, expect, Browser, BrowserContextOptions, Page } from "@playwright/test";
import AxeBuilder from "@axe-core/playwright";

/** A server function answering a person's mistake (422, 401, 409, 429...) is the app working. A
 *  404 or 405 from one means the page called a server function the server does not have. */
function expectedAnswer(text: string, url: string): boolean {
  const status = /status of (4\d\d)/.exec(text)?.[1];
  return status !== undefined && !["404", "405"].includes(status) && new URL(url).pathname.startsWith("/_fn/");
}

/** What went wrong on any page of the running test. */
let problems: string[] = [];

/** Pages the running test opened, audited once more as the test leaves them. */
let opened: Page[] = [];

/** Audits the pages still open and forgets them. */
async function auditOpened() {
  for (const page of opened.splice(0)) await audit(page);
}

/** Pages without JavaScript, where axe cannot run; the tests with JavaScript audit the same
 *  pages. */
const scriptless = new WeakSet<Page>();

/** Records the page's serious and critical accessibility violations (axe-core, WCAG 2.1 A and
 *  AA and axe's best practices), each with up to three of the elements at fault. Swagger UI is
 *  served as its authors ship it and is not audited. */
export async function audit(page: Page) {
  if (page.isClosed() || scriptless.has(page)) return;
  const url = page.url();
  if (!url.startsWith("http") || new URL(url).pathname.startsWith("/swagger/")) return;
  const results = await new AxeBuilder({ page })
    .withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"])
    .analyze();
  for (const v of results.violations) {
    if (v.impact === "serious" || v.impact === "critical") {
      const where = v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join("; ");
      problems.push(`${v.impact} a11y ${v.id} on ${page.url()}: ${v.help} (${where})`);
    }
  }
}

/** Fails the test on an uncaught page error, a console error (what a broken wasm looks like) or
 *  a server function that does not exist, on this page. */
export function guard(page: Page) {
  opened.push(page);
  page.on("pageerror", (err) => problems.push(`page error: ${err.message}`));
  page.on("console", (msg) => {
    if (msg.type() === "error" && !expectedAnswer(msg.text(), msg.location().url)) {
      problems.push(`console error: ${msg.text()} (${msg.location().url})`);
    }
  });
  page.on("response", (response) => {
    const url = new URL(response.url());
    if (url.pathname.startsWith("/_fn/") && [404, 405].includes(response.status())) {
      problems.push(`server function ${url.pathname} answered ${response.status()}`);
    }
  });
}

/** A page of its own (another moviegoer, another browser setting), guarded like the test's. */
export async function openPage(browser: Browser, options: BrowserContextOptions = {}) {
  const context = await browser.newContext(options);
  const page = await context.newPage();
  guard(page);
  if (options.javaScriptEnabled === false) scriptless.add(page);
  // Tests close their own contexts: the pages are audited as they leave, not lost.
  const close = context.close.bind(context);
  context.close = async (reason) => {
    for (const open of context.pages()) await audit(open);
    return close(reason);
  };
  return { context, page };
}

export const test = base.extend<{ page: Page; checked: void }>({
  // Every test, whatever pages it opens, ends with no problem found on any of them.
  checked: [
    async ({}, use) => {
      problems = [];
      opened = [];
      await use();
      await auditOpened();
      expect(problems, problems.join("\n")).toEqual([]);
    },
    { auto: true },
  ],
  page: async ({ page }, use) => {
    guard(page);
    await use(page);
    await auditOpened();
  },
});

export { expect };

/** Waits until the wasm has hydrated the page (the app marks <body> when it has). */
export async function hydrated(page: Page) {
  await expect(page.locator("body[data-hydrated=true]")).toHaveCount(1);
  await audit(page);
}

/** The items of a list answer of the REST API. */
export async function items<T>(page: Page, path: string): Promise<T[]> {
  const answer = await page.request.get(path);
  expect(answer.ok(), `${path}: ${answer.status()}`).toBeTruthy();
  return (await answer.json()).items;
}

/** Seat-map pages of Mumbai shows that start in three hours or more, soonest first. */
export async function showUrls(page: Page): Promise<string[]> {
  const cities = await items<{ id: string; slug: string }>(page, "/api/v1/cities");
  const mumbai = cities.find((c) => c.slug === "mumbai")!;
  const shows = await items<{ id: string; starts_at: string }>(
    page,
    `/api/v1/shows?city_id=${mumbai.id}&per_page=100`,
  );
  const later = Date.now() + 3 * 3600 * 1000;
  const urls = shows
    .filter((s) => Date.parse(s.starts_at) > later)
    .sort((a, b) => Date.parse(a.starts_at) - Date.parse(b.starts_at))
    .map((s) => `/shows/${s.id}`);
  expect(urls.length).toBeGreaterThan(1);
  return urls;
}

export async function signIn(page: Page, next: string, email = "customer@demo.district.test") {
  await page.goto(`/login?next=${encodeURIComponent(next)}`);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill("district-demo");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(new RegExp(`${next}$`));
}
