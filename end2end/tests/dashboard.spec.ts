import { Page } from "@playwright/test";
import { test, expect, hydrated, openPage, signIn } from "./fixtures";

const ADMIN = "theater.admin@demo.district.test";

/** The day `days` from now, as a date input takes it. */
function day(days: number): string {
  return new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
}

/** Every seat of the map on the page: its label, grid cell, category and kind. */
async function seats(page: Page, scope: string) {
  return page.locator(`${scope} input[data-seat]`).evaluateAll((all) =>
    all
      .map((i) => `${i.getAttribute("data-seat")}@${i.getAttribute("data-r")},${i.getAttribute("data-c")}:${i.getAttribute("data-category")}:${/wheelchair|companion/.exec(i.getAttribute("aria-label") ?? "")?.[0] ?? "standard"}`)
      .sort(),
  );
}

/** The dashboard page of the demo admin's theater. */
async function myTheater(page: Page): Promise<string> {
  await signIn(page, "/dashboard", ADMIN);
  await hydrated(page);
  await page.getByTestId("my-theaters").getByRole("link").first().click();
  await expect(page).toHaveURL(/\/dashboard\/theaters\/[0-9a-f-]{36}$/);
  return new URL(page.url()).pathname;
}

test("a theater admin draws a screen, schedules a week of shows, and moviegoers see the seats drawn", async ({ page }) => {
  const theater = await myTheater(page);
  const name = `Audi ${Date.now() % 100000}`;

  await page.goto(`${theater}/screens/new`);
  await hydrated(page);
  await page.getByLabel("Name", { exact: true }).fill(name);
  await page.getByTestId("grid-rows").fill("3");
  await page.getByTestId("grid-rows").press("Tab");
  await page.getByTestId("grid-columns").fill("6");
  await page.getByTestId("grid-columns").press("Tab");
  await expect(page.locator("[data-testid=editor-grid] button")).toHaveCount(18);

  // A premium category for the back row, above the first one.
  await page.getByLabel("New category").fill("Recliner");
  await page.getByRole("button", { name: "Add", exact: true }).click();
  await page.getByRole("button", { name: "Move Recliner up" }).click();
  for (let c = 0; c < 6; c++) await page.locator(`#cell-2-${c}`).click();
  // An aisle down the middle.
  await page.getByTestId("brushes").getByLabel("Aisle or gap").check();
  for (let r = 0; r < 3; r++) await page.locator(`#cell-${r}-2`).click();
  // A wheelchair space painted from the keyboard, its companion seat beside it.
  await page.getByTestId("brushes").getByLabel("Wheelchair space").check();
  await page.locator("#cell-0-0").focus();
  await page.keyboard.press("Enter");
  await page.keyboard.press("ArrowRight");
  await expect(page.locator("#cell-0-1")).toBeFocused();
  await page.getByTestId("brushes").getByLabel("Companion seat").check();
  await page.locator("#cell-0-1").click();
  // The back row named as the theater's signs have it.
  await page.getByLabel("Name of grid row 3 (blank: C)").fill("R");
  await page.getByLabel("Name of grid row 3 (blank: C)").press("Tab");

  const preview = await seats(page, "[data-testid=layout-preview]");
  expect(preview).toHaveLength(15);
  expect(preview).toContain("A1@0,0:Classic:wheelchair");
  expect(preview).toContain("A2@0,1:Classic:companion");
  expect(preview).toContain("A3@0,3:Classic:standard");
  expect(preview).toContain("R5@2,5:Recliner:standard");
  const json = JSON.parse(await page.getByTestId("layout-json").inputValue());
  expect(json.categories).toEqual([{ name: "Recliner", rank: 1 }, { name: "Classic", rank: 2 }]);

  await page.getByRole("button", { name: "Add the screen" }).click();
  await expect(page).toHaveURL(new RegExp(`${theater}/screens$`));
  const card = page.getByTestId("screen").filter({ hasText: name });
  await expect(card).toContainText("15 seats");

  // A week of shows, twice a day.
  await page.goto(`${theater}/schedule`);
  await hydrated(page);
  // The first screen's form stays until the new screen's arrives (it has a Recliner too):
  // fill only the new one.
  const screenLink = page.getByRole("link", { name: new RegExp(`^${name} `) });
  await screenLink.click();
  await expect(screenLink).toHaveAttribute("aria-current", "page");
  await expect(page.getByLabel("Recliner")).toBeVisible();
  const movie = await page.getByLabel("Movie").locator("option").first().textContent();
  const language = /; ([^,)]+)/.exec(movie!)![1];
  await page.getByLabel("Language").fill(language);
  await page.getByLabel("Classic").fill("200");
  await page.getByLabel("Recliner").fill("450");
  await page.getByLabel("From").fill(day(2));
  await page.getByLabel("To (leave empty for one day)").fill(day(8));
  await page.getByLabel("Times (24-hour, comma separated)").fill("11:00, 20:00");
  await page.getByRole("button", { name: "Put on sale" }).click();
  await expect(page.getByTestId("schedule-outcome")).toContainText("14 shows put on sale, 0 dates skipped.");

  // The same week again: every date is taken, and the form says so.
  await page.getByRole("button", { name: "Put on sale" }).click();
  await expect(page.getByTestId("schedule-outcome")).toContainText("0 shows put on sale, 14 dates skipped.");
  await expect(page.getByTestId("schedule-outcome")).toContainText("the screen has a show then");

  // A moviegoer opens one of them: the seats are the ones drawn.
  await page.goto(`${theater}?date=${day(3)}`);
  const row = page.getByTestId("theater-show").filter({ hasText: name }).first();
  const href = await row.getByRole("link").first().getAttribute("href");
  const moviegoer = await openPage(page.context().browser()!);
  await moviegoer.page.goto(href!);
  await hydrated(moviegoer.page);
  expect(await seats(moviegoer.page, "#seat-grid")).toEqual(preview);
});

