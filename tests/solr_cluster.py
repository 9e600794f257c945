"""Run a command against SolrCloud: python tests/solr_cluster.py COMMAND...

With SOLR_URL set, against the cluster it names (no node can be stopped then). Otherwise
against a throwaway cluster in a temporary folder: ZooKeeper and three Solr nodes in one JVM
(tests/solr/, MiniSolrCloudCluster of Solr 9.10), all on 127.0.0.1 on free ports; our configset
(search/solr/conf/) is uploaded and a collection `archive` created (2 shards × 2 replicas).
COMMAND runs with

    SEARCH_ENGINE=solr
    SOLR_URL=http://127.0.0.1:P1/solr          one node's base address (any node serves any collection)
    SOLR_URLS=http://127.0.0.1:P1/solr,...     every node, in the order the control numbers them
    SOLR_ZK_HOST=127.0.0.1:PZ/solr             ZooKeeper, with Solr's chroot
    SOLR_COLLECTION=archive                    the ready collection
    SOLR_CONTROL=http://127.0.0.1:PC           stops and starts one node: see stop_node() below

and the cluster and its folder are gone when COMMAND ends, however it ends (the launcher also
stops by itself when this process dies: its stdin closes).

Java (with javac) and Maven are needed: without them the command is not run, a note says how to
install them, and with CI=true that is an error. The first run downloads the Solr jars into
~/.m2 and compiles the launcher; later runs start straight from the cached classpath.
"""

import json
import os
import queue
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from search.solr.admin import SolrAdmin  # noqa: E402  (the project root is put on the path first)

INSTALL_HINT = "apt-get install default-jdk-headless maven"
LAUNCHER = ROOT / "tests" / "solr"
SOURCE = LAUNCHER / "src" / "main" / "java" / "vn" / "archive" / "solr" / "SolrCloudLauncher.java"
RESOURCES = LAUNCHER / "src" / "main" / "resources"
TARGET = LAUNCHER / "target"
CLASSPATH_FILE = TARGET / "classpath.txt"
CLASSES = TARGET / "classes"
MAIN_CLASS = "vn.archive.solr.SolrCloudLauncher"
NODES = 3
COLLECTION = "archive"
# One JVM for ZooKeeper and every node: small heap, the serial collector and the quick compiler
# keep it light on a shared two-core machine. SOLR_TEST_JVM replaces them (a bench: a bigger heap
# and the optimising compiler, e.g. "-Xmx2g -XX:+UseParallelGC").
JVM_OPTIONS = os.environ.get("SOLR_TEST_JVM", "").split() or [
    "-Xmx512m",
    "-Xss512k",
    "-XX:+UseSerialGC",
    "-XX:TieredStopAtLevel=1",
    "-Djava.awt.headless=true",
]
START_TIMEOUT = 180  # seconds for every node to join


def in_ci():
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


# --- building ----------------------------------------------------------------------------
def missing_tools():
    return [tool for tool in ("java", "javac", "mvn") if shutil.which(tool) is None]


def classpath() -> str:
    """The launcher's dependency classpath, from Maven once, then from target/classpath.txt until
    the pom changes or a jar in it is gone (e.g. ~/.m2 emptied)."""
    pom = LAUNCHER / "pom.xml"
    if CLASSPATH_FILE.exists() and CLASSPATH_FILE.stat().st_mtime >= pom.stat().st_mtime:
        cached = CLASSPATH_FILE.read_text().strip()
        if all(Path(jar).exists() for jar in cached.split(os.pathsep)):
            return cached
    print("Resolving the Solr test cluster's jars with Maven (the first time downloads them)...", flush=True)
    started = time.monotonic()
    subprocess.run(
        ["mvn", "-B", "-q", "-f", str(pom), "dependency:build-classpath", f"-Dmdep.outputFile={CLASSPATH_FILE}"],
        check=True,
    )
    print(f"Resolved in {time.monotonic() - started:.0f} s.", flush=True)
    return CLASSPATH_FILE.read_text().strip()


def build() -> str:
    """Compile the launcher if its source changed; the full classpath to run it."""
    jars = classpath()
    compiled = CLASSES / "vn" / "archive" / "solr" / "SolrCloudLauncher.class"
    if not compiled.exists() or compiled.stat().st_mtime < SOURCE.stat().st_mtime:
        CLASSES.mkdir(parents=True, exist_ok=True)
        subprocess.run(["javac", "-nowarn", "--release", "17", "-d", CLASSES, "-cp", jars, SOURCE], check=True)
    return os.pathsep.join([str(RESOURCES), str(CLASSES), jars])


# --- the running cluster -----------------------------------------------------------------
class Cluster:
    """The launcher process: its first stdout line gives the addresses, then each command written
    to its stdin is answered with one line."""

    def __init__(self, cp: str, folder: Path):
        self.log = folder / "solr.log"
        self.process = subprocess.Popen(
            ["java", *JVM_OPTIONS, f"-Dsolr.log.dir={folder}", "-cp", cp, MAIN_CLASS, str(NODES), folder / "nodes"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.log.open("w"),
            text=True,
            encoding="utf-8",
        )
        self.lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()
        self.lock = threading.Lock()
        line = self._next(START_TIMEOUT)
        if not line.startswith("SOLR_URLS="):
            self.stop()
            raise RuntimeError(f"the Solr test cluster did not start ({line or 'no answer'}).\n{self.log_tail()}")
        fields = dict(word.split("=", 1) for word in line.split())
        self.urls, self.zk_host = fields["SOLR_URLS"].split(","), fields["ZK_HOST"]

    def _read(self):
        for line in self.process.stdout:
            self.lines.put(line.strip())
        self.lines.put("")  # the launcher has exited

    def _next(self, timeout: float) -> str:
        try:
            return self.lines.get(timeout=timeout)
        except queue.Empty:
            return ""

    def command(self, line: str, timeout: float = 120) -> str:
        """Send one command (stop N, start N, status); its answer."""
        with self.lock:
            if self.process.poll() is not None:
                return "ERROR the cluster has exited"
            self.process.stdin.write(line + "\n")
            self.process.stdin.flush()
            return self._next(timeout) or "ERROR no answer"

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:]) if self.log.exists() else ""

    def stop(self):
        if self.process.poll() is None:
            try:
                self.process.stdin.write("quit\n")
                self.process.stdin.close()
                self.process.wait(timeout=60)
            except (OSError, subprocess.TimeoutExpired):
                self.process.kill()
                self.process.wait()


