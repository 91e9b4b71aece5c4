"""Lighthouse (mobile) on the five pages of a purchase, on a seeded server at BASE_URL.

The demo customer signs in, holds seats at one show (the checkout page) and buys seats at
another through the sandbox (the e-ticket); then Lighthouse loads the home, movie, seat-map,
checkout and e-ticket pages in that session and the four category scores are reported, with
the audits that cost a page points.

usage: lighthouse.py BASE_URL LIGHTHOUSE_BIN OUT_DIR
"""

import json
import os
import subprocess
import sys
import time
import urllib.parse
import urllib.request

GOAL = 95
CATEGORIES = ["performance", "accessibility", "best-practices", "seo"]
# "simulate" (Lighthouse's default) estimates slow-4G timings from a fast local load;
# "devtools" really slows the network and the CPU while the page loads.
THROTTLING = os.environ.get("LIGHTHOUSE_THROTTLING", "simulate")
CUSTOMER = "customer@demo.district.test"
PASSWORD = "district-demo"
SUCCEEDS = "4242424242424242"


class Site:
    def __init__(self, base):
        self.base = base
        self.token = None
        self.cookie = None
        self.opener = urllib.request.build_opener(NoRedirect)

    def call(self, method, path, body=None, form=None):
        headers = {"origin": self.base}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["content-type"] = "application/json"
        if form is not None:
            data = urllib.parse.urlencode(form).encode()
            headers["content-type"] = "application/x-www-form-urlencoded"
        if self.token:
            headers["authorization"] = f"Bearer {self.token}"
        request = urllib.request.Request(self.base + path, data, headers, method=method)
        with self.opener.open(request) as reply:
            text = reply.read().decode()
            cookie = reply.headers.get("set-cookie")
            return json.loads(text) if text.startswith(("{", "[")) else text, cookie

    def sign_in(self):
        tokens, _ = self.call("POST", "/api/v1/auth/login",
                              {"email": CUSTOMER, "password": PASSWORD})
        self.token = tokens["access_token"]
        # The pages' session: the sign-in form, as a browser posts it.
        form = {"email": CUSTOMER, "password": PASSWORD}
        _, cookie = self.call("POST", "/_fn/account/login", form=form)
        self.cookie = cookie.split(";")[0]

    def shows(self):
        cities, _ = self.call("GET", "/api/v1/cities")
        mumbai = next(c for c in cities["items"] if c["slug"] == "mumbai")
        shows, _ = self.call("GET", f"/api/v1/shows?city_id={mumbai['id']}&per_page=100")
        later = time.time() + 3 * 3600
        upcoming = [s for s in shows["items"] if parse_time(s["starts_at"]) > later]
        return sorted(upcoming, key=lambda s: s["starts_at"])

    def hold(self, show):
        best, _ = self.call("GET", f"/api/v1/shows/{show}/seats/best?count=2")
        seats = [s.get("seat_id") or s["id"] for s in best["seats"]]
        held, _ = self.call("POST", "/api/v1/bookings/hold",
                            {"show_id": show, "seat_ids": seats})
        return held["booking_id"]

    def buy(self, show):
        booking = self.hold(show)
        payment, _ = self.call("POST", "/api/v1/payments/initiate",
                               {"booking_id": booking, "provider": "sandbox"})
        form = {"payment_id": payment["payment_id"], "choice": "pay", "card": SUCCEEDS}
        self.call("POST", "/_fn/payment/sandbox/choose", form=form)
        for _ in range(120):
            state, _ = self.call("GET", f"/api/v1/bookings/{booking}")
            if state["status"] == "confirmed":
                return booking
            time.sleep(0.5)
        sys.exit(f"booking {booking} paid but not confirmed")


class NoRedirect(urllib.request.HTTPRedirectHandler):
    """Hands back a redirect as it is: the sign-in's cookie is on the 302/303 itself."""

    def http_error_302(self, req, fp, code, msg, headers):
        return fp

    http_error_301 = http_error_303 = http_error_307 = http_error_308 = http_error_302


def parse_time(text):
    from datetime import datetime
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def run(lighthouse, url, cookie, out):
    headers = f"{out}.headers.json"
    with open(headers, "w") as f:
        json.dump({"Cookie": cookie}, f)
    subprocess.run(
        [lighthouse, url, "--quiet", "--output=json", f"--output-path={out}.json",
         f"--only-categories={','.join(CATEGORIES)}", f"--extra-headers={headers}",
         f"--throttling-method={THROTTLING}",
         "--chrome-flags=--headless=new --no-sandbox --disable-gpu --disable-dev-shm-usage"],
        check=True)
    with open(f"{out}.json") as f:
        return json.load(f)


def costly(report, category):
    """Audits of a category that did not pass, by the points they cost."""
    refs = report["categories"][category]["auditRefs"]
    audits = report["audits"]
    found = []
    for ref in refs:
        audit = audits[ref["id"]]
        if ref["weight"] and audit["score"] is not None and audit["score"] < 1:
            found.append((ref["weight"] * (1 - audit["score"]), audit["id"],
                          audit.get("displayValue", "")))
    return sorted(found, reverse=True)[:4]


def main():
    base, lighthouse, out_dir = sys.argv[1:4]
    site = Site(base)
    site.sign_in()
    shows = site.shows()
    movie, _ = site.call("GET", f"/api/v1/movies/{shows[0]['movie_id']}")
    pages = {
        "home": "/",
        "movie": f"/movies/{movie['slug']}",
        "seat map": f"/shows/{shows[0]['id']}",
        "checkout": f"/bookings/{site.hold(shows[0]['id'])}",
        "e-ticket": f"/bookings/{site.buy(shows[1]['id'])}",
    }
    rows = []
    for name, path in pages.items():
        report = run(lighthouse, base + path, site.cookie, f"{out_dir}/{name.replace(' ', '-')}")
        scores = {c: round(report["categories"][c]["score"] * 100) for c in CATEGORIES}
        rows.append((name, path, scores))
        for category in CATEGORIES:
            if scores[category] < GOAL:
                for cost, audit, value in costly(report, category):
                    print(f"  {name} {category}: {audit} {value} (-{cost:.1f})")
    print(f"\n| page | {' | '.join(CATEGORIES)} |")
    print(f"|---|{'---|' * len(CATEGORIES)}")
    for name, _, scores in rows:
        print(f"| {name} | {' | '.join(str(scores[c]) for c in CATEGORIES)} |")
    with open(f"{out_dir}/summary.json", "w") as f:
        json.dump([{"page": n, "path": p, **s} for n, p, s in rows], f, indent=2)
    below = [(n, c) for n, _, s in rows for c in CATEGORIES if s[c] < GOAL]
    print(f"\nbelow {GOAL}: {below or 'none'}")


if __name__ == "__main__":
    main()
