import { Page } from "@playwright/test";
import { test, expect, hydrated, openPage, showUrls, signIn } from "./fixtures";

/** Holds the best pair (or `count`) of seats of `show` and lands on the booking summary. */
async function holdBest(page: Page, show: string, count = "2") {
  await signIn(page, show);
  await page.getByRole("combobox", { name: "Seats" }).selectOption(count);
  await page.getByRole("button", { name: "Suggest best seats" }).click();
  await expect(page.locator("#seat-grid input:checked")).toHaveCount(Number(count));
  await page.getByRole("button", { name: "Proceed" }).click();
  await expect(page).toHaveURL(/\/bookings\/[0-9a-f-]{36}$/);
  await expect(page.getByTestId("booking-summary")).toHaveAttribute("data-status", "held");
  return page.url();
}

/** From the summary to the sandbox gateway's page. */
async function toCheckout(page: Page) {
  await page.getByRole("button", { name: /^Pay ₹/ }).click();
  await expect(page).toHaveURL(/\/pay\/sandbox\/[0-9a-f-]{36}$/);
  await expect(page.getByTestId("sandbox-checkout")).toContainText("test mode");
}

test("a moviegoer pays through the sandbox and the booking is confirmed", async ({ page }) => {
  const shows = await showUrls(page);
  const summary = await holdBest(page, shows[1]);
  await hydrated(page);
  await toCheckout(page);
  await hydrated(page);
  await page.getByRole("button", { name: /^Pay ₹/ }).click();
  await expect(page).toHaveURL(summary);
  await expect(page.getByTestId("booking-summary")).toHaveAttribute("data-status", "confirmed");
  await expect(page.getByText("Booking confirmed")).toBeVisible();
  await expect(page.getByRole("button", { name: /^Pay ₹/ })).toHaveCount(0);
  // The e-ticket: a QR code drawn on the server, and the code to read out.
  const ticket = page.getByTestId("e-ticket");
  await expect(ticket.getByRole("img", { name: /^Ticket QR code for booking / })).toBeVisible();
  await expect(ticket.locator("svg")).toHaveCount(1);
  await expect(ticket.getByRole("link", { name: "QR code image" })).toHaveAttribute("href", /^data:image\/svg\+xml,/);
  // The ticket to keep: a PDF with the booking's details, downloaded with the session.
  const [download] = await Promise.all([
    page.waitForEvent("download"),
    ticket.getByRole("link", { name: "Download ticket (PDF)" }).click(),
  ]);
  expect(download.suggestedFilename()).toMatch(/^district-ticket-[A-Z0-9]+\.pdf$/);
  const pdf = await download.createReadStream().then(async (stream) => {
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  });
  expect(pdf.subarray(0, 8).toString("latin1")).toBe("%PDF-1.4");
  expect(pdf.toString("latin1")).toContain("DISTRICT  E-TICKET");
});

test("a declined payment comes back to the booking, and a retry goes through", async ({ page }) => {
  const shows = await showUrls(page);
  const summary = await holdBest(page, shows[2]);
  await toCheckout(page);
  await page.getByRole("button", { name: "Decline" }).click();
  await expect(page).toHaveURL(summary);
  const status = page.getByTestId("payment-status");
  await expect(status).toHaveAttribute("data-status", "failed");
  await expect(status).toContainText("You can try again.");
  await expect(page.getByTestId("booking-summary")).toHaveAttribute("data-status", "held");

  // A card the bank declines says so too; a test card that pays confirms.
  await toCheckout(page);
  await page.getByLabel("Card number").fill("4000 0000 0000 0002");
  await page.getByRole("button", { name: /^Pay ₹/ }).click();
  await expect(page).toHaveURL(summary);
  await expect(status).toContainText("Your card was declined.");
  await toCheckout(page);
  await page.getByRole("button", { name: /^Pay ₹/ }).click();
  await expect(page.getByTestId("booking-summary")).toHaveAttribute("data-status", "confirmed");
});

test("the whole purchase works as plain forms without JavaScript", async ({ browser, page }) => {
  const shows = await showUrls(page);
  const { context, page: phone } = await openPage(browser, { javaScriptEnabled: false });
  await phone.setViewportSize({ width: 360, height: 740 });
  const summary = await holdBest(phone, shows[3], "3");
  await toCheckout(phone);
  await phone.getByRole("button", { name: /^Pay ₹/ }).click();
  await expect(phone).toHaveURL(summary);
  await expect(phone.getByTestId("booking-summary")).toHaveAttribute("data-status", "confirmed");
  await expect(phone.getByTestId("e-ticket").locator("svg")).toHaveCount(1);
  await context.close();
});

