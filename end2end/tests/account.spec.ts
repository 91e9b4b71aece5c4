import * as fs from "fs";
import * as path from "path";
import { test, expect, hydrated, openPage } from "./fixtures";

/** The newest link to `route` mailed to `to` (MAIL_DIR file transport); the outbox relay
 * sends it just after the request, so it is waited for. */
async function mailedLink(to: string, route: string): Promise<string> {
  const dir = process.env.MAIL_DIR ?? "";
  const pattern = new RegExp(`https?://\\S+${route}\\?token=\\S+`);
  const newest = () => {
    const all = fs.existsSync(dir) ? fs.readdirSync(dir) : [];
    const files = all.filter((f) => f.endsWith(`${to}.txt`)).sort();
    const texts = files.map((f) => fs.readFileSync(path.join(dir, f), "utf8"));
    return texts.reverse().map((text) => text.match(pattern)).find((link) => link)?.[0];
  };
  await expect.poll(newest, { message: `a link to ${route} mailed to ${to}` }).toBeTruthy();
  return newest()!;
}

test("sign up, confirm the email, sign in, edit the profile, sign out", async ({ page }) => {
  const email = `priya-${Date.now()}@example.com`;
  await page.goto("/signup");
  await hydrated(page);
  await page.getByLabel("Name").fill("Priya Test");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill("short");
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page.getByText("Use at least 8 characters.")).toBeVisible();

  await page.getByLabel("Password").fill("popcorn-and-chai");
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page).toHaveURL(/\/account\?welcome=1/);
  await expect(page.getByTestId("account-email")).toHaveText(email);
  await expect(page.getByText("Not verified yet")).toBeVisible();
  await expect(page.getByTestId("user-menu")).toHaveText("Priya");

  await page.goto(await mailedLink(email, "/verify-email"));
  await hydrated(page);
  await page.getByRole("button", { name: "Confirm my email" }).click();
  await expect(page.getByText("Your email address is confirmed")).toBeVisible();

  await page.goto("/account");
  await hydrated(page);
  await expect(page.getByText("✓ Verified")).toBeVisible();
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByRole("link", { name: "Sign in" })).toBeVisible();

  await page.goto("/login");
  await hydrated(page);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill("popcorn-and-tea");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("alert")).toHaveText("Email or password is incorrect.");
  await page.getByLabel("Password").fill("popcorn-and-chai");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/account$/);

  await page.getByLabel("Name").fill("Priyanka Sharma");
  await page.getByLabel("Phone").fill("98765 43210");
  await page.getByRole("button", { name: "Save changes" }).click();
  await expect(page.getByText("Your changes are saved.")).toBeVisible();
  await expect(page.getByTestId("user-menu")).toHaveText("Priyanka");
  await page.reload();
  await expect(page.getByLabel("Name")).toHaveValue("Priyanka Sharma");
  await expect(page.getByLabel("Phone")).toHaveValue("+919876543210");

  // How bookings are told: texts once there is a number, email off.
  await page.getByRole("checkbox", { name: /^Text messages/ }).check();
  await page.getByRole("checkbox", { name: /^Email/ }).uncheck();
  await page.getByRole("button", { name: "Save how we reach you" }).click();
  await expect(page.getByText("Your changes are saved.")).toBeVisible();
  await page.reload();
  await hydrated(page);
  await expect(page.getByRole("checkbox", { name: /^Text messages/ })).toBeChecked();
  await expect(page.getByRole("checkbox", { name: /^Email/ })).not.toBeChecked();
  await expect(page.getByRole("checkbox", { name: /^Push notifications/ })).toBeChecked();

  // A new email address needs the current password, and the change can be called off.
  const moved = `moved-${email}`;
  await page.getByLabel("Email", { exact: true }).fill(moved);
  await page.getByRole("button", { name: "Save changes" }).click();
  await expect(page.getByText("Enter your current password to change your email.")).toBeVisible();
  // A fresh page, so the form is not re-rendering under the next keystrokes.
  await page.reload();
  await hydrated(page);
  await page.getByLabel("Email", { exact: true }).fill(moved);
  await page.getByLabel("Current password").fill("popcorn-and-chai");
  await page.getByRole("button", { name: "Save changes" }).click();
  await expect(page.getByText(`We sent a confirmation link to ${moved}`)).toBeVisible();
  await page.getByRole("button", { name: "Call it off" }).click();
  await expect(page.getByText("We sent a confirmation link")).toHaveCount(0);
  await expect(page.getByTestId("account-email")).toHaveText(email);

  await page.getByRole("button", { name: "Sign out" }).click();
  // Signed out once the site says so, not before: going elsewhere at once could cut it short.
  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByRole("link", { name: "Sign in" })).toBeVisible();
  await page.goto("/account");
  await expect(page).toHaveURL(/\/login\?next=%2Faccount/);
});

test("signing in works before any wasm runs", async ({ browser }) => {
  const { context, page } = await openPage(browser, { javaScriptEnabled: false });
  await page.goto("/login?next=%2Faccount");
  await page.getByLabel("Email").fill("customer@demo.district.test");
  await page.getByLabel("Password").fill("wrong password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("alert")).toHaveText("Email or password is incorrect.");
  await page.getByLabel("Email").fill("customer@demo.district.test");
  await page.getByLabel("Password").fill("district-demo");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/account$/);
  await expect(page.getByTestId("account-email")).toHaveText("customer@demo.district.test");
  await context.close();
});

test("forgot password answers the same for any address", async ({ page }) => {
  await page.goto("/forgot-password");
  await hydrated(page);
  await page.getByLabel("Email").fill("nobody-at-all@example.com");
  await page.getByRole("button", { name: "Send the link" }).click();
  await expect(page.getByText("a link to reset the password is on its way")).toBeVisible();
});
