"""AWS plumbing for the cluster commands: one-line errors, sessions, clients, waiting with progress.

boto3 is imported inside the functions: the rest of the engine (and `etl-engine validate`) must
not pay for it or even need it.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from engine.errors import EngineError
from engine.tools.cluster.settings import ClusterSettings

Report = Callable[[str], None]


class ClusterError(EngineError):
    """AWS refused or could not be reached; the message says which call and why, on one line."""

    exit_code = 1


@contextmanager
def aws_call(action: str, secret: str | None = None) -> Iterator[None]:
    """Turn any botocore failure into one ClusterError line, with the password scrubbed out."""
    try:
        from botocore.exceptions import (
            BotoCoreError,
            ClientError,
            EndpointConnectionError,
            NoCredentialsError,
        )
    except ImportError:
        raise ClusterError("the cluster commands need boto3: pip install boto3") from None

    def clean(text: str) -> str:
        text = " ".join(text.split())
        return text.replace(secret, "********") if secret else text

    try:
        yield
    except ClientError as exc:
        error = exc.response.get("Error", {})
        code, message = error.get("Code", "Error"), error.get("Message", "")
        raise ClusterError(clean(f"{action} failed: {code}: {message}".rstrip(": "))) from None
    except NoCredentialsError:
        raise ClusterError(
            f"{action} failed: no AWS credentials found; set AWS_ACCESS_KEY_ID and "
            "AWS_SECRET_ACCESS_KEY, AWS_PROFILE, or KEY and SECRET under [AWS] in dwh.cfg"
        ) from None
    except EndpointConnectionError as exc:
        raise ClusterError(
            clean(
                f"{action} failed: cannot reach AWS at {exc.kwargs.get('endpoint_url')}; "
                "check the network, the region and AWS_ENDPOINT_URL"
            )
        ) from None
    except BotoCoreError as exc:
        raise ClusterError(clean(f"{action} failed: {exc}")) from None


def session(settings: ClusterSettings) -> Any:
    """A boto3 session; endpoints follow AWS_ENDPOINT_URL like any boto3 program.

    Callers make only the clients they use: loading a service model (EC2's above all)
    is most of a command's start-up time.
    """
    try:
        import boto3
    except ImportError:
        raise ClusterError("the cluster commands need boto3: pip install boto3") from None
    with aws_call("setting up the AWS session"):
        return boto3.session.Session(
            aws_access_key_id=settings.aws_key, aws_secret_access_key=settings.aws_secret, region_name=settings.region
        )


def client(session: Any, service: str) -> Any:
    with aws_call(f"setting up the AWS {service} client"):
        return session.client(service)


def error_code(exc: BaseException) -> str:
    response = getattr(exc, "response", None)
    return str(response.get("Error", {}).get("Code", "")) if isinstance(response, dict) else ""


def wait_for(
    redshift: Any, waiter_name: str, identifier: str, goal: str, timeout: float, poll: float, report: Report
) -> None:
    """boto3's waiter decides what counts as done or failed; we poll it one attempt at a time to show progress."""
    from botocore.exceptions import WaiterError

    waiter = redshift.get_waiter(waiter_name)
    start = time.monotonic()
    while True:
        with aws_call(f"waiting for cluster {identifier}"):
            try:
                waiter.wait(ClusterIdentifier=identifier, WaiterConfig={"Delay": poll, "MaxAttempts": 1})
                return
            except WaiterError as exc:
                status = _last_status(exc.last_response)
                if not str(exc.kwargs.get("reason", "")).startswith("Max attempts exceeded"):
                    error = (exc.last_response or {}).get("Error")
                    if error:  # an AWS error no acceptor expects (AccessDenied, throttling...)
                        raise ClusterError(
                            f"waiting for cluster {identifier} failed: {error.get('Code')}: {error.get('Message', '')}"
                        ) from None
                    raise ClusterError(f"cluster {identifier} will not become {goal}: it is {status}") from None
        elapsed = time.monotonic() - start
        if elapsed + poll > timeout:
            raise ClusterError(
                f"gave up after {timeout:g} s waiting for cluster {identifier} to be {goal} "
                f"(it is {status}); run the command again to keep waiting, or see "
                "'etl-engine cluster status'"
            )
        report(f"waiting for {identifier} to be {goal}: {status} ({elapsed:.0f} s)")
        time.sleep(poll)


def _last_status(response: Any) -> str:
    if isinstance(response, dict):
        if response.get("Clusters"):
            return str(response["Clusters"][0].get("ClusterStatus", "unknown"))
        if response.get("Error", {}).get("Code") == "ClusterNotFound":
            return "not there yet"
    return "unknown"
