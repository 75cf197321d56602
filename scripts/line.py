"""A connection between an office and Ashar that the checks control (scripts/browser_check.py,
scripts/sync-check.py)."""
import socket
import threading


class Line:
    """The office's connection, between the browser and Ashar: it passes, is cut (connections refused), or
    loses answers (a request reaches Ashar and is answered, the answer never comes back)."""

    def __init__(self, target):
        self.target = target
        self.mode = "pass"
        self.open = set()
        self.lock = threading.Lock()
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(64)
        self.port = self.listener.getsockname()[1]
        threading.Thread(target=self.accept, daemon=True).start()

    def set(self, mode):
        """A new state of the line; connections the browser keeps alive end with the old one."""
        with self.lock:
            self.mode = mode
            for s in list(self.open):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
            self.open.clear()

    def accept(self):
        while True:
            client, _ = self.listener.accept()
            threading.Thread(target=self.carry, args=(client,), daemon=True).start()

    def carry(self, client):
        with self.lock:
            mode = self.mode
        if mode == "cut":
            client.close()
            return
        upstream = socket.create_connection(self.target)
        with self.lock:
            self.open.update([client, upstream])
        def pipe(source, sink, deliver):
            try:
                while True:
                    data = source.recv(65536)
                    if not data or not deliver:
                        break
                    sink.sendall(data)
            except OSError:
                pass
            for s in (client, upstream):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
        threading.Thread(target=pipe, args=(client, upstream, True), daemon=True).start()
        pipe(upstream, client, mode != "lose")
