"""``type: redshift_data_api``: the Redshift target through the Data API (boto3 ``redshift-data``).

The same adapter, SQL and templates as ``type: redshift``; only the connection differs (no
driver, no open port, AWS credentials instead of a database password).  The same as
``type: redshift`` with ``method: data_api``.
"""

from __future__ import annotations

from typing import ClassVar

from engine.targets.contract import Option
from engine.targets.redshift import RedshiftAdapter


class RedshiftDataApiAdapter(RedshiftAdapter):
    name = "redshift_data_api"
    template_dirs = ("redshift",)
    default_method: ClassVar[str] = "data_api"
    options: ClassVar[dict[str, Option]] = {
        k: v
        for k, v in RedshiftAdapter.options.items()
        if k not in ("host", "port", "user", "password", "connect_timeout", "method")
    }


ADAPTER = RedshiftDataApiAdapter
