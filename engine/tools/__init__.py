"""Side commands: ``init`` (draft a pipeline from data files), ``cluster`` (the Redshift warehouse's
AWS resources) and ``compact`` (few large files from many small ones).

They help around a pipeline but are not part of its flow (YAML → model → plan → SQL → adapter),
so they live here and the core never imports them; each is loaded only when its command runs.
"""
