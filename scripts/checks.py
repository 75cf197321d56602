"""What the process-level checks share (scripts/sync-check.py, disk-full-check.py, pg-restart-check.py):
finding the ashar binary, starting it and waiting for it, and calling its API."""
import json, os, subprocess, time, urllib.error, urllib.request


def ashar_binary(given=None):
    """The binary named, or the debug build's."""
    if given:
        return given
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    return os.path.join(subprocess.check_output(["swift", "build", "--show-bin-path"], cwd=root, text=True).strip(), "ashar")


def wait_for(url, seconds):
    for _ in range(seconds):
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except Exception:
            time.sleep(1)
    raise SystemExit(f"timed out: {url}")


def start(ashar, command, env, work, port, log="server.log"):
    """`ashar COMMAND` on PORT with ENV, its output in WORK/LOG; returns once it answers."""
    process = subprocess.Popen([ashar, command], env=dict(env, PORT=str(port)), cwd=work,
                               stdout=open(os.path.join(work, log), "w"), stderr=subprocess.STDOUT)
    wait_for(f"http://127.0.0.1:{port}/health", 300)
    return process


def token(ashar, env, work, user):
    """A new API token of USER, made by `ashar token create` on the database ENV names."""
    return subprocess.check_output([ashar, "token", "create", "--user", user], env=env, cwd=work, text=True,
                                   stderr=subprocess.DEVNULL).split()[-1]


class Api:
    """Calls to one server's API as one user, in English: (status, JSON body); no answer at all is status 0."""

    def __init__(self, port, token, timeout=30):
        self.port, self.token, self.timeout = port, token, timeout

    def __call__(self, method, path, body=None, key=None):
        headers = {"Authorization": f"Bearer {self.token}", "Content-Type": "application/json", "Accept-Language": "en"}
        if key:
            headers["Idempotency-Key"] = key
        request = urllib.request.Request(f"http://127.0.0.1:{self.port}/api/v1{path}", method=method, headers=headers,
                                         data=json.dumps(body).encode() if body is not None else None)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return response.status, json.load(response)
        except urllib.error.HTTPError as error:
            return error.code, json.load(error)
        except OSError as error:
            return 0, {"error": {"code": type(error).__name__}}
