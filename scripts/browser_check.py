#!/usr/bin/env python3
"""Drives headless Chromium through the running demo, as a person would: logs in through the form,
opens the main pages in each language, and fails on an error page, a missing expected text, a page
that loads something from outside the server, or a browser console error (a CSP violation, say).
Screenshots (phone width) go to the folder given by --shots.

Usage: browser_check.py --base http://127.0.0.1:8080 [--shots DIR]
Needs: chromium, and the websocket-client package (pip install websocket-client).
"""
import argparse, json, os, re, shutil, subprocess, sys, tempfile, time, urllib.parse, urllib.request, base64
import websocket  # websocket-client

from line import Line

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
    ("/sms", "SMSти сынап көрүү"),
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
    ("/timebanks/{bank}/sheets", "Алмашуу барагы"),
    ("/timebanks/{bank}/sheets/import", "Толтурулган баракты киргизүү"),
]

class Browser:
    def __init__(self, profile):
        for attempt in (1, 2, 3):
            page, failure = self.start(profile)
            if page:
                break
            print(f"chromium did not start (attempt {attempt}): {failure}", file=sys.stderr)
        else:
            raise SystemExit("chromium did not start")
        self.ws = websocket.create_connection(page["webSocketDebuggerUrl"], timeout=30)
        self.next_id = 0
        self.events = []
        for domain in ("Page", "Runtime", "Log", "Network"):
            self.call(f"{domain}.enable")

    def start(self, profile):
        """Starts Chromium; its first page's target, or None and why not. Port 0: Chromium takes a free
        port and writes it to DevToolsActivePort in the profile, so a port someone else holds cannot stop
        the check. A fresh machine's first start can be slow."""
        active = os.path.join(profile, "DevToolsActivePort")
        if os.path.exists(active):
            os.remove(active)
        self.log = open(os.path.join(profile, "chromium.log"), "w")
        self.proc = subprocess.Popen(
            [shutil.which("chromium") or "chromium", "--headless", "--no-sandbox", "--disable-gpu",
             "--disable-dev-shm-usage", "--remote-debugging-port=0", f"--user-data-dir={profile}",
             "--window-size=390,844", "about:blank"],
            stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.time() + 60
        while True:
            try:
                port = open(active).readline().strip()
                targets = json.load(urllib.request.urlopen(f"http://127.0.0.1:{port}/json"))
                return next(t for t in targets if t["type"] == "page"), None
            except Exception:
                if self.proc.poll() is None and time.time() < deadline:
                    time.sleep(0.2)
                    continue
                self.proc.kill()
                self.proc.wait()
                self.log.close()
                tail = open(self.log.name).read().splitlines()[-15:]
                return None, "exit %s\n  %s" % (self.proc.returncode, "\n  ".join(tail))

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
        self.log.close()


def log_in(browser, args, login, base=None):
    """Logs a demo user in through the login form, as a person would."""
    browser.go((base or args.base) + "/login")
    browser.evaluate(f"""
        document.getElementById('identifier').value = {json.dumps(login)};
        document.getElementById('password').value = 'ashar-demo-2026';
        document.querySelector('form.stack').submit();""")
    browser.wait_for_load()


def caseworker_checks(args, failures):
    """A case worker's pages: her cases, one case with its quick exit (its script loads under the CSP;
    not clicked: it leaves for a site outside, which CI cannot reach), and the form to open one."""
    profile = tempfile.mkdtemp(prefix="ashar-chromium-")
    browser = Browser(profile)
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
    browser = Browser(profile)
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
    browser = Browser(profile)
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


def balances(browser, base, bank):
    """Each member number's balance in minutes, from the bank's register (Kyrgyz: "−6 саат 30 мүнөт")."""
    browser.go(f"{base}/lang/ky?back=/")
    browser.go(f"{base}/timebanks/{bank}/register")
    rows = browser.evaluate("""[...document.querySelectorAll('table tbody tr')].map(tr => [...tr.querySelectorAll('td')].map(td => td.textContent.trim()))""") or []
    found = {}
    for cells in rows:
        text = cells[-1].replace("\u2212", "-")
        hours = re.search(r"(\d+) саат", text)
        minutes = re.search(r"(\d+) мүнөт", text)
        value = (int(hours.group(1)) * 60 if hours else 0) + (int(minutes.group(1)) if minutes else 0)
        found[cells[0]] = -value if text.startswith("-") else value
    return found


def offline_checks(args, failures):
    """The office's batch entry through a line that is cut, then loses an answer, then comes back: the
    slips wait in the browser (also across a reload while cut, the page coming from the service worker),
    are booked once when the line returns however often they were sent, and a refused row comes back
    to be put right."""
    target = urllib.parse.urlparse(args.base)
    line = Line((target.hostname, target.port or 80))
    base = f"http://127.0.0.1:{line.port}"
    profile = tempfile.mkdtemp(prefix="ashar-chromium-")
    browser = Browser(profile)
    def wait(expression, seconds=15):
        deadline = time.time() + seconds
        while time.time() < deadline:
            if browser.evaluate(expression):
                return True
            time.sleep(0.2)
        return False
    def outbox():
        return browser.evaluate("[...document.querySelectorAll('#outbox li')].map(li => li.className + ': ' + li.textContent)") or []
    try:
        log_in(browser, args, "coordinator", base)
        browser.go(base + "/timebanks")
        bank = browser.evaluate("""document.querySelector('table a[href^="/timebanks/"]').getAttribute('href').split('/')[2]""")
        before = balances(browser, base, bank)
        provider, recipient = "0010", "0004"
        batch = f"{base}/timebanks/{bank}/batch"
        browser.go(f"{base}/lang/en?back=/")
        browser.go(batch)
        # A light page over a village's link: the page, its stylesheet and scripts as they travel (no images on it).
        cookie = "; ".join(f"{c['name']}={c['value']}" for c in browser.call("Network.getCookies", urls=[base])["cookies"])
        def fetched(path, encoding="identity"):
            request = urllib.request.Request(base + path, headers={"Cookie": cookie, "Accept-Encoding": encoding})
            return urllib.request.urlopen(request, timeout=30).read()
        page = fetched(f"/timebanks/{bank}/batch")
        assets = re.findall(r'(?:href|src)="(/(?:css|js)/[^"]+)"', page.decode())
        weight = len(page) + sum(len(fetched(a, "gzip")) for a in assets)
        if not assets or weight >= 50 * 1024:
            failures.append(f"offline: the batch page weighs {weight} bytes on the wire with {assets}, not under 50 kB")
        else:
            print(f"{'ok':12} en batch page with its stylesheet and {len(assets) - 1} scripts: {weight // 1024} kB on the wire")
        # The service worker installs; the page opened again goes through it, and it keeps a copy.
        browser.call("Runtime.evaluate", expression="navigator.serviceWorker.ready.then(() => true)", awaitPromise=True, returnByValue=True)
        browser.go(batch)
        if not wait("navigator.serviceWorker.controller !== null"):
            failures.append("offline: the service worker did not take the batch page")
            return
        line.set("cut")
        browser.evaluate(f"""
            const put = (name, value) => {{ const i = document.querySelector(`input[name='rows[0][${{name}}]']`); i.value = value;
                                           i.dispatchEvent(new Event('input', {{bubbles: true}})); }};
            put('provider', {json.dumps(provider)}); put('recipient', {json.dumps(recipient)}); put('hours', '1'); put('minutes', '15');
            document.querySelector("button[value=book]").click();""")
        if not wait("document.querySelectorAll('#outbox li.waiting').length === 1") or not wait("!document.getElementById('outbox-offline').hidden"):
            failures.append(f"offline: the booked rows are not shown as waiting while the line is cut ({outbox()})")
            return
        print(f"{'ok':12} en batch entry, line cut: the slip waits in the browser ({outbox()[0]})")
        # A draft typed and not booked, then the page opened again with the line still cut.
        browser.evaluate("""const i = document.querySelector("input[name='rows[1][slip_number]']"); i.value = 'DRAFT-1';
                            i.dispatchEvent(new Event('input', {bubbles: true}));""")
        time.sleep(1)
        html = browser.go(batch)
        if "Type in a batch of slips" not in html or not wait("document.querySelectorAll('#outbox li.waiting').length === 1") \
                or not wait("document.querySelector(\"input[name='rows[0][slip_number]']\").value === 'DRAFT-1' || document.querySelector(\"input[name='rows[1][slip_number]']\").value === 'DRAFT-1'"):
            failures.append(f"offline: reopened while cut, the page, its waiting slip or the draft is gone ({outbox()})")
            return
        print(f"{'ok':12} en batch page reopened while cut (from the service worker): the slip still waits, the draft is back")
        browser.evaluate("""document.querySelectorAll("input[name$='[slip_number]']").forEach(i => { i.value = ''; i.dispatchEvent(new Event('input', {bubbles: true})); });""")
        # The line returns but loses the answer: Ashar books it, the browser never hears.
        line.set("lose")
        browser.evaluate("window.dispatchEvent(new Event('online'))")
        time.sleep(2)
        if not wait("document.querySelectorAll('#outbox li.waiting').length === 1"):
            failures.append(f"offline: a batch whose answer was lost is no longer waiting ({outbox()})")
            return
        line.set("pass")
        browser.evaluate("window.dispatchEvent(new Event('online'))")
        if not wait("document.querySelectorAll('#outbox li').length === 0 && !document.getElementById('outbox-notice').hidden"):
            failures.append(f"offline: the waiting batch was not sent when the line came back ({outbox()})")
            return
        notice = browser.evaluate("document.getElementById('outbox-notice').textContent")
        after = balances(browser, base, bank)
        moved = (after.get(provider, 0) - before.get(provider, 0), after.get(recipient, 0) - before.get(recipient, 0))
        if moved != (75, -75):
            failures.append(f"offline: sent twice over a line that lost the answer, the balances moved by {moved}, not (75, -75) once")
            return
        print(f"{'ok':12} en line back: sent again with its key, booked once ({notice!r}; balances {moved})")
        # A row Ashar refuses comes back to be put right, never dropped.
        browser.go(f"{base}/lang/en?back=/")
        browser.go(batch)
        browser.evaluate("""
            const put = (name, value) => { const i = document.querySelector(`input[name='rows[0][${name}]']`); i.value = value; };
            put('provider', '9999'); put('recipient', '0004'); put('hours', '1');
            document.querySelector("button[value=book]").click();""")
        if not wait("document.querySelectorAll('#outbox li.refused').length === 1"):
            failures.append(f"offline: a refused row was not kept to resolve ({outbox()})")
            return
        browser.evaluate("document.querySelector('#outbox li.refused button').click()")
        if not wait("document.querySelector(\"input[name='rows[0][provider]']\").value === '9999' && document.querySelectorAll('#outbox li').length === 0"):
            failures.append("offline: the refused row did not go back into the form")
            return
        print(f"{'ok':12} en a refused row is kept with its reason and put back into the form")
        # Survey entry: an interview sent with the line cut waits, and the next respondent gets a blank form
        # with a new interview id; back online, the server's refusal (answers missing) returns it to resolve.
        browser.go(base + "/forms")
        survey = browser.evaluate("""document.querySelector('table a[href^="/forms/"]').getAttribute('href')""") + "/fill"
        browser.go(base + survey)  # through the service worker, which keeps a copy
        first = browser.evaluate("document.querySelector('input[name=instance]').value")
        line.set("cut")
        browser.evaluate("""const r = document.querySelector("input[name='a.remittances'][value='yes']"); r.checked = true;
            r.dispatchEvent(new Event('change', {bubbles: true})); document.querySelector('form.survey button[type=submit]').click();""")
        time.sleep(1)
        browser.wait_for_load()
        if not wait("document.querySelectorAll('#outbox li.waiting').length === 1") or \
                not wait(f"document.querySelector('input[name=instance]').value !== {json.dumps(first)} && !document.querySelector(\"input[name='a.remittances'][value='yes']\").checked"):
            failures.append(f"offline: an interview sent while cut does not wait, or the next form is not blank ({outbox()})")
            return
        print(f"{'ok':12} en survey entry, line cut: the interview waits, a blank form with a new id for the next one")
        line.set("pass")
        browser.evaluate("window.dispatchEvent(new Event('online'))")
        if not wait("document.querySelectorAll('#outbox li.refused').length === 1"):
            failures.append(f"offline: the queued interview did not come back refused for its missing answers ({outbox()})")
            return
        browser.evaluate("document.querySelector('#outbox li.refused button').click()")
        if not wait("document.querySelector(\"input[name='a.remittances'][value='yes']\").checked && document.querySelectorAll('#outbox li').length === 0"):
            failures.append("offline: the refused interview's answers did not go back into the form")
            return
        print(f"{'ok':12} en the refused interview is listed with its reasons and its answers put back into the form")
        # A joint purchase's order typed with the line cut waits, and is saved when it returns.
        browser.go(base + "/producer-groups")
        group = browser.evaluate("""[...document.querySelectorAll('table a[href^="/producer-groups/"]')].find(a => a.textContent.includes('Жибек')).getAttribute('href')""")
        browser.go(base + group)
        round_page = browser.evaluate("""document.querySelector('table a[href^="/rounds/"]').getAttribute('href')""")
        browser.go(base + round_page)  # through the service worker, which keeps a copy
        line.set("cut")
        browser.evaluate("""document.querySelector('details.card').open = true;
            const s = document.getElementById('member_id'); s.value = s.options[1].value;
            document.querySelector("input[name^='quantity_']").value = '3';
            document.querySelector("form[data-offline] button[type=submit]").click();""")
        if not wait("document.querySelectorAll('#outbox li.waiting').length === 1 && document.getElementById('member_id').value === ''"):
            failures.append(f"offline: an order typed while cut does not wait, or its form is not emptied ({outbox()})")
            return
        line.set("pass")
        browser.evaluate("window.dispatchEvent(new Event('online'))")
        if not wait("document.querySelectorAll('#outbox li').length === 0 && document.getElementById('outbox-notice').textContent === 'Saved.'"):
            failures.append(f"offline: the waiting order was not saved when the line came back ({outbox()})")
            return
        print(f"{'ok':12} en a joint purchase's order typed while cut waits, and is saved when the line returns")
        problems = [p for p in browser.problems(base) if "ERR_" not in p and "Failed to load resource" not in p]
        for p in problems:
            failures.append(f"offline: {p}")
    finally:
        browser.close()
        shutil.rmtree(profile, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", default="http://127.0.0.1:8080")
    parser.add_argument("--shots")
    parser.add_argument("--only", choices=["offline"], help="run one check alone (while working on it)")
    args = parser.parse_args()
    failures = []
    if args.only == "offline":
        offline_checks(args, failures)
        print("\n".join(["", "Browser check failed:"] + failures) if failures else "Browser check passed.")
        sys.exit(1 if failures else 0)
    profile = tempfile.mkdtemp(prefix="ashar-chromium-")
    browser = Browser(profile)
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
        statement = link(f"/timebanks/{bank}", f"/timebanks/{bank}/members/")
        reversal = link(statement, f"/timebanks/{bank}/transfers/")  # a line's "reverse", asked once more
        pages = PAGES + [(p.replace("{bank}", bank), t) for p, t in BANK_PAGES] + [
            (group, "Биргелешкен сатып алуулар"), (round_page, "Эсептешүү"), (round_page + "/sheets", "Буйрутма барагы"),
            (round_page + "/distribution", "Бөлүштүрүү тизмеси"), (group + "/pools", "Биргелешкен сатуулар"), (pool, "Кантип эсептелди"),
            (group + "/fund", "Топтун фонду"), (group + "/equipment", "Жалпы шаймандар"), (item, "Кызуу жумаларга кезек"),
            (group + "/suppliers", "Жеткирүүчүлөр жана сатып алуучулар"), (group + "/reminder", "SMS эскертүү"), (supplier, "Баа тизмеси"), (group + "/reports", "<svg"),
            (member, "Акча эсеби"), (survey, "Анкетаны толтуруу"), (survey + "/fill", "Үй-бүлөнүн кирешеси кайдан келет?"),
            (survey + "/analysis?question=needs", "<svg"), (survey + "/analysis?question=needs&by=district", "Мамычалар боюнча рейтинг"),
            (statement, "Эсептен көчүрмө"), (reversal, "Бул алмашууну жокко чыгарасызбы?")]
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
        # A printed exchange sheet's QR code, read back by zbarimg, opens the page where that sheet is typed in.
        browser.go(f"{args.base}/timebanks/{bank}/sheets")
        shot = os.path.join(profile, "sheet.png")
        browser.screenshot(shot, 1280, 900)
        decoded = subprocess.run(["zbarimg", "--quiet", "--raw", shot], capture_output=True, text=True, timeout=60).stdout.split()
        code = browser.evaluate("document.querySelector('.sheet-top strong').textContent")
        if len(decoded) != 1 or not decoded[0].endswith(f"/timebanks/{bank}/sheets/import?sheet={code}"):
            failures.append(f"exchange sheet: its QR code reads {decoded!r}, not the page to type sheet {code} in")
        else:
            print(f"{'ok':12} en exchange sheet {code}: zbarimg reads its QR code as {decoded[0]}")
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
    offline_checks(args, failures)
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
