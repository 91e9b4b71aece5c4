import type { Page } from "@playwright/test";
import { test, expect, hydrated, items, openPage, signIn } from "./fixtures";

test("home lists movies now showing before any wasm runs", async ({ browser }) => {
  const { context, page } = await openPage(browser, { javaScriptEnabled: false });
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
  // The strip offers the first seven days on which this movie plays in Mumbai, and the last of
  // them lists its showtimes when picked.
  const [movie] = await items<{ id: string }>(page, `/api/v1/movies/search?q=${encodeURIComponent(title)}`);
  const cities = await items<{ id: string; slug: string }>(page, "/api/v1/cities");
  const mumbai = cities.find((c) => c.slug === "mumbai")!;
  const shows = await items<{ starts_at: string }>(
    page,
    `/api/v1/shows?movie_id=${movie.id}&city_id=${mumbai.id}&per_page=100`,
  );
  const inMumbai = (at: string) => new Date(at).toLocaleDateString("en-CA", { timeZone: "Asia/Kolkata" });
  const showDays = [...new Set(shows.map((s) => inMumbai(s.starts_at)))].sort().slice(0, 7);
  expect(showDays.length, "the movie plays in Mumbai").toBeGreaterThan(0);
  const days = page.getByRole("navigation", { name: "Dates" }).getByRole("link");
  await expect(days).toHaveCount(showDays.length);
  await expect(days.first()).toHaveAttribute("aria-current", "date");
  const later = showDays[showDays.length - 1];
  const day = page.getByRole("navigation", { name: "Dates" }).locator(`a[href*="date=${later}"]`);
  await day.click();
  await expect(day).toHaveAttribute("aria-current", "date");
  await expect(page).toHaveURL(new RegExp(`date=${later}`));
  const theaters = page.getByTestId("theater-showtimes");
  await expect(theaters.first().locator("[data-show]").first()).toBeVisible();
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
  const { context, page } = await openPage(browser, { javaScriptEnabled: false });
  await page.goto("/search");
  await page.getByLabel("Title, genre or language").fill("paper kites");
  await page.getByRole("button", { name: "Search" }).click();
  await expect(page).toHaveURL(/\/search\?q=paper\+kites/);
  await expect(page.getByTestId("search-results").locator("h3").first()).toHaveText("Paper Kites");
  await context.close();
});

test("theaters near me use the browser's location", async ({ browser }) => {
  const { context, page } = await openPage(browser, {
    geolocation: { latitude: 19.055, longitude: 72.83 },
    permissions: ["geolocation"],
  });
  await page.goto("/theaters?city=mumbai");
  await hydrated(page);
  await expect(page.getByTestId("theaters-heading")).toHaveText("Theaters in Mumbai");
  await page.getByRole("button", { name: "Use my location" }).click();
  await expect(page).toHaveURL(/lat=19\.0550&lng=72\.8300/);
  await expect(page.getByTestId("theaters-heading")).toHaveText("Theaters near you");
  await expect(page.getByTestId("theater").first()).toContainText("Galaxy Talkies: Bandra");
  await page.getByTestId("theater").first().getByRole("link").click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Galaxy Talkies: Bandra");
  await context.close();
});

test("built files have hashed names, arrive compressed and are cached for a year", async ({ page, request }) => {
  await page.goto("/");
  await hydrated(page);
  const css = await page.locator('link#leptos[rel="stylesheet"]').getAttribute("href");
  expect(css).toMatch(/^\/pkg\/district\.[A-Za-z0-9_-]{22}\.css$/);
  const [wasm] = await wasmLoaded(page);
  expect(wasm).toMatch(/^\/pkg\/district\.[A-Za-z0-9_-]{22}(_bg)?\.wasm$/);
  for (const file of [css!, wasm!]) {
    const reply = await request.get(file, { headers: { "accept-encoding": "br, gzip" } });
    expect(reply.status()).toBe(200);
    expect(reply.headers()["cache-control"]).toBe("public, max-age=31536000, immutable");
    expect(["br", "gzip"]).toContain(reply.headers()["content-encoding"]);
  }
});