/** The summary's price lines as paise: label -> amount. */
async function priceLines(page: Page): Promise<Map<string, number>> {
  const list = page.getByTestId("booking-summary").locator("dl");
  const labels = await list.locator("dt").allTextContents();
  const values = await list.locator("dd").allTextContents();
  const lines = new Map<string, number>();
  labels.forEach((label, i) => {
    const money = values[i].match(/(-?)₹([\d,]+(?:\.\d\d)?)/);
    if (money) {
      const paise = Math.round(Number(money[2].replaceAll(",", "")) * 100);
      lines.set(label.replace(/ \(\d+\)$/, ""), money[1] ? -paise : paise);
    }
  });
  return lines;
}

test("an offer code takes its discount off, and the payment charges the new total", async ({ page }) => {
  const shows = await showUrls(page);
  const summary = await holdBest(page, shows[6]);
  await hydrated(page);
  const code = page.getByLabel("Offer code");
  await code.fill("nope");
  await page.getByRole("button", { name: "Apply" }).click();
  await expect(page.getByTestId("offer-error")).toHaveText("There is no offer with that code.");

  await code.fill("district20");
  await page.getByRole("button", { name: "Apply" }).click();
  await expect(page.getByTestId("applied-offer")).toHaveAttribute("data-code", "DISTRICT20");
  await expect(page.getByTestId("booking-discount")).toBeVisible();
  const lines = await priceLines(page);
  const tickets = lines.get("Tickets")!;
  const discount = -lines.get("Offer discount")!;
  // 20% of the tickets, rounded half up, at most ₹150.
  expect(discount).toBe(Math.min(Math.floor((tickets * 20 + 50) / 100), 15_000));
  const total = tickets + lines.get("Convenience fee")! + lines.get("GST on convenience fee")! - discount;
  expect(lines.get("Total")).toBe(total);

  const shown = (await page.getByTestId("booking-total").textContent())!.trim();
  await expect(page.getByRole("button", { name: /^Pay ₹/ })).toHaveText(`Pay ${shown}`);
  await toCheckout(page);
  await expect(page.getByRole("button", { name: /^Pay ₹/ })).toHaveText(`Pay ${shown}`);
  await page.getByRole("button", { name: /^Pay ₹/ }).click();
  await expect(page).toHaveURL(summary);
  await expect(page.getByTestId("booking-summary")).toHaveAttribute("data-status", "confirmed");
  expect((await priceLines(page)).get("Total")).toBe(total);
});

test("offer codes apply and come off as plain forms without JavaScript", async ({ browser, page }) => {
  const shows = await showUrls(page);
  const { context, page: phone } = await openPage(browser, { javaScriptEnabled: false });
  await holdBest(phone, shows[7]);
  const before = (await priceLines(phone)).get("Total")!;
  await phone.getByLabel("Offer code").fill("DISTRICT20");
  await phone.getByRole("button", { name: "Apply" }).click();
  await expect(phone.getByTestId("applied-offer")).toHaveAttribute("data-code", "DISTRICT20");
  const after = await priceLines(phone);
  expect(after.get("Total")).toBe(before + after.get("Offer discount")!);
  await phone.getByRole("button", { name: "Remove offer DISTRICT20" }).click();
  await expect(phone.getByTestId("applied-offer")).toHaveCount(0);
  expect((await priceLines(phone)).get("Total")).toBe(before);
  await context.close();
});

/** Sets how many of a menu item the held booking orders, from the summary's food box. */
async function orderFood(page: Page, item: string, quantity: number) {
  const food = page.getByTestId("food");
  if ((await food.locator("details[open]").count()) === 0) {
    await food.getByText("Add food and drinks").click();
  }
  const line = food.locator(`[data-testid="food-item"][data-name="${item}"]`);
  await line.getByLabel(`How many ${item}`).selectOption(String(quantity));
  await line.getByRole("button", { name: "Set" }).click();
  await expect(page.getByTestId("booking-summary").locator("dt", { hasText: `${quantity} × ${item}` })).toBeVisible();
}

