#!/usr/bin/env python3
"""Drives headless Chromium through the running demo, as a person would: logs in through the form,
opens the main pages in each language, and fails on an error page, a missing expected text, a page
that loads something from outside the server, or a browser console error (a CSP violation, say).
Screenshots (phone width) go to the folder given by --shots.

Usage: browser_check.py --base http://127.0.0.1:8080 [--shots DIR]
Needs: chromium, and the websocket-client package (pip install websocket-client).
"""
import argparse, json, os, shutil, subprocess, sys, tempfile, time, urllib.request, base64
import websocket  # websocket-client

PAGES = [
    # path, text that must appear (Kyrgyz: the default language)
    ("/", "Саламатсызбы"),
    ("/people", "Адамдар реестри"),
    ("/people/new", "Толук аты-жөнү"),
    ("/organisations", "Сарай убакыт банкы"),
    ("/organisations?kind=help_centre", "Мээрим"),
    ("/geography", "Кара-Суу району"),
    ("/users", "coordinator"),
    ("/audit", "Аудит журналы"),
    ("/timebanks", "Убакыт банктары"),
    ("/producer-groups", "Тилектеш өндүрүүчүлөр топтору"),
    ("/needs-gaps", "Кайсы кызматтар кайсы муктаждыкка жооп берет"),
    ("/needs-gaps/services", "Убакыт банкынын категориялары"),
    ("/services", "Кызматтар маалымдамасы"),
    ("/referrals/report", "Жолдомолор сандар менен"),
    ("/directory", "Ким эмнени кайда сунуштайт"),
]
# One time bank's pages: {bank} is the first bank on /timebanks.
BANK_PAGES = [
    ("/timebanks/{bank}", "Алмашууну каттоо (кагаздан)"),
    ("/timebanks/{bank}/board", "Сунуштар жана суроолор"),
    ("/timebanks/{bank}/batch", "Кагаздарды топтоп киргизүү"),
    ("/timebanks/{bank}/claims", "Ырастоону күткөн алмашуулар"),
    ("/timebanks/{bank}/reports", "<svg"),
    ("/timebanks/{bank}/import", "Мүчөлөрдү файлдан жүктөө"),
    ("/timebanks/{bank}/applications", "Кошулууга арыздар"),
    ("/timebanks/{bank}/register", "Мүчөлөрдүн жана калдыктардын реестри"),
    ("/timebanks/{bank}/apply", "Убакыт банкына кошулуу"),
]

class Browser:
    def __init__(self, port, profile):
        self.proc = subprocess.Popen(
            [shutil.which("chromium") or "chromium", "--headless", "--no-sandbox", "--disable-gpu",
             f"--remote-debugging-port={port}", f"--user-data-dir={profile}", "--window-size=390,844", "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(100):
            try:
                targets = json.load(urllib.request.urlopen(f"http://127.0.0.1:{port}/json"))
                page = next(t for t in targets if t["type"] == "page")
                break
            except Exception:
                time.sleep(0.1)
        else:
            raise SystemExit("chromium did not start")
        self.ws = websocket.create_connection(page["webSocketDebuggerUrl"], timeout=30)
        self.next_id = 0
        self.events = []
        for domain in ("Page", "Runtime", "Log", "Network"):
            self.call(f"{domain}.enable")

    def call(self, method, **params):
        self.next_id += 1
        self.ws.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:
            message = json.loads(self.ws.recv())
            if message.get("id") == self.next_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})
            self.events.append(message)

    def wait_for_load(self):
        deadline = time.time() + 20
        while time.time() < deadline:
            if any(e.get("method") == "Page.loadEventFired" for e in self.events):
                self.events = [e for e in self.events if e.get("method") != "Page.loadEventFired"]
                return
            self.events.append(json.loads(self.ws.recv()))
        raise RuntimeError("page did not load")

    def go(self, url):
        self.events.clear()
        self.call("Page.navigate", url=url)
        self.wait_for_load()
        return self.evaluate("document.documentElement.outerHTML")

    def evaluate(self, expression):
        return self.call("Runtime.evaluate", expression=expression, returnByValue=True)["result"].get("value")

    def problems(self, base):
        found = []
        for e in self.events:
            if e.get("method") == "Log.entryAdded" and e["params"]["entry"]["level"] == "error":
                found.append("console: " + e["params"]["entry"]["text"])
            if e.get("method") == "Runtime.exceptionThrown":
                found.append("exception: " + json.dumps(e["params"])[:200])
            if e.get("method") == "Network.requestWillBeSent":
                url = e["params"]["request"]["url"]
                if not (url.startswith(base) or url.startswith("data:") or url.startswith("about:")):
                    found.append("outside request: " + url)
        return found

    def screenshot(self, path, width, height):
        self.call("Emulation.setDeviceMetricsOverride", width=width, height=height, deviceScaleFactor=1, mobile=width < 600)
        data = self.call("Page.captureScreenshot", format="png")["data"]
        with open(path, "wb") as f:
            f.write(base64.b64decode(data))

    def close(self):
        self.ws.close()
        self.proc.terminate()
        self.proc.wait(timeout=10)