test("a theater admin's forms work before the wasm loads", async ({ browser }) => {
  const { page } = await openPage(browser, { javaScriptEnabled: false });
  await signIn(page, "/dashboard", ADMIN);
  await page.getByTestId("my-theaters").getByRole("link").first().click();
  const theater = new URL(page.url()).pathname;

  await page.goto(`${theater}/schedule`);
  const movie = await page.getByLabel("Movie").locator("option").first().textContent();
  await page.getByLabel("Language").fill(/; ([^,)]+)/.exec(movie!)![1]);
  for (const price of await page.locator("input[name^=prices]").all()) await price.fill("250");
  await page.getByLabel("From").fill(day(40));
  await page.getByLabel("Times (24-hour, comma separated)").fill("23:15");
  await page.getByRole("button", { name: "Put on sale" }).click();

  await page.goto(`${theater}?date=${day(40)}`);
  const show = page.getByTestId("theater-show").filter({ hasText: "23:15" });
  await expect(show).toHaveAttribute("data-state", "On sale");
  await show.getByRole("button", { name: "Stop sales" }).click();
  await expect(page.getByTestId("theater-show").filter({ hasText: "23:15" })).toHaveAttribute("data-state", "Sales stopped");
});

test("the dashboard fits a 360 px phone", async ({ browser }) => {
  // Eleven pages, each audited by axe: the layout editor's alone takes about 11 s.
  test.slow();
  const fits = async (page: Page, path: string) => {
    await page.goto(path);
    await hydrated(page);
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    expect(width, `${path} scrolls sideways`).toBeLessThanOrEqual(360);
  };
  const phone = { viewport: { width: 360, height: 740 } };
  const { page } = await openPage(browser, phone);
  const theater = await myTheater(page);
  await page.goto(`${theater}/screens`);
  const editor = await page.getByRole("link", { name: "Edit seat layout" }).first().getAttribute("href");
  for (const path of [theater, `${theater}/schedule`, `${theater}/screens`, `${theater}/screens/new`, editor!, `${theater}/reports`, `${theater}/audit`, "/dashboard/bookings?q=nobody%40example.com"]) {
    await fits(page, path);
  }
  const admin = await openPage(browser, phone);
  await signIn(admin.page, "/dashboard/platform", "admin@demo.district.test");
  for (const path of ["/dashboard/platform", "/dashboard/movies", "/dashboard/movies/new"]) {
    await fits(admin.page, path);
  }
});

