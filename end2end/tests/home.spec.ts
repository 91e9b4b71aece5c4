import { test, expect, hydrated } from "./fixtures";

test("home lists movies now showing before any wasm runs", async ({ browser }) => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto("/");
  await expect(page).toHaveTitle(/Movies in .+ · District/);
  await expect(page.getByRole("heading", { level: 1 })).toContainText("Now showing in");
  expect(await page.locator("article[data-movie]").count()).toBeGreaterThan(3);

  // The plain form works without JavaScript.
  await page.getByLabel("City").selectOption({ label: "Pune" });
  await page.getByRole("button", { name: "Show movies" }).click();
  await expect(page).toHaveURL(/\?city=pune/);
  await expect(page.getByTestId("city-name")).toHaveText("Pune");
  await context.close();
});

test("the page hydrates and the city picker works without a submit", async ({ page }) => {
  await page.goto("/");
  await hydrated(page);
  await expect(page.getByRole("button", { name: "Show movies" })).toBeHidden();

  await page.getByLabel("City").selectOption({ label: "Chennai" });
  await expect(page).toHaveURL(/\?city=chennai/);
  await expect(page.getByTestId("city-name")).toHaveText("Chennai");
  await expect(page).toHaveTitle("Movies in Chennai · District");
  expect(await page.locator("article[data-movie]").count()).toBeGreaterThan(0);

  // The choice is remembered on the next visit.
  await page.goto("/");
  await expect(page.getByTestId("city-name")).toHaveText("Chennai");
  await expect(page.getByLabel("City")).toHaveValue("chennai");
});

test("posters load and the layout fits a phone", async ({ page }) => {
  await page.setViewportSize({ width: 360, height: 740 });
  await page.goto("/?city=mumbai");
  await hydrated(page);
  const poster = page.locator("article[data-movie] img").first();
  await expect(poster).toBeVisible();
  expect(await poster.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBeGreaterThan(0);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow).toBeLessThanOrEqual(0);
});

test("browse from home to a movie and its showtimes", async ({ page }) => {
  await page.goto("/?city=mumbai");
  await hydrated(page);
  const card = page.locator("article[data-movie]").first();
  const title = (await card.locator("h3").textContent())!.trim();
  await card.click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(title);
  await expect(page).toHaveTitle(new RegExp(`Showtimes in Mumbai`));
  // The video host is a third party: a local stand-in answers for it.
  await page.route("https://www.youtube-nocookie.com/**", (route) =>
    route.fulfill({ contentType: "text/html", body: "<html><body>trailer</body></html>" }),
  );
  await page.getByRole("button", { name: "▶ Play trailer" }).click();
  await expect(page.frameLocator('iframe[title="Trailer"]').locator("body")).toHaveText("trailer");
  const days = page.getByRole("navigation", { name: "Dates" }).getByRole("link");
  await expect(days).toHaveCount(7);
  await days.nth(1).click();
  await expect(days.nth(1)).toHaveAttribute("aria-current", "date");
  await expect(page).toHaveURL(/date=\d{4}-\d{2}-\d{2}/);
  const theaters = page.getByTestId("theater-showtimes");
  if ((await theaters.count()) === 0) {
    await expect(page.getByText("No shows on this day")).toBeVisible();
  } else {
    await expect(theaters.first().locator("[data-show]").first()).toBeVisible();
  }
});

test("search shows results as you type", async ({ page }) => {
  await page.goto("/search");
  await hydrated(page);
  await expect(page.getByRole("button", { name: "Search" })).toBeHidden();
  await page.getByLabel("Title, genre or language").pressSequentially("kaveri nigts");
  await expect(page.getByTestId("search-results").locator("h3").first()).toHaveText("Kaveri Nights");
  await page.getByLabel("Title, genre or language").fill("horror");
  await expect(page.getByTestId("search-results")).toContainText("Ghostwriter Gupta");
});

test("search works as a plain form before any wasm runs", async ({ browser }) => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto("/search");
  await page.getByLabel("Title, genre or language").fill("paper kites");
  await page.getByRole("button", { name: "Search" }).click();
  await expect(page).toHaveURL(/\/search\?q=paper\+kites/);
  await expect(page.getByTestId("search-results").locator("h3").first()).toHaveText("Paper Kites");
  await context.close();
});

test("theaters near me use the browser's location", async ({ browser }) => {
  const context = await browser.newContext({
    geolocation: { latitude: 19.055, longitude: 72.83 },
    permissions: ["geolocation"],
  });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await page.goto("/theaters?city=mumbai");
  await hydrated(page);
  await expect(page.getByTestId("theaters-heading")).toHaveText("Theaters in Mumbai");
  await page.getByRole("button", { name: "Use my location" }).click();
  await expect(page).toHaveURL(/lat=19\.0550&lng=72\.8300/);
  await expect(page.getByTestId("theaters-heading")).toHaveText("Theaters near you");
  await expect(page.getByTestId("theater").first()).toContainText("Galaxy Talkies: Bandra");
  await page.getByTestId("theater").first().getByRole("link").click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Galaxy Talkies: Bandra");
  expect(errors).toEqual([]);
  await context.close();
});
