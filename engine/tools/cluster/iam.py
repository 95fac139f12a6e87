"""The IAM role Redshift assumes to read S3 for COPY, allowed to read only the pipeline's own buckets.

AmazonS3ReadOnlyAccess (what the course notebook attached) reads every bucket in the account;
the role made here gets an inline policy naming just the buckets the pipeline's sources (their
path, JSONPaths file and manifest) live in, as pipeline.yaml says with the vars given.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from engine.tools.cluster.aws import Report, aws_call, error_code

#: what roles made by earlier versions had attached; `down` still detaches it
LEGACY_POLICY = "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"
POLICY_NAME = "etl-engine-s3-read"
TRUST_POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"Service": ["redshift.amazonaws.com", "redshift-serverless.amazonaws.com"]},
            "Action": "sts:AssumeRole",
        }
    ],
}


def source_buckets(pipeline: Path, variables: list[str]) -> list[str]:
    """The S3 buckets the pipeline's sources read, with ``variables`` (``--var NAME=VALUE``) applied."""
    from engine.config import load_pipeline
    from engine.variables import parse_cli_vars

    loaded = load_pipeline(pipeline, parse_cli_vars(variables, Path.cwd()))
    buckets = set()
    for source in loaded.sources.values():
        for where in (source.path, source.jsonpaths, source.manifest):
            if where and where.startswith("s3://"):
                buckets.add(where[5:].partition("/")[0])
    return sorted(buckets)


def read_policy(buckets: list[str]) -> dict[str, Any]:
    """List and read objects in exactly these buckets; nothing else."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": ["s3:ListBucket", "s3:GetBucketLocation"],
                "Resource": [f"arn:aws:s3:::{b}" for b in buckets],
            },
            {"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": [f"arn:aws:s3:::{b}/*" for b in buckets]},
        ],
    }


def ensure_role(iam: Any, name: str, buckets: list[str], report: Report) -> str:
    """Create (or reuse) the role; its S3 policy is set to ``buckets`` every time, so it follows the pipeline."""
    from botocore.exceptions import ClientError

    with aws_call(f"creating IAM role {name}"):
        try:
            role = iam.create_role(
                RoleName=name,
                AssumeRolePolicyDocument=json.dumps(TRUST_POLICY),
                Description="Lets Redshift read the pipeline's S3 buckets for COPY (etl-engine cluster up)",
            )["Role"]
            report(f"created IAM role {name}")
        except ClientError as exc:
            if error_code(exc) != "EntityAlreadyExists":
                raise
            role = iam.get_role(RoleName=name)["Role"]
            report(f"reusing IAM role {name}")
    if not buckets:
        report(
            "warning: no source of the pipeline reads S3, so the role may read no bucket; pass --pipeline "
            "and --var data_root=s3://... to let COPY read the data"
        )
        return str(role["Arn"])
    with aws_call(f"setting the S3 read policy of role {name}"):
        iam.put_role_policy(RoleName=name, PolicyName=POLICY_NAME, PolicyDocument=json.dumps(read_policy(buckets)))
    report(f"role {name} may read s3://{', s3://'.join(buckets)} (and no other bucket)")
    return str(role["Arn"])


def delete_role(iam: Any, name: str, report: Report) -> None:
    """Remove the role's policies, then the role; a role that is not there is fine."""
    from botocore.exceptions import ClientError

    with aws_call(f"deleting IAM role {name}"):
        removals: list[tuple[Any, dict[str, str]]] = [
            (iam.delete_role_policy, {"RoleName": name, "PolicyName": POLICY_NAME}),
            (iam.detach_role_policy, {"RoleName": name, "PolicyArn": LEGACY_POLICY}),
        ]
        for remove, args in removals:
            try:
                remove(**args)
            except ClientError as exc:
                if error_code(exc) != "NoSuchEntity":  # role gone, or policy not there
                    raise
        try:
            iam.delete_role(RoleName=name)
            report(f"deleted IAM role {name}")
        except ClientError as exc:
            if error_code(exc) != "NoSuchEntity":
                raise
            report(f"IAM role {name} does not exist; nothing to delete")