/** Orders food for a paid booking from its summary, and pays for it through the sandbox. */
async function orderMoreFood(page: Page, item: string, quantity: number) {
  const box = page.getByTestId("food-order");
  await box.getByText("Order food and drinks").click();
  await box.getByLabel(`How many ${item}`).selectOption(String(quantity));
  await box.getByRole("button", { name: "Order and pay" }).click();
  await expect(page).toHaveURL(/\/pay\/sandbox\/[0-9a-f-]{36}$/);
  await page.getByRole("button", { name: /^Pay ₹/ }).click();
}

test("food and drinks join the booking, add up in its total, and wait at the counter", async ({ page }) => {
  const shows = await showUrls(page);
  const summary = await holdBest(page, shows[10]);
  await hydrated(page);
  await orderFood(page, "Salted popcorn (Large)", 2);
  await orderFood(page, "Mineral water", 1);
  const lines = await priceLines(page);
  // ₹290 each at 5% GST, and water with none: the lines add up to the total charged.
  expect(lines.get("2 × Salted popcorn (Large)")).toBe(58_000);
  expect(lines.get("1 × Mineral water")).toBe(4_000);
  expect(lines.get("GST on food and drinks")).toBe(2_900);
  const total =
    lines.get("Tickets")! + lines.get("Convenience fee")! + lines.get("GST on convenience fee")! + 58_000 + 4_000 + 2_900;
  expect(lines.get("Total")).toBe(total);
  const shown = (await page.getByTestId("booking-total").textContent())!.trim();
  await toCheckout(page);
  await expect(page.getByRole("button", { name: /^Pay ₹/ })).toHaveText(`Pay ${shown}`);
  await page.getByRole("button", { name: /^Pay ₹/ }).click();
  await expect(page).toHaveURL(summary);
  await expect(page.getByTestId("booking-summary")).toHaveAttribute("data-status", "confirmed");
  await expect(page.getByTestId("food-pickup")).toContainText("1 x Mineral water, 2 x Salted popcorn (Large)");
  // More once paid: ordered and paid for on their own, then on the booking with the rest.
  await hydrated(page);
  await orderMoreFood(page, "Cola (500 ml)", 2);
  await expect(page).toHaveURL(summary);
  await expect(page.getByTestId("food-pickup")).toContainText("2 x Cola (500 ml)");
  expect((await priceLines(page)).get("Total")).toBe(total + 24_000 + 4_320);
});

test("food and drinks are ordered as plain forms without JavaScript", async ({ browser, page }) => {
  const shows = await showUrls(page);
  const { context, page: phone } = await openPage(browser, { javaScriptEnabled: false });
  await phone.setViewportSize({ width: 360, height: 740 });
  const summary = await holdBest(phone, shows[11]);
  const before = (await priceLines(phone)).get("Total")!;
  await orderFood(phone, "Cola (500 ml)", 3);
  const lines = await priceLines(phone);
  // 3 × ₹120 at 18% GST.
  expect(lines.get("GST on food and drinks")).toBe(6_480);
  expect(lines.get("Total")).toBe(before + 36_000 + 6_480);
  await toCheckout(phone);
  await phone.getByRole("button", { name: /^Pay ₹/ }).click();
  await expect(phone).toHaveURL(summary);
  await expect(phone.getByTestId("food-pickup")).toContainText("3 x Cola (500 ml)");
  await orderMoreFood(phone, "Mineral water", 2);
  await expect(phone).toHaveURL(summary);
  await expect(phone.getByTestId("food-pickup")).toContainText("2 x Mineral water");
  await context.close();
});

test("a ticket opens with no network after one visit, QR code included", async ({ page, context }) => {
  const shows = await showUrls(page);
  const summary = await holdBest(page, shows[8]);
  await toCheckout(page);
  await page.getByRole("button", { name: /^Pay ₹/ }).click();
  await expect(page).toHaveURL(summary);
  await expect(page.getByTestId("booking-summary")).toHaveAttribute("data-status", "confirmed");
  // The service worker keeps the ticket's page once this visit hands it over.
  const path = new URL(summary).pathname;
  await expect
    .poll(() => page.evaluate(async (p) => Boolean(await caches.match(p)), path), { timeout: 15_000 })
    .toBe(true);

  await context.setOffline(true);
  // Really offline: a page nobody kept does not open.
  const other = await context.newPage();
  await expect(other.goto("/theaters")).rejects.toThrow();
  await other.close();
  await page.reload();
  await expect(page.getByTestId("booking-summary")).toHaveAttribute("data-status", "confirmed");
  // Everything the page runs on was kept with it, the splitter's loader included.
  await hydrated(page);
  const ticket = page.getByTestId("e-ticket");
  await expect(ticket.getByRole("img", { name: /^Ticket QR code for booking / })).toBeVisible();

  // Signing out takes the kept tickets with it.
  await context.setOffline(false);
  await page.goto("/account");
  await hydrated(page);
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/$/);
  await expect.poll(() => page.evaluate(async () => (await caches.keys()).length)).toBe(0);
});

