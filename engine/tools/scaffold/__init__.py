"""``etl-engine init``: draft a pipeline file from a folder of data files (see init.py).

discover (find and group files) → sniff (type them with DuckDB, rehearse the load) → naming
(identifiers, portable types, unique source names) → include (globs) → yaml_writer (the file,
with sketch's star tables and checks commented out).
"""

from engine.tools.scaffold.init import init_pipeline, inspect_folder, show_summary

__all__ = ["init_pipeline", "inspect_folder", "show_summary"]