def log_in(browser, args, login):
    """Logs a demo user in through the login form, as a person would."""
    browser.go(args.base + "/login")
    browser.evaluate(f"""
        document.getElementById('identifier').value = {json.dumps(login)};
        document.getElementById('password').value = 'ashar-demo-2026';
        document.querySelector('form.stack').submit();""")
    browser.wait_for_load()


def caseworker_checks(args, failures):
    """A case worker's pages: her cases, one case with its quick exit (its script loads under the CSP;
    not clicked: it leaves for a site outside, which CI cannot reach), and the form to open one."""
    profile = tempfile.mkdtemp(prefix="ashar-chromium-")
    browser = Browser(args.port + 1, profile)
    try:
        log_in(browser, args, "caseworker")
        browser.go(f"{args.base}/lang/ky?back=/")
        browser.go(args.base + "/cases")
        case = browser.evaluate("""(document.querySelector('table a[href^="/cases/"]') || {getAttribute: () => ''}).getAttribute('href')""") or "/cases/none"
        for path, expected in [("/cases", "Кейстер"), (case, "Тез чыгуу"), ("/cases/new", "Лакап ат")]:
            html = browser.go(args.base + path)
            problems = browser.problems(args.base)
            exit_link = browser.evaluate("!!document.querySelector('a.quick-exit')")
            status = "ok"
            if expected not in html or 'class="error-page"' in html:
                failures.append(f"caseworker {path}: missing text {expected!r}")
                status = "MISSING TEXT"
            if not exit_link:
                failures.append(f"caseworker {path}: no quick exit")
                status = "NO EXIT"
            for p in problems:
                failures.append(f"caseworker {path}: {p}")
                status = "PROBLEM"
            print(f"{status:12} ky {path} (caseworker)")
            if args.shots:
                name = "case" if path == case else path.strip("/").replace("/", "_")
                browser.screenshot(os.path.join(args.shots, f"caseworker-{name}-phone.png"), 390, 844)
    finally:
        browser.close()
        shutil.rmtree(profile, ignore_errors=True)


def donor_report_check(args, failures):
    """The donor report as the monitoring officer prints it: headless Chromium's --print-to-pdf of the
    page (logged in through the DevTools protocol, printed with the page's print stylesheet)."""
    profile = tempfile.mkdtemp(prefix="ashar-chromium-")
    browser = Browser(args.port + 3, profile)
    try:
        log_in(browser, args, "viewer")
        browser.go(f"{args.base}/lang/en?back=/")
        html = browser.go(args.base + "/donor-report")
        pdf = os.path.join(profile, "report.pdf")
        with open(pdf, "wb") as f:
            f.write(base64.b64decode(browser.call("Page.printToPDF", preferCSSPageSize=True, printBackground=True)["data"]))
        text = subprocess.run(["pdftotext", pdf, "-"], capture_output=True, text=True, timeout=60).stdout
        if "Report of the regional service network" not in html or "Women trained" not in text or "Log out" in text:
            failures.append("donor report: the printed PDF lacks the indicators, or carries the page's navigation")
        else:
            print(f"{'ok':12} en /donor-report printed to PDF ({len(text.split())} words, no navigation)")
        if args.shots:
            shutil.copy(pdf, os.path.join(args.shots, "donor-report.pdf"))
    finally:
        browser.close()
        shutil.rmtree(profile, ignore_errors=True)