test("the site is installable: its manifest, icons and service worker", async ({ page, request }) => {
  const manifest = await request.get("/manifest.webmanifest");
  expect(manifest.status()).toBe(200);
  expect(manifest.headers()["content-type"]).toContain("application/manifest+json");
  const body = await manifest.json();
  expect(body.display).toBe("standalone");
  for (const icon of body.icons.filter((i: { type: string }) => i.type === "image/png")) {
    const png = await request.get(icon.src);
    expect(png.headers()["content-type"]).toBe("image/png");
    const bytes = await png.body();
    // The PNG's own width and height are what the manifest says.
    const size = `${bytes.readUInt32BE(16)}x${bytes.readUInt32BE(20)}`;
    expect(size).toBe(icon.sizes);
  }
  const worker = await request.get("/sw.js");
  expect(worker.status()).toBe(200);
  expect(worker.headers()["content-type"]).toMatch(/javascript/);
  await page.goto("/");
  await expect(page.locator('link[rel="manifest"]')).toHaveAttribute("href", "/manifest.webmanifest");
  await expect
    .poll(() => page.evaluate(async () => (await navigator.serviceWorker.getRegistration())?.active?.scriptURL ?? ""))
    .toMatch(/\/sw\.js$/);
});

test("a moviegoer books in Hindi, from the home page to the e-ticket", async ({ page }) => {
  const shows = await showUrls(page);
  await page.goto("/?lang=hi");
  await expect(page.locator("html")).toHaveAttribute("lang", "hi");
  await expect(page.getByRole("heading", { level: 1 })).toContainText("अभी चल रही फ़िल्में");
  // Straight to a show's seats (the movie page is checked on its own): sign in first, in Hindi.
  await page.goto(shows[13]);
  await page.getByRole("link", { name: "बुक करने के लिए साइन इन करें" }).click();
  await page.getByLabel("ईमेल").fill("customer@demo.district.test");
  await page.getByLabel("पासवर्ड").fill("district-demo");
  await page.getByRole("button", { name: "साइन इन" }).click();
  await expect(page).toHaveURL(new RegExp(`${shows[13]}$`));
  await hydrated(page);
  await page.getByRole("combobox", { name: "सीटें" }).selectOption("2");
  await page.getByRole("button", { name: "सबसे अच्छी सीटें सुझाएँ" }).click();
  await expect(page.locator("#seat-grid input:checked")).toHaveCount(2);
  await expect(page.getByTestId("selection-total")).toContainText("2 सीटें");
  await page.getByRole("button", { name: "आगे बढ़ें" }).click();
  await expect(page).toHaveURL(/\/bookings\/[0-9a-f-]{36}$/);
  const summary = page.url();
  await expect(page.getByText("आपकी सीटें रोकी गई हैं")).toBeVisible();
  await expect(page.getByTestId("booking-summary").locator("dt", { hasText: "कुल" })).toBeVisible();
  await hydrated(page);
  await page.getByRole("button", { name: /चुकाएँ$/ }).click();
  await expect(page).toHaveURL(/\/pay\/sandbox\/[0-9a-f-]{36}$/);
  await expect(page.getByTestId("sandbox-checkout")).toContainText("टेस्ट मोड");
  await page.getByRole("button", { name: /चुकाएँ$/ }).click();
  await expect(page).toHaveURL(summary);
  await expect(page.getByTestId("booking-summary")).toHaveAttribute("data-status", "confirmed");
  await expect(page.getByText("बुकिंग पक्की हो गई")).toBeVisible();
  const ticket = page.getByRole("region", { name: "ई-टिकट" });
  await expect(ticket.getByRole("img", { name: /के टिकट का QR कोड$/ })).toBeVisible();
  await expect(ticket).toContainText("प्रवेश पर यह कोड दिखाएँ।");
});
