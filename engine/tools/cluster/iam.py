"""The IAM role Redshift assumes to read S3 for COPY."""

from __future__ import annotations

import json
from typing import Any

from engine.tools.cluster.aws import Report, aws_call, error_code

S3_READ_POLICY = "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"
TRUST_POLICY = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "redshift.amazonaws.com"},
                   "Action": "sts:AssumeRole"}],
}


def ensure_role(iam: Any, name: str, report: Report) -> str:
    from botocore.exceptions import ClientError

    with aws_call(f"creating IAM role {name}"):
        try:
            role = iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(TRUST_POLICY),
                                   Description="Lets Redshift read S3 for COPY (etl-engine cluster up)")["Role"]
            report(f"created IAM role {name}")
        except ClientError as exc:
            if error_code(exc) != "EntityAlreadyExists":
                raise
            role = iam.get_role(RoleName=name)["Role"]
            report(f"reusing IAM role {name}")
    with aws_call(f"attaching {S3_READ_POLICY} to role {name}"):
        iam.attach_role_policy(RoleName=name, PolicyArn=S3_READ_POLICY)  # attaching twice is a no-op in IAM
    return str(role["Arn"])