/** The wasm files this document has loaded, as the browser's resource timing lists them. */
function wasmLoaded(page: Page): Promise<string[]> {
  return page.evaluate(() =>
    performance
      .getEntriesByType("resource")
      .map((entry) => new URL(entry.name).pathname)
      .filter((path) => path.endsWith(".wasm")),
  );
}

test("the journey to a seat map fetches the main wasm only; the account's and the staff's pages bring their own", async ({ page }) => {
  const aside = expect.stringContaining("/split_aside_");
  const staff = expect.stringContaining("/split_staff_");
  await page.goto("/?city=mumbai");
  await hydrated(page);
  await page.locator("article[data-movie]").first().click();
  await expect(page).toHaveURL(/\/movies\//);
  await page.locator("a[data-show]").first().click();
  await expect(page).toHaveURL(/\/shows\//);
  expect((await wasmLoaded(page)).length, "the main wasm").toBeGreaterThan(0);
  expect(await wasmLoaded(page)).not.toContainEqual(aside);
  expect(await wasmLoaded(page)).not.toContainEqual(staff);

  // Signing in and the account's page come with their own piece, without the staff's.
  await signIn(page, "/account");
  await hydrated(page);
  await expect.poll(() => wasmLoaded(page)).toContainEqual(aside);
  expect(await wasmLoaded(page)).not.toContainEqual(staff);

  // The dashboard's code comes with the dashboard.
  await page.context().clearCookies();
  await signIn(page, "/dashboard", "theater.admin@demo.district.test");
  await hydrated(page);
  await expect(page.getByTestId("my-theaters")).toBeVisible();
  await expect.poll(() => wasmLoaded(page)).toContainEqual(staff);
});

test("pages, the API and static files carry the security headers, and the page hydrates under the CSP", async ({ page }) => {
  const violations: string[] = [];
  await page.exposeFunction("reportViolation", (v: string) => violations.push(v));
  await page.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (e) =>
      (window as unknown as { reportViolation: (v: string) => void }).reportViolation(`${e.violatedDirective} ${e.blockedURI}`));
  });
  const answer = await page.goto("/");
  await hydrated(page);
  const wasm = await page.evaluate(() => performance.getEntriesByType("resource").map((r) => r.name).find((n) => n.endsWith(".wasm")));
  expect(wasm, "the wasm was loaded").toBeTruthy();
  for (const response of [answer!, await page.request.get("/api/v1/cities"), await page.request.get(new URL(wasm!).pathname)]) {
    const headers = response.headers();
    expect(headers["content-security-policy"], response.url()).toContain("frame-ancestors 'none'");
    expect(headers["x-content-type-options"], response.url()).toBe("nosniff");
    expect(headers["x-frame-options"], response.url()).toBe("DENY");
    expect(headers["referrer-policy"], response.url()).toBe("same-origin");
  }
  // The city picker works only once hydrated: the CSP let the wasm run.
  await page.getByLabel("City").selectOption({ label: "Chennai" });
  await expect(page).toHaveURL(/\?city=chennai/);
  expect(violations).toEqual([]);
});

test("the site reads in Hindi once asked, hydrates in Hindi, and keeps it from page to page", async ({ page }) => {
  await page.goto("/?city=pune");
  await hydrated(page);
  await page.getByTestId("language-switch").click();
  await expect(page).toHaveURL(/\?city=pune&lang=hi$/);
  await expect(page.locator("html")).toHaveAttribute("lang", "hi");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Pune में अभी चल रही फ़िल्में");
  await expect(page).toHaveTitle("Pune में फ़िल्में · डिस्ट्रिक्ट");
  // Hydrated in Hindi: what the browser renders afterwards is Hindi too.
  await hydrated(page);
  await page.getByLabel("शहर").selectOption({ label: "Chennai" });
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Chennai में अभी चल रही फ़िल्में");
  // Remembered: the next page is in Hindi without asking.
  await page.goto("/theaters");
  await expect(page.locator("html")).toHaveAttribute("lang", "hi");
  const nav = page.getByRole("navigation", { name: "मुख्य" });
  await expect(nav.getByRole("link", { name: "थिएटर" })).toBeVisible();
  // And back.
  await page.getByTestId("language-switch").click();
  await expect(page.locator("html")).toHaveAttribute("lang", "en");
  await expect(page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Theaters" })).toBeVisible();
});
