"""WARC capture: writing, pointers and indexing of archived exchanges."""
