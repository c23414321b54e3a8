// console.test.mjs - signing in and out of the officers' console.
import { ok, officerPassword, screenshot, signIn, url } from "./lib.mjs";

export default async function (page) {
  await page.goto(url + "console");
  ok(page.url().includes("/console/login"), "the console sends a stranger to the sign-in page", page.url());
  await screenshot(page, "console-login");

  await signIn(page, "officer", "not-the-password");
  const err = await page.textContent("#login-error").catch(() => null);
  ok(err && err.includes("Wrong username or password"), "a wrong password is refused with a message", err);

  await signIn(page, "officer", officerPassword);
  ok((await page.textContent("#role")) === "officer", "the officer signs in and sees the role", page.url());
  const cookies = await page.context().cookies();
  const s = cookies.find((c) => c.name === "mlv_session");
  ok(s && s.httpOnly && s.sameSite === "Strict", "the session cookie is HttpOnly and SameSite=Strict", JSON.stringify(s));
  await screenshot(page, "console-home");

  // keyboard: Tab reaches the skip link first
  await page.keyboard.press("Tab");
  ok(await page.evaluate(() => document.activeElement && document.activeElement.classList.contains("skip")),
    "the first Tab reaches the skip link");

  await Promise.all([page.waitForURL(/console\/login/), page.click("form.who button")]);
  await page.goto(url + "console");
  ok(page.url().includes("/console/login"), "after signing out the console asks to sign in again", page.url());
}
