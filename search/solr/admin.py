"""Managing the archive's SolrCloud collections over plain HTTP (Solr 9's Configsets and
Collections APIs), through any one node: SolrCloud forwards what that node does not hold.

    admin = SolrAdmin("http://127.0.0.1:8983/solr")
    admin.create_collection("archive_2026", shards=2, replicas=2)   # uploads conf/ as its configset
    admin.create_alias("archive", "archive_2026")                   # searches and writes go to the alias
    admin.delete_collection("archive_2025")                         # and its configset

Each collection gets its own copy of the configset, named like it: rebuilding into a new
collection with a changed schema never touches the live one. No Django here: tests/solr_cluster.py
uses it before any settings exist.
"""

import io
import json
import time
import urllib.error
import urllib.parse
import urllib.request
import zipfile
from pathlib import Path

CONF_DIR = Path(__file__).resolve().parent / "conf"


class SolrError(Exception):
    """Solr answered with an error (its own message), or could not be reached."""


class SolrUnreachable(SolrError):
    pass


def configset_zip(folder: Path = CONF_DIR) -> bytes:
    """The configset as the Configsets API takes it: its files at the zip's top level."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                archive.write(path, path.relative_to(folder).as_posix())
    return buffer.getvalue()


def node_urls(urls: str) -> list[str]:
    """The base addresses in a comma-separated list (SOLR_URL may name several nodes)."""
    return [url.strip().rstrip("/") for url in urls.split(",") if url.strip()]


class SolrAdmin:
    def __init__(self, url: str, timeout: float = 120):
        """`url` is a node's base address, e.g. http://127.0.0.1:8983/solr, or several
        comma-separated: each is tried in turn while the one before cannot be reached."""
        self.urls = node_urls(url or "")
        if not self.urls:
            raise SolrError("No Solr address: set SOLR_URL (e.g. http://127.0.0.1:8983/solr) or pass --url.")
        self.timeout = timeout

    @property
    def url(self) -> str:
        """The node that answered last (the first named, until one fails)."""
        return self.urls[0]

    # --- HTTP ----------------------------------------------------------------------------
    def request(self, path: str, params=None, data: bytes | None = None, content_type: str | None = None) -> dict:
        """GET (or POST `data`) `path` under the base address; Solr's JSON answer. A node that
        cannot be reached is passed over for the next one named."""
        for _ in range(len(self.urls) - 1):
            try:
                return self._request(path, params, data, content_type)
            except SolrUnreachable:
                self.urls.append(self.urls.pop(0))
        return self._request(path, params, data, content_type)

    def _request(self, path, params, data, content_type) -> dict:
        query = urllib.parse.urlencode([*(params or {}).items(), ("wt", "json")], doseq=True)
        request = urllib.request.Request(f"{self.url}/{path.lstrip('/')}?{query}", data=data)
        if content_type:
            request.add_header("Content-Type", content_type)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return json.load(response)
        except urllib.error.HTTPError as error:
            raise SolrError(f"Solr at {self.url} refused {path}: {_error_message(error)}") from None
        except (urllib.error.URLError, ConnectionError, TimeoutError) as error:
            reason = getattr(error, "reason", error)
            raise SolrUnreachable(f"Solr is not reachable at {self.url} ({reason}). Is it running?") from None

    def collections_api(self, action: str, **params) -> dict:
        return self.request("admin/collections", {"action": action, **params})

    # --- configsets ----------------------------------------------------------------------
    def upload_configset(self, name: str, folder: Path = CONF_DIR) -> None:
        """Upload (or replace) configset `name` from `folder`; collections using it need a reload."""
        self.request(
            "admin/configs",
            {"action": "UPLOAD", "name": name, "overwrite": "true", "cleanup": "true"},
            data=configset_zip(folder),
            content_type="application/octet-stream",
        )

    def configsets(self) -> list[str]:
        return self.request("admin/configs", {"action": "LIST"}).get("configSets", [])

    def delete_configset(self, name: str) -> None:
        self.request("admin/configs", {"action": "DELETE", "name": name})

    # --- collections ---------------------------------------------------------------------
    def create_collection(self, name: str, shards: int = 2, replicas: int = 2, configset: str | None = None) -> None:
        """Upload our configset as `configset` (the collection's name by default), then create
        the collection and wait until every replica is active."""
        configset = configset or name
        self.upload_configset(configset)
        self.collections_api(
            "CREATE",
            name=name,
            numShards=shards,
            replicationFactor=replicas,
            **{"collection.configName": configset},
            waitForFinalState="true",
        )
        self.wait_until_active(name)

    def delete_collection(self, name: str, configset: bool = True) -> str | None:
        """Delete the collection and, unless another collection uses it, its configset (whose
        name is returned when it went too)."""
        used = self.configsets_in_use()
        self.collections_api("DELETE", name=name)
        mine = used.pop(name, None)
        if configset and mine and mine not in used.values():
            self.delete_configset(mine)
            return mine
        return None

    def reload_collection(self, name: str) -> None:
        """Upload the configset again and reload the collection, e.g. after a solrconfig change."""
        self.upload_configset(self.collection_configset(name))
        self.collections_api("RELOAD", name=name)

    def set_property(self, collection: str, name: str, value=None) -> None:
        """Set (or, with no value, remove) one of a collection's editable solrconfig properties,
        e.g. "updateHandler.autoSoftCommit.maxTime", through the Config API (in the collection's
        configset overlay); its replicas reload with it."""
        command = {"set-property": {name: value}} if value is not None else {"unset-property": name}
        self.request(f"{collection}/config", data=json.dumps(command).encode(), content_type="application/json")

    def collections(self) -> list[str]:
        return self.collections_api("LIST").get("collections", [])

    def collection_configset(self, name: str) -> str:
        return self.status(name)["configName"]

    def configsets_in_use(self) -> dict[str, str]:
        """{collection: its configset} for every collection."""
        collections = self.collections_api("CLUSTERSTATUS")["cluster"].get("collections", {})
        return {name: state["configName"] for name, state in collections.items()}

    def status(self, name: str) -> dict:
        """The collection's state: {"shards": {"shard1": {"replicas": {...: {"state", "node_name"...}}}}...}."""
        collections = self.collections_api("CLUSTERSTATUS", collection=name)["cluster"]["collections"]
        return collections[name]

    def live_nodes(self) -> list[str]:
        return self.collections_api("CLUSTERSTATUS")["cluster"].get("live_nodes", [])

    def is_active(self, name: str) -> bool:
        live = set(self.live_nodes())
        shards = self.status(name)["shards"].values()
        return all(
            replica["state"] == "active" and replica["node_name"] in live
            for shard in shards
            for replica in shard["replicas"].values()
        )

    def wait_until_active(self, name: str, timeout: float = 90) -> None:
        """Wait until every replica of `name` is active on a live node (after creation, or after
        a node came back and its replicas recovered)."""
        deadline = time.monotonic() + timeout
        while not self.is_active(name):
            if time.monotonic() > deadline:
                raise SolrError(f"Collection {name} still has replicas that are not active after {timeout:.0f} s.")
            time.sleep(0.5)

    # --- aliases -------------------------------------------------------------------------
    def create_alias(self, alias: str, *collections: str) -> None:
        """Point `alias` at `collections` (creating it or moving it at once): rebuild into a new
        collection, then switch the alias to it."""
        self.collections_api("CREATEALIAS", name=alias, collections=",".join(collections))

    def delete_alias(self, alias: str) -> None:
        self.collections_api("DELETEALIAS", name=alias)

    def aliases(self) -> dict[str, str]:
        """{alias: "collection[,collection...]"}."""
        return self.collections_api("LISTALIASES").get("aliases", {})


def _error_message(error: urllib.error.HTTPError) -> str:
    body = error.read().decode("utf-8", "replace")
    try:
        message = json.loads(body).get("error", {}).get("msg")
    except (ValueError, AttributeError):
        message = None
    return f"HTTP {error.code}: {message or body[:300] or error.reason}"