test("a platform admin adds a movie with its poster from the dashboard", async ({ page }) => {
  await signIn(page, "/dashboard/movies/new", "admin@demo.district.test");
  const title = `Monsoon Letters ${Date.now() % 100000}`;
  await page.getByLabel("Title").fill(title);
  await page.getByLabel("Runtime (minutes)").fill("131");
  await page.getByLabel("Languages (comma separated)").fill("Hindi, English");
  await page.getByLabel("Certificate").selectOption("UA 13+");
  await page.getByLabel("Release date").fill("2026-12-18");
  // A real 1x1 PNG.
  const png = Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==", "base64");
  await page.getByLabel(/^Poster/).setInputFiles({ name: "poster.png", mimeType: "image/png", buffer: png });
  await page.getByRole("button", { name: "Save movie" }).click();
  await expect(page).toHaveURL(/\/dashboard\/movies\/[0-9a-f-]{36}\?saved=1$/);
  await expect(page.getByRole("status")).toContainText("Saved.");
  const poster = page.getByAltText("The poster now");
  await expect(poster).toHaveAttribute("src", /^\/media\/posters\/[0-9a-f-]{36}\.png$/);
  const image = await page.request.get((await poster.getAttribute("src"))!);
  expect(image.headers()["content-type"]).toBe("image/png");

  // A mistake comes back to the form, named.
  await page.getByLabel("Trailer (YouTube embed address)").fill("https://videos.example/monsoon");
  await page.getByRole("button", { name: "Save movie" }).click();
  await expect(page.getByRole("alert")).toContainText("trailer_url");
});

test("a theater admin works in Hindi: the dashboard and the layout editor hydrate in it, errors too", async ({ page }) => {
  const theater = await myTheater(page);
  await page.goto(`${theater}/screens/new?lang=hi`);
  await hydrated(page);
  await expect(page.locator("html")).toHaveAttribute("lang", "hi");
  await expect(page.getByRole("heading", { name: "स्क्रीन जोड़ें" })).toBeVisible();
  // The editor, running in the browser, speaks Hindi: labels, seats read aloud, the preview.
  await page.getByTestId("grid-rows").fill("2");
  await page.getByTestId("grid-rows").press("Tab");
  await page.getByTestId("grid-columns").fill("3");
  await page.getByTestId("grid-columns").press("Tab");
  await expect(page.locator("[data-testid=editor-grid] button")).toHaveCount(6);
  await expect(page.locator("#cell-0-0")).toHaveAttribute("aria-label", /^पंक्ति 1 कॉलम 1: सीट A1/);
  await page.getByTestId("brushes").getByLabel("रास्ता या ख़ाली जगह").check();
  await page.locator("#cell-0-1").click();
  await expect(page.locator("#cell-0-1")).toHaveAttribute("aria-label", "पंक्ति 1 कॉलम 2: रास्ता");
  await expect(page.getByTestId("layout-preview")).toContainText("पूर्वावलोकन: 5 सीटें");
  // A name too long comes back with the server's error, in Hindi.
  await page.getByLabel("नाम", { exact: true }).fill("x".repeat(61));
  await page.getByRole("button", { name: "यह स्क्रीन जोड़ें" }).click();
  await expect(page.getByTestId("problem").first()).toContainText("1 से 60 अक्षरों का नाम।");
  await expect(page.getByTestId("problem").first()).not.toContainText("characters");
});
