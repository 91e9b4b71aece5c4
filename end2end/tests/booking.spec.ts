import { Browser, Page } from "@playwright/test";
import { test, expect, hydrated, openPage, showUrls, signIn } from "./fixtures";

function moviegoer(browser: Browser, javaScriptEnabled = true) {
  return openPage(browser, { javaScriptEnabled });
}

/** The seat checkbox, found by its label on the map (e.g. "F12"). */
const seat = (page: Page, label: string) => page.locator(`input[data-seat="${label}"]`);
const tick = (page: Page, label: string) => page.locator(`label:has(input[data-seat="${label}"])`).click();

test("a hold turns seats unavailable on another moviegoer's map without reloading", async ({ browser, page }) => {
  // Two moviegoers over six page loads, each seat map (336 seats) audited by axe as it is left:
  // 28.6 and 34.0 s in two runs of the suite on the 2-core machine, against 30 s.
  test.slow();
  const [show] = await showUrls(page);
  const holder = await moviegoer(browser);
  const watcher = await moviegoer(browser);
  await signIn(holder.page, show);
  await hydrated(holder.page);
  await watcher.page.goto(show);
  await hydrated(watcher.page);

  // The holder takes the suggested best pair.
  await holder.page.getByRole("combobox", { name: "Seats" }).selectOption("2");
  await holder.page.getByRole("button", { name: "Suggest best seats" }).click();
  const picked = holder.page.locator("#seat-grid input:checked");
  await expect(picked).toHaveCount(2);
  const labels = await picked.evaluateAll((all) => all.map((i) => i.getAttribute("data-seat")!));
  await expect(holder.page.getByTestId("selection-total")).toContainText("2 seats · ₹");

  // Arrow keys walk the map: right of the first suggested seat is the second.
  await seat(watcher.page, labels[0]).focus();
  await watcher.page.keyboard.press("ArrowRight");
  await expect(seat(watcher.page, labels[1])).toBeFocused();
  await watcher.page.keyboard.press("ArrowLeft");
  await expect(seat(watcher.page, labels[0])).toBeFocused();

  // The watcher has ticked one of them.
  await tick(watcher.page, labels[0]);
  await expect(seat(watcher.page, labels[0])).toBeChecked();
  await expect(watcher.page.getByTestId("selection-total")).toContainText("1 seat · ₹");

  await holder.page.getByRole("button", { name: "Proceed" }).click();
  await expect(holder.page).toHaveURL(/\/bookings\/[0-9a-f-]{36}$/);
  await expect(holder.page.getByTestId("booked-seats")).toHaveText(labels.join(", "));

  // Without a reload, the watcher sees both seats go and is told about the one they had.
  for (const label of labels) {
    await expect(seat(watcher.page, label)).toBeDisabled();
    await expect(seat(watcher.page, label)).toHaveAttribute("aria-label", /unavailable$/);
  }
  await expect(seat(watcher.page, labels[0])).not.toBeChecked();
  await expect(watcher.page.getByTestId("seat-notice")).toContainText(`${labels[0]} was just taken`);
  await expect(watcher.page.getByTestId("selection-total")).toContainText("No seats chosen yet.");

  // The countdown survives a reload; releasing frees the seats for everyone.
  await holder.page.reload();
  await hydrated(holder.page);
  await expect(holder.page.getByTestId("hold-countdown")).toContainText(/Seats held for you for (9|10):\d\d/);

  // Back on the map, the held seats are still the holder's: ticked and free to change, even
  // after the live stream has reported them held.
  const summary = holder.page.url();
  await holder.page.goto(show);
  await hydrated(holder.page);
  await expect(holder.page.locator("#seat-grid[data-live=true]")).toHaveCount(1);
  await expect(holder.page.getByTestId("current-hold")).toBeVisible();
  for (const label of labels) {
    await expect(seat(holder.page, label)).toBeEnabled();
    await expect(seat(holder.page, label)).toBeChecked();
  }
  await expect(holder.page.getByTestId("seat-notice")).toHaveCount(0);
  await expect(holder.page.getByTestId("selection-total")).toContainText("2 seats · ₹");
  await holder.page.goto(summary);
  await hydrated(holder.page);
  await holder.page.getByRole("button", { name: "Release seats" }).click();
  await expect(holder.page).toHaveURL(new RegExp(`${show}$`));
  for (const label of labels) {
    await expect(seat(watcher.page, label)).toBeEnabled();
  }
  await holder.context.close();
  await watcher.context.close();
});

test("seats can be held, reviewed and released without JavaScript", async ({ browser, page }) => {
  const shows = await showUrls(page);
  const show = shows[shows.length - 1];
  const { context, page: phone } = await moviegoer(browser, false);
  await phone.setViewportSize({ width: 360, height: 740 });
  await signIn(phone, show);

  await phone.getByRole("combobox", { name: "Seats" }).selectOption("3");
  await phone.getByRole("button", { name: "Suggest best seats" }).click();
  await expect(phone).toHaveURL(/best=3/);
  const picked = phone.locator("#seat-grid input:checked");
  await expect(picked).toHaveCount(3);
  const labels = await picked.evaluateAll((all) => all.map((i) => i.getAttribute("data-seat")!));

  await phone.getByRole("button", { name: "Proceed" }).click();
  await expect(phone).toHaveURL(/\/bookings\/[0-9a-f-]{36}$/);
  await expect(phone.getByTestId("booking-summary")).toHaveAttribute("data-status", "held");
  await expect(phone.getByTestId("booked-seats")).toHaveText(labels.join(", "));
  await expect(phone.getByTestId("booking-total")).toContainText("₹");

  // My bookings lists it as upcoming, and releases it from there.
  await phone.goto("/bookings");
  const card = (list: string) =>
    phone.getByTestId(list).getByTestId("booking-card").filter({ hasText: labels.join(", ") });
  await expect(card("upcoming")).toHaveCount(1);
  await card("upcoming").getByRole("button", { name: /^Release seats: / }).click();
  await expect(phone).toHaveURL(/\/bookings$/);
  await expect(card("upcoming")).toHaveCount(0);
  await expect(card("cancelled-and-expired").first()).toBeVisible();
  await phone.goto(show);
  for (const label of labels) {
    await expect(seat(phone, label)).toBeEnabled();
  }
  await context.close();
});

test("seats ticked before the map's code has run stay chosen once it runs", async ({ browser, page }) => {
  const [show] = await showUrls(page);
  // No service worker, so the page's own requests can be held back here.
  const visitor = await openPage(browser, { serviceWorkers: "block" });
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  await visitor.page.route("**/*.wasm", async (route) => {
    await held;
    await route.continue();
  });
  await visitor.page.goto(show);
  const labels = await visitor.page
    .locator("#seat-grid input:not(:disabled)")
    .evaluateAll((all) => all.slice(0, 2).map((input) => input.getAttribute("data-seat")!));
  for (const label of labels) await tick(visitor.page, label);
  release();
  await hydrated(visitor.page);
  for (const label of labels) await expect(seat(visitor.page, label)).toBeChecked();
  await expect(visitor.page.getByTestId("selection-total")).toContainText("2 seats · ₹");
  await visitor.context.close();
});