def read_printed_label(pdf, profile, row, column):
    """One small label of the printed sheet, rendered at 300 dpi as a printer would and read by zbarimg alone,
    as a phone reads one label (zbarimg reading a whole page of codes at once misses one now and then).
    The sheet's geometry is the print stylesheet's: 12 mm page margin, labels of 58 x 40 mm in three columns."""
    dpi = 300
    px = lambda millimetres: round(millimetres * dpi / 25.4)
    image = os.path.join(profile, "label")
    subprocess.run(["pdftoppm", "-r", str(dpi), "-f", "1", "-l", "1", "-singlefile", "-png",
                    "-x", str(px(12 + column * 58)), "-y", str(px(12 + row * 40)), "-W", str(px(58)), "-H", str(px(40)), pdf, image],
                   check=True, timeout=120)
    codes = subprocess.run(["zbarimg", "--quiet", "--raw", image + ".png"], capture_output=True, text=True, timeout=60).stdout.split()
    return codes[0] if len(codes) == 1 else None


def certification_checks(args, failures):
    """A coordinator's certification pages; a batch's labels printed to the screen, their QR code read back
    by zbarimg (Debian's zbar-tools), and the public page it opens, without a login."""
    profile = tempfile.mkdtemp(prefix="ashar-chromium-")
    browser = Browser(args.port + 2, profile)
    try:
        log_in(browser, args, "coordinator")
        browser.go(f"{args.base}/lang/ru?back=/")
        browser.go(args.base + "/products")
        product = browser.evaluate("""([...document.querySelectorAll('table a[href^="/products/"]')].find(a => a.textContent.includes('Курага'))
            || {getAttribute: () => '/products/none'}).getAttribute('href')""")
        checks = [(product, "Что применяется и чего не хватает"), ("/documents", "Истекающие документы"), ("/regulations", "TR CU 022/2011"),
                  ("/brands", "Жибек"), ("/guarantee", "Жибек"), ("/", "истекает в ближайшие 60 дней")]
        for path, expected in checks:
            html = browser.go(args.base + path)
            problems = browser.problems(args.base)
            status = "ok"
            if expected not in html or 'class="error-page"' in html:
                failures.append(f"coordinator {path}: missing text {expected!r}")
                status = "MISSING TEXT"
            for p in problems:
                failures.append(f"coordinator {path}: {p}")
                status = "PROBLEM"
            print(f"{status:12} ru {path} (coordinator)")
        browser.go(args.base + product + "/labels?lang=ru&size=large")
        shot = os.path.join(profile, "labels.png")
        browser.screenshot(shot, 1280, 1400)
        if args.shots:
            shutil.copy(shot, os.path.join(args.shots, "labels-desktop.png"))
        decoded = subprocess.run(["zbarimg", "--quiet", "--raw", shot], capture_output=True, text=True, timeout=60).stdout.split()
        url = decoded[0] if decoded else ""
        if "/p/" not in url:
            failures.append(f"labels: zbarimg read no traceability address from the printed QR code ({decoded!r})")
            return
        print(f"{'ok':12} zbarimg reads the label's QR code on screen: {url}")
        # On paper: the smallest labels printed to PDF (A4, one sheet), rendered at 300 dpi as a printer would.
        browser.go(args.base + product + "/labels?lang=ky&size=small")
        pdf = os.path.join(profile, "labels.pdf")
        with open(pdf, "wb") as f:
            f.write(base64.b64decode(browser.call("Page.printToPDF", preferCSSPageSize=True, printBackground=True)["data"]))
        pages = subprocess.run(["pdfinfo", pdf], capture_output=True, text=True, timeout=60).stdout
        printed = [read_printed_label(pdf, profile, row, column) for row in range(6) for column in range(3)]
        if "Pages:           1" not in pages or printed != [url] * 18:
            unread = [i + 1 for i, code in enumerate(printed) if code != url]
            failures.append(f"printed labels: one A4 page of 18 readable codes expected; labels not read: {unread} ({pages.strip()[:80]!r})")
        else:
            print(f"{'ok':12} 18 small labels on one printed A4 page, every QR code read back by zbarimg")
        public = subprocess.run(["curl", "-fsS", "-H", "Accept-Language: ru", args.base + url[url.index("/p/"):]], capture_output=True, text=True, timeout=30)
        if "Курага" not in public.stdout or "Документы действуют" not in public.stdout:
            failures.append(f"public page {url}: product or document validity missing")
        else:
            print(f"{'ok':12} ru {url} (no login)")
    finally:
        browser.close()
        shutil.rmtree(profile, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", default="http://127.0.0.1:8080")
    parser.add_argument("--shots")
    parser.add_argument("--port", type=int, default=9229)
    args = parser.parse_args()
    failures = []
    profile = tempfile.mkdtemp(prefix="ashar-chromium-")
    browser = Browser(args.port, profile)
    try:
        login = browser.go(args.base + "/login")
        if 'name="_csrf"' not in login:
            failures.append("/login: no login form")
        browser.evaluate("""
            document.getElementById('identifier').value = 'admin';
            document.getElementById('password').value = 'ashar-demo-2026';
            document.querySelector('form.stack').submit();""")
        browser.wait_for_load()
        browser.go(args.base + "/timebanks")
        bank = browser.evaluate("""(document.querySelector('table a[href^="/timebanks/"]') || {}).getAttribute
            ? document.querySelector('table a[href^="/timebanks/"]').getAttribute('href').split('/')[2] : ''""") or "none"
        def link(page, prefix, text=""):
            browser.go(args.base + page)
            return browser.evaluate(f"""([...document.querySelectorAll('table a[href^="{prefix}"]')]
                .find(a => a.textContent.includes({json.dumps(text)})) || {{getAttribute: () => ''}}).getAttribute('href')""") or prefix + "none"
        group = link("/producer-groups", "/producer-groups/", "Жибек")   # the demo's group with a purchase open
        round_page = link(group, "/rounds/")
        pool = link(group + "/pools", "/pools/")
        item = link(group + "/equipment", "/equipment/")
        supplier = link(group + "/suppliers", group + "/suppliers/")
        member = link(group, group + "/members/")
        survey = link("/forms", "/forms/")  # the baseline survey (the demo's only form), with 1,100 answers
        pages = PAGES + [(p.replace("{bank}", bank), t) for p, t in BANK_PAGES] + [
            (group, "Биргелешкен сатып алуулар"), (round_page, "Эсептешүү"), (round_page + "/sheets", "Буйрутма барагы"),
            (round_page + "/distribution", "Бөлүштүрүү тизмеси"), (group + "/pools", "Биргелешкен сатуулар"), (pool, "Кантип эсептелди"),
            (group + "/fund", "Топтун фонду"), (group + "/equipment", "Жалпы шаймандар"), (item, "Кызуу жумаларга кезек"),
            (group + "/suppliers", "Жеткирүүчүлөр жана сатып алуучулар"), (supplier, "Баа тизмеси"), (group + "/reports", "<svg"),
            (member, "Акча эсеби"), (survey, "Анкетаны толтуруу"), (survey + "/fill", "Үй-бүлөнүн кирешеси кайдан келет?"),
            (survey + "/analysis?question=needs", "<svg"), (survey + "/analysis?question=needs&by=district", "Мамычалар боюнча рейтинг")]
        for lang, path, expected in [("ky", p, t) for p, t in pages] + [("ru", "/people", "Реестр людей"), ("en", "/organisations", "Organisations"),
                                                                         ("ru", f"/timebanks/{bank}/reports", "Часы обмена по месяцам"),
                                                                         ("en", f"/timebanks/{bank}/claims", "Exchanges awaiting confirmation")]:
            browser.go(f"{args.base}/lang/{lang}?back=/")
            html = browser.go(args.base + path)
            problems = browser.problems(args.base)
            title = browser.evaluate("document.title") or ""
            status = "ok"
            if expected not in html:
                failures.append(f"{lang} {path}: missing text {expected!r} (title {title!r})")
                status = "MISSING TEXT"
            if 'class="error-page"' in html:
                failures.append(f"{lang} {path}: error page {title!r}")
                status = "ERROR PAGE"
            for p in problems:
                failures.append(f"{lang} {path}: {p}")
                status = "PROBLEM"
            print(f"{status:12} {lang} {path}  [{title}]")
            if args.shots and lang == "ky":
                os.makedirs(args.shots, exist_ok=True)
                name = path.strip("/").replace("/", "_").replace("?", "_").replace("=", "-") or "home"
                browser.screenshot(os.path.join(args.shots, f"{name}-phone.png"), 390, 844)
                browser.screenshot(os.path.join(args.shots, f"{name}-desktop.png"), 1280, 900)
        # Batch entry checks a row as it is typed (its script, served by Ashar itself): a number becomes a name.
        browser.go(f"{args.base}/lang/en?back=/")
        browser.go(f"{args.base}/timebanks/{bank}")
        number = browser.evaluate("(document.querySelector('table.list tbody td') || {}).textContent || ''").strip()
        browser.go(f"{args.base}/timebanks/{bank}/batch")
        browser.evaluate(f"""var i = document.querySelector("input[name='rows[0][provider]']");
            i.value = {json.dumps(number)}; i.dispatchEvent(new Event('change', {{bubbles: true}}));""")
        named = ""
        for _ in range(50):
            named = browser.evaluate("(document.querySelector(\"input[name='rows[0][provider]']\").parentNode.querySelector('small') || {}).textContent || ''")
            if named:
                break
            time.sleep(0.1)
        problems = browser.problems(args.base)
        if not named or problems:
            failures.append(f"batch entry: member {number!r} was not named as typed ({problems})")
        else:
            print(f"{'ok':12} en batch entry names member {number} as typed: {named}")
        # Survey entry shows a question only when it is relevant, as the enumerator answers (survey.js).
        browser.go(args.base + survey + "/fill")
        hidden_before = browser.evaluate("document.querySelector('[data-q=\"a.remittance_months\"]').hidden")
        browser.evaluate("""var r = document.querySelector("input[name='a.remittances'][value='yes']");
            r.checked = true; r.dispatchEvent(new Event('change', {bubbles: true}));""")
        hidden_after = browser.evaluate("document.querySelector('[data-q=\"a.remittance_months\"]').hidden")
        browser.evaluate("localStorage.clear()")
        if hidden_before is not True or hidden_after is not False:
            failures.append(f"survey entry: remittance months hidden {hidden_before} before and {hidden_after} after answering yes")
        else:
            print(f"{'ok':12} ky survey entry shows a question once it is relevant")
        browser.go(f"{args.base}/lang/ky?back=/")
    finally:
        browser.close()
        shutil.rmtree(profile, ignore_errors=True)
    caseworker_checks(args, failures)
    certification_checks(args, failures)
    donor_report_check(args, failures)
    # The public page, dumped by Chromium itself without any scripting.
    dom = subprocess.run([shutil.which("chromium") or "chromium", "--headless", "--no-sandbox", "--disable-gpu",
                          "--accept-lang=ky", "--dump-dom", args.base + "/login"], capture_output=True, text=True, timeout=60).stdout
    if "Логин же телефон номери" not in dom:
        failures.append("--dump-dom /login: login form text missing")
    else:
        print(f"{'ok':12} ky /login (--dump-dom)")
    missing = subprocess.run([shutil.which("chromium") or "chromium", "--headless", "--no-sandbox", "--disable-gpu",
                              "--accept-lang=ky", "--dump-dom", args.base + "/no/such/page"], capture_output=True, text=True, timeout=60).stdout
    if "Барак табылган жок" not in missing:
        failures.append("--dump-dom 404: the not-found page is not in Kyrgyz")
    if failures:
        print("\n".join(["", "Browser check failed:"] + failures))
        sys.exit(1)
    print("Browser check passed.")


if __name__ == "__main__":
    main()
