"""Measuring Ashar's endpoints from outside, as the load and scale scripts do: a release server on a
data directory, the API with a token, the pages with a logged-in session, latencies with wrk."""
import collections, http.client, json, os, re, subprocess, sys, time

root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def release_binary():
    """The release build of `ashar` (ASHAR_BIN, or the project's .build-release)."""
    return os.environ.get("ASHAR_BIN") or os.path.join(subprocess.check_output(
        ["swift", "build", "-c", "release", "--scratch-path", ".build-release", "--show-bin-path"], cwd=root, text=True).strip(), "ashar")


class Server:
    """`ashar demo` on a data directory (or a PostgreSQL database: a postgres:// URL) and port, until `stop`."""

    def __init__(self, binary, work, data_dir, port):
        self.binary, self.work, self.port = binary, work, port
        self.base = f"http://127.0.0.1:{port}"
        self.env = dict(os.environ, ASHAR_DATA_DIR=data_dir, PORT=str(port), LOG_LEVEL="warning")
        if data_dir.startswith("postgres://"):
            # The database is there; the uploaded files (logos, documents) go beside the script's other work.
            self.env.update(DATABASE_URL=data_dir, ASHAR_DATA_DIR=os.path.join(work, f"files-{port}"))
        self.process = subprocess.Popen([binary, "demo"], cwd=work, env=self.env,
                                        stdout=open(os.path.join(work, f"server-{port}.log"), "w"), stderr=subprocess.STDOUT)
        for _ in range(600):
            try:
                c = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                c.request("GET", "/health")
                if c.getresponse().status == 200:
                    break
            except OSError:
                pass
            if self.process.poll() is not None:
                sys.exit(f"the server stopped: see {self.work}/server-{port}.log")
            time.sleep(0.5)
        else:
            self.stop()
            sys.exit(f"the server did not answer in 5 minutes: see {self.work}/server-{port}.log")
        try:
            self.token = self.ashar("token", "create", "--user", "admin").split()[-1]
            self.cookie = self.session_cookie()
        except BaseException:
            self.stop()
            raise

    def ashar(self, *args):
        return subprocess.check_output([self.binary, *args], cwd=self.work, env=self.env, text=True, stderr=subprocess.STDOUT)

    def api(self, path):
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        c.request("GET", "/api/v1" + path, headers={"Authorization": "Bearer " + self.token})
        r = c.getresponse()
        assert r.status == 200, (path, r.status)
        return json.loads(r.read())

    def session_cookie(self):
        """Logs in as the network admin through the login form, as a browser would."""
        jar = os.path.join(self.work, f"cookies-{self.port}")
        if os.path.exists(jar):
            os.remove(jar)
        form = subprocess.check_output(["curl", "-fsS", "-c", jar, "-b", jar, self.base + "/login"], text=True)
        csrf = re.search(r'name="_csrf" value="([^"]+)"', form).group(1)
        subprocess.check_call(["curl", "-fsS", "-o", "/dev/null", "-c", jar, "-b", jar, "--data-urlencode", "identifier=admin",
                               "--data-urlencode", "password=ashar-demo-2026", "--data-urlencode", f"_csrf={csrf}", self.base + "/login"])
        for line in open(jar):
            fields = line.strip().split("\t")
            if len(fields) == 7 and "session" in fields[5]:
                return f"{fields[5]}={fields[6]}"
        sys.exit("no session cookie after logging in")

    @property
    def auth(self):
        return f"Authorization: Bearer {self.token}"

    @property
    def web(self):
        return f"Cookie: {self.cookie}"

    def stop(self):
        self.process.terminate()
        self.process.wait()


Figures = collections.namedtuple("Figures", "p50 p99 rate")


def wrk(url, header, seconds, clients=2, script=None, env=None):
    """p50 and p99 in milliseconds, and answers a second; exits on an answer other than 2xx (except for a
    booking script, whose limits refuse some)."""
    command = ["wrk", "-t1", f"-c{clients}", f"-d{seconds}s", "--timeout", "30s", "--latency", "-H", header]
    if script:
        command += ["-s", os.path.join(root, "scripts/load", script)]
    out = subprocess.check_output(command + [url], text=True, env=env)
    if "Non-2xx" in out and not script:
        sys.exit(f"{url}: answers other than 2xx\n{out}")

    def ms(label):
        value, unit = re.search(label + r"\s+([\d.]+)(us|ms|s)\b", out).groups()
        return float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]
    return Figures(ms("50%"), ms("99%"), float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)))


def transfers_env(server, bank, members):
    """What scripts/load/transfers.lua needs to book between `members` of `bank`."""
    return dict(os.environ, ASHAR_TOKEN=server.token, ASHAR_BANK=bank, ASHAR_MEMBERS=",".join(members))


def print_ratios(first, second, a, b):
    """A Markdown table of each endpoint's p50 / p99 in `a` and `b` (titled `first`, `second`) and the p50 ratio."""
    print(f"\n| endpoint | p50 / p99 {first} | p50 / p99 {second} | p50 ratio |")
    print("|---|---|---|---|")
    for name in a:
        print(f"| {name} | {a[name][0]:.1f} / {a[name][1]:.1f} ms | {b[name][0]:.1f} / {b[name][1]:.1f} ms | {b[name][0] / a[name][0]:.2f} |")
