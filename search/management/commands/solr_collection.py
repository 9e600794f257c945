"""Manage the archive's SolrCloud collections: create (with our configset), alias, reload, delete, list."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from search.solr.admin import SolrAdmin, SolrError


class Command(BaseCommand):
    help = (
        "Manage SolrCloud collections through one node (--url, default SOLR_URL). `create NAME` uploads "
        "search/solr/conf/ as configset NAME and creates the collection; `alias ALIAS NAME` points an "
        "alias at a collection (rebuild into a new one, then switch); `reload NAME` uploads the "
        "configset again and reloads; `delete NAME` drops a collection and its configset; `list`."
    )

    def add_arguments(self, parser):
        parser.add_argument("--url", help="a node's base address, e.g. http://127.0.0.1:8983/solr (default SOLR_URL)")
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        create = actions.add_parser("create", help="upload the configset and create a collection")
        create.add_argument("name")
        create.add_argument("--shards", type=int, default=2)
        create.add_argument("--replicas", type=int, default=2, help="replicas of each shard")
        create.add_argument("--configset", help="the configset's name (default: the collection's)")
        alias = actions.add_parser("alias", help="point ALIAS at collection NAME (created or moved)")
        alias.add_argument("alias")
        alias.add_argument("name")
        reload = actions.add_parser("reload", help="upload the configset again and reload the collection")
        reload.add_argument("name")
        delete = actions.add_parser("delete", help="delete a collection (or, with --alias, an alias)")
        delete.add_argument("name")
        delete.add_argument("--alias", action="store_true", help="NAME is an alias: delete only the alias")
        actions.add_parser("list", help="collections and aliases")

    def handle(self, *args, action, url=None, **options):
        try:
            admin = SolrAdmin(url or settings.SOLR_URL)
            getattr(self, f"do_{action}")(admin, **options)
        except SolrError as error:
            raise CommandError(str(error)) from None

    def do_create(self, admin, name, shards, replicas, configset=None, **options):
        if name in admin.collections():
            raise CommandError(f"Collection {name} exists already (delete it first, or reload it).")
        admin.create_collection(name, shards=shards, replicas=replicas, configset=configset)
        self.stdout.write(f"Created collection {name}: {shards} shards × {replicas} replicas, all active.")

    def do_alias(self, admin, alias, name, **options):
        if name not in admin.collections():
            raise CommandError(f"No collection {name}.")
        before = admin.aliases().get(alias)
        admin.create_alias(alias, name)
        self.stdout.write(f"Alias {alias} → {name}" + (f" (was {before})." if before else "."))

    def do_reload(self, admin, name, **options):
        admin.reload_collection(name)
        self.stdout.write(f"Reloaded collection {name} with search/solr/conf/.")

    def do_delete(self, admin, name, alias=False, **options):
        if alias:
            admin.delete_alias(name)
            self.stdout.write(f"Deleted alias {name}.")
            return
        pointing = [a for a, targets in admin.aliases().items() if name in targets.split(",")]
        if pointing:
            raise CommandError(f"Alias {', '.join(pointing)} points at {name}: move or delete it first.")
        configset = admin.delete_collection(name)
        self.stdout.write(f"Deleted collection {name}" + (f" and its configset {configset}." if configset else "."))

    def do_list(self, admin, **options):
        aliases = admin.aliases()
        collections = admin.collections()
        for name in collections:
            pointing = [a for a, targets in aliases.items() if name in targets.split(",")]
            self.stdout.write(name + (f"  ← {', '.join(pointing)}" if pointing else ""))
        if not collections:
            self.stdout.write("No collections.")
