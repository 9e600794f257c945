"""SolrCloud: the archive's configset (conf/) and the calls that manage collections (admin.py)."""
