import { test, expect } from "./fixtures";

test("Swagger UI works with no network beyond the server and lists the API", async ({ page }) => {
  const site = new URL(process.env.BASE_URL ?? "http://127.0.0.1:8080").host;
  const elsewhere: string[] = [];
  page.on("request", (request) => {
    if (new URL(request.url()).host !== site) elsewhere.push(request.url());
  });
  await page.goto("/swagger/index.html");
  await expect(page).toHaveTitle("District API · Swagger UI");
  // Drawn from /api/v1/openapi.json: the tags and an operation of each kind of caller.
  await expect(page.getByRole("heading", { name: /bookings/ }).first()).toBeVisible();
  await expect(page.getByText("/api/v1/bookings/hold", { exact: true }).first()).toBeVisible();
  await expect(page.getByText("/api/v1/users/devices", { exact: true }).first()).toBeVisible();
  expect(elsewhere).toEqual([]);
});