def control_server(cluster: Cluster) -> ThreadingHTTPServer:
    """SOLR_CONTROL: POST /nodes/N/stop, POST /nodes/N/start, GET /nodes; JSON answers."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            if self.path.rstrip("/") != "/nodes":
                return self._answer(404, {"error": "GET /nodes, POST /nodes/N/stop or /nodes/N/start"})
            answer = cluster.command("status").split()
            if answer[0] != "STATUS":
                return self._answer(500, {"error": " ".join(answer)})
            states = dict(word.split("=") for word in answer[1:])
            nodes = [{"node": int(n), "url": cluster.urls[int(n) - 1], "state": s} for n, s in states.items()]
            return self._answer(200, {"nodes": nodes})

        def do_POST(self):
            parts = self.path.strip("/").split("/")
            if len(parts) != 3 or parts[0] != "nodes" or parts[2] not in {"stop", "start"} or not parts[1].isdigit():
                return self._answer(404, {"error": "POST /nodes/N/stop or /nodes/N/start"})
            answer = cluster.command(f"{parts[2]} {parts[1]}").split()
            if answer[0] == "ERROR":
                return self._answer(400, {"error": " ".join(answer[1:])})
            return self._answer(200, {"node": int(answer[1]), "url": answer[2], "state": answer[0].lower()})

        def _answer(self, status, body):
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


# --- for the tests -----------------------------------------------------------------------
def _control(method: str, path: str) -> dict:
    address = os.environ.get("SOLR_CONTROL")
    if not address:
        raise RuntimeError("SOLR_CONTROL is not set: only tests/solr_cluster.py's own cluster can stop a node.")
    request = urllib.request.Request(f"{address}{path}", method=method, data=b"" if method == "POST" else None)
    with urllib.request.urlopen(request, timeout=180) as response:
        return json.load(response)


def stop_node(number: int) -> dict:
    """Stop node `number` (1-based, the order of SOLR_URLS); {"node", "url", "state": "stopped"}."""
    return _control("POST", f"/nodes/{number}/stop")


def start_node(number: int) -> dict:
    """Start it again on its old port and wait till it is live (its replicas then recover)."""
    return _control("POST", f"/nodes/{number}/start")


def nodes() -> list[dict]:
    """[{"node": 1, "url": ..., "state": "up" or "down"}, ...]."""
    return _control("GET", "/nodes")["nodes"]


def interrupted(signum, frame):
    """SIGTERM ends COMMAND and stops the cluster, as Ctrl-C does."""
    raise KeyboardInterrupt


# --- main --------------------------------------------------------------------------------
def main(command):
    if not command:
        print(__doc__, file=sys.stderr)
        return 2
    if os.environ.get("SOLR_URL"):
        print("Running against the Solr cluster SOLR_URL names.", flush=True)
        return subprocess.run(command, env={**os.environ, "SEARCH_ENGINE": "solr"}).returncode
    missing = missing_tools()
    if missing:
        what = f"{', '.join(missing)} {'is' if len(missing) == 1 else 'are'} not installed"
        if in_ci():
            print(f"ERROR: {what}, and CI must run the Solr tests ({INSTALL_HINT}).", file=sys.stderr)
            return 1
        print(f"SKIPPED: {what}, so the Solr tests did not run ({INSTALL_HINT} adds them).")
        return 0
    signal.signal(signal.SIGTERM, interrupted)
    with tempfile.TemporaryDirectory(prefix="archive-solr-") as name:
        folder = Path(name)
        try:
            cp = build()
        except subprocess.CalledProcessError as error:
            print(f"ERROR: building the Solr test cluster failed ({error}).", file=sys.stderr)
            return 1
        started = time.monotonic()
        cluster = server = None
        try:
            cluster = Cluster(cp, folder)
            nodes_up = time.monotonic()
            SolrAdmin(cluster.urls[0]).create_collection(COLLECTION, shards=2, replicas=2)
            server = control_server(cluster)
            print(
                f"Throwaway SolrCloud cluster in {folder}: {NODES} nodes up in {nodes_up - started:.0f} s, "
                f"collection {COLLECTION} in {time.monotonic() - nodes_up:.0f} s more: {' '.join(command)}",
                flush=True,
            )
            env = {
                **os.environ,
                "SEARCH_ENGINE": "solr",
                "SOLR_URL": cluster.urls[0],
                "SOLR_URLS": ",".join(cluster.urls),
                "SOLR_ZK_HOST": cluster.zk_host,
                "SOLR_COLLECTION": COLLECTION,
                "SOLR_CONTROL": f"http://127.0.0.1:{server.server_address[1]}",
            }
            return subprocess.run(command, env=env).returncode
        except Exception as error:
            print(f"ERROR: {error}", file=sys.stderr)
            if cluster:
                print(cluster.log_tail(), file=sys.stderr)
            return 1
        except KeyboardInterrupt:
            return 130
        finally:
            if server:
                server.shutdown()
            if cluster:
                cluster.stop()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
