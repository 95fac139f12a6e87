"""`etl-engine cluster up|status|down` against moto's real HTTP server on loopback.

boto3 talks HTTP to the server exactly as it would to AWS (AWS_ENDPOINT_URL), so
these tests exercise request signing, error codes and waiters, not a patched client.
The server is shared by the module and never reset (rebuilding moto's IAM and EC2
backends costs seconds); instead each test gets its own cluster, role and CIDR, and
checks the result by asking moto with its own boto3 clients.
"""

from __future__ import annotations

import configparser
import itertools
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT
from typer.testing import CliRunner

from engine.cli import app

pytestmark = pytest.mark.moto

PASSWORD = "Qz7UnicornPw42"  # distinctive, so finding it in any output means it leaked
FAST = ("--poll-interval", "0.01")
#: the pipeline whose buckets the role may read: the sample project, pointed at the course's bucket
PIPELINE = ("--pipeline", str(ROOT / "pipeline.yaml"), "--var", "data_root=s3://udacity-dend")
DWH = """\
[AWS]
KEY=
SECRET=

[DWH]
DWH_CLUSTER_TYPE=multi-node
DWH_NUM_NODES=4
DWH_NODE_TYPE=dc2.large
DWH_IAM_ROLE_NAME={role}
DWH_CLUSTER_IDENTIFIER={cluster}
DWH_DB=dwh
DWH_DB_USER=dwhuser
DWH_PORT=5439

[S3]
LOG_DATA=s3://udacity-dend/log_data
SONG_DATA=s3://udacity-dend/song_data
"""


@pytest.fixture(scope="module")
def moto_url() -> Iterator[str]:
    from moto.server import ThreadedMotoServer

    with pytest.MonkeyPatch.context() as env:
        # AmazonS3ReadOnlyAccess is an AWS-managed policy; moto only knows those when asked to.
        # The server runs in this process, so it reads this when it builds its IAM backend.
        env.setenv("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")
        server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        server.start()
        host, port = server.get_host_and_port()  # port=0: the OS picked a free one
        try:
            yield f"http://{host}:{port}"
        finally:
            server.stop()


@dataclass
class Aws:
    iam: Any
    redshift: Any
    ec2: Any
    dir: Path
    n: int

    @property
    def cfg(self) -> Path:
        return self.dir / "dwh.cfg"

    @property
    def cluster(self) -> str:
        return f"dwhcluster{self.n}"

    @property
    def role(self) -> str:
        return f"dwhRole{self.n}"

    @property
    def cidr(self) -> str:
        return f"203.0.113.{self.n}/32"

    def dwh(self, text: str = DWH) -> str:
        return text.format(cluster=self.cluster, role=self.role)


_numbers = itertools.count(1)


@pytest.fixture(scope="module")
def moto_clients(moto_url: str) -> tuple[Any, Any, Any]:
    """The test's own view of moto, made once: explicit settings, so no test's environment changes it."""
    import boto3

    session = boto3.session.Session(
        aws_access_key_id="testing", aws_secret_access_key="testing", region_name="us-west-2"
    )
    iam, redshift, ec2 = (session.client(name, endpoint_url=moto_url) for name in ("iam", "redshift", "ec2"))
    return iam, redshift, ec2


@pytest.fixture
def aws(moto_url: str, moto_clients: tuple[Any, Any, Any], monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Aws:
    n = next(_numbers)
    for name in ("AWS_PROFILE", "AWS_REGION", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN", "DWH_REGION"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_url)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-west-2")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-aws-credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("REDSHIFT_PASSWORD", PASSWORD)
    monkeypatch.chdir(tmp_path)
    aws = Aws(*moto_clients, tmp_path, n)
    aws.cfg.write_text(aws.dwh(), encoding="utf-8")
    return aws


def cli(*args: str) -> Any:
    """Run the real CLI in-process; every output is checked for the password, whatever the test is about."""
    result = CliRunner().invoke(app, ["cluster", *args])
    assert PASSWORD not in result.stdout and PASSWORD not in result.stderr
    assert "Traceback" not in result.stderr
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result


def up(aws: Aws, *args: str) -> Any:
    result = cli("up", "--cidr", aws.cidr, *PIPELINE, *FAST, *args)
    assert result.exit_code == 0, result.stderr
    return result


def ingress(aws: Aws, port: int = 5439) -> list[str]:
    """The CIDRs open on ``port`` that belong to this test (the default group is shared by the module)."""
    cidrs = []
    for group in aws.ec2.describe_security_groups()["SecurityGroups"]:
        for rule in group["IpPermissions"]:
            if rule.get("IpProtocol") == "tcp" and rule.get("FromPort") == port == rule.get("ToPort"):
                cidrs += [r["CidrIp"] for r in rule.get("IpRanges", []) if r["CidrIp"] in (aws.cidr, "0.0.0.0/0")]
    return cidrs


def no_role(aws: Aws, name: str) -> bool:
    try:
        aws.iam.get_role(RoleName=name)
    except aws.iam.exceptions.NoSuchEntityException:
        return True
    return False


def own_group(aws: Aws) -> dict[str, Any] | None:
    groups = aws.ec2.describe_security_groups(
        Filters=[{"Name": "group-name", "Values": [f"etl-engine-{aws.cluster}"]}]
    )["SecurityGroups"]
    return groups[0] if groups else None


def test_up_creates_a_private_encrypted_cluster_with_its_own_group_and_a_scoped_role(aws: Aws) -> None:
    result = up(aws)

    role = aws.iam.get_role(RoleName=aws.role)["Role"]
    trust = role["AssumeRolePolicyDocument"]
    trust = json.loads(trust) if isinstance(trust, str) else trust
    assert "redshift.amazonaws.com" in trust["Statement"][0]["Principal"]["Service"]
    # no account-wide S3 read: an inline policy naming only the bucket the pipeline's sources read
    assert aws.iam.list_attached_role_policies(RoleName=aws.role)["AttachedPolicies"] == []
    policy = aws.iam.get_role_policy(RoleName=aws.role, PolicyName="etl-engine-s3-read")["PolicyDocument"]
    policy = json.loads(policy) if isinstance(policy, str) else policy
    resources = sorted(r for statement in policy["Statement"] for r in statement["Resource"])
    assert resources == ["arn:aws:s3:::udacity-dend", "arn:aws:s3:::udacity-dend/*"]

    cluster = aws.redshift.describe_clusters(ClusterIdentifier=aws.cluster)["Clusters"][0]
    assert (cluster["NodeType"], cluster["NumberOfNodes"], cluster["DBName"], cluster["MasterUsername"]) == (
        "dc2.large",
        4,
        "dwh",
        "dwhuser",
    )
    assert [r["IamRoleArn"] for r in cluster["IamRoles"]] == [role["Arn"]]
    assert cluster["PubliclyAccessible"] is False and cluster["Encrypted"] is True
    group = own_group(aws)
    assert group is not None and group["GroupName"] != "default"
    assert [g["VpcSecurityGroupId"] for g in cluster["VpcSecurityGroups"]] == [group["GroupId"]]
    assert ingress(aws) == [aws.cidr]

    host = cluster["Endpoint"]["Address"]
    assert f"host:      {host}\n" in result.stdout
    assert "port:      5439\n" in result.stdout
    assert "public:    no (reach it from its VPC, or with the Data API)\n" in result.stdout
    assert f"role ARN:  {role['Arn']}\n" in result.stdout
    assert f"created IAM role {aws.role}" in result.stderr and "opened TCP port 5439" in result.stderr
    assert "may read s3://udacity-dend (and no other bucket)" in result.stderr
    # the course's dwh.cfg asks for dc2 nodes, which AWS is retiring
    assert "warning: dc2.large nodes are being retired" in result.stderr and "ra3.large" in result.stderr


def test_public_needs_a_cidr_and_ra3_is_the_default_node_type(aws: Aws) -> None:
    refused = cli("up", "--public", *FAST)
    assert refused.exit_code == 2 and "--public needs --cidr" in refused.stderr
    aws.cfg.write_text(
        aws.dwh().replace("DWH_NODE_TYPE=dc2.large\n", "").replace("DWH_CLUSTER_TYPE=multi-node\n", ""),
        encoding="utf-8",
    )
    result = cli("up", "--public", "--cidr", aws.cidr, *PIPELINE, *FAST)
    assert result.exit_code == 0, result.stderr
    cluster = aws.redshift.describe_clusters(ClusterIdentifier=aws.cluster)["Clusters"][0]
    assert (cluster["NodeType"], cluster["NumberOfNodes"], cluster["PubliclyAccessible"]) == ("ra3.large", 1, True)
    assert "warning" not in result.stderr


def test_without_a_cidr_nothing_is_opened(aws: Aws) -> None:
    result = cli("up", *PIPELINE, *FAST)
    assert result.exit_code == 0, result.stderr
    group = own_group(aws)
    assert group is not None and group["IpPermissions"] == []
    assert "opened" not in result.stderr


def test_up_twice_reuses_everything_and_writes_config(aws: Aws) -> None:
    # A [CLUSTER] left by hand in lower case must be replaced, not duplicated.
    aws.cfg.write_text(aws.dwh() + "\n[CLUSTER]\nhost=old.example.com\nDB_PASSWORD=kept-by-user\n", encoding="utf-8")
    up(aws, "--write-config", "dwh.cfg")
    again = up(aws, "--write-config", "dwh.cfg")
    assert f"reusing IAM role {aws.role}" in again.stderr and f"reusing cluster {aws.cluster}" in again.stderr
    assert f"reusing security group etl-engine-{aws.cluster}" in again.stderr
    assert f"already open to {aws.cidr}" in again.stderr
    assert len(aws.redshift.describe_clusters(ClusterIdentifier=aws.cluster)["Clusters"]) == 1
    assert ingress(aws) == [aws.cidr]

    text = aws.cfg.read_text(encoding="utf-8")
    assert PASSWORD not in text
    assert "HOST=" in text and "host=" not in text
    written = configparser.ConfigParser(interpolation=None)  # as the course's etl.py reads it
    written.read_string(text)
    cluster = aws.redshift.describe_clusters(ClusterIdentifier=aws.cluster)["Clusters"][0]
    assert dict(written["CLUSTER"]) == {
        "host": cluster["Endpoint"]["Address"],
        "db_name": "dwh",
        "db_user": "dwhuser",
        "db_port": "5439",
        "db_password": "kept-by-user",
    }
    assert written["IAM_ROLE"]["ARN"] == aws.iam.get_role(RoleName=aws.role)["Role"]["Arn"]
    assert dict(written["S3"]) == {"log_data": "s3://udacity-dend/log_data", "song_data": "s3://udacity-dend/song_data"}
    assert written["DWH"]["DWH_NUM_NODES"] == "4" and written["AWS"]["KEY"] == ""


def test_write_config_to_a_new_file(aws: Aws) -> None:
    up(aws, "--write-config", "out/connection.cfg")
    written = configparser.ConfigParser()
    written.read(aws.dir / "out" / "connection.cfg")
    assert written.sections() == ["CLUSTER", "IAM_ROLE"]
    assert written["CLUSTER"]["DB_PORT"] == "5439"


def test_status(aws: Aws) -> None:
    missing = cli("status")
    assert missing.exit_code == 1
    assert missing.stderr == f"error: cluster {aws.cluster} does not exist in us-west-2\n"

    up(aws)
    result = cli("status")
    assert result.exit_code == 0, result.stderr
    cluster = aws.redshift.describe_clusters(ClusterIdentifier=aws.cluster)["Clusters"][0]
    out = result.stdout
    assert f"identifier:  {aws.cluster}\n" in out and "status:      available\n" in out
    assert f"endpoint:    {cluster['Endpoint']['Address']}:5439\n" in out
    assert "nodes:       4 x dc2.large\n" in out
    assert f"role ARN:    {aws.iam.get_role(RoleName=aws.role)['Role']['Arn']}\n" in out


def test_down_asks_then_deletes_cluster_group_and_role_and_is_idempotent(aws: Aws) -> None:
    up(aws)
    declined = CliRunner().invoke(app, ["cluster", "down", *FAST], input="n\n")
    assert declined.exit_code == 1 and f"Delete cluster {aws.cluster}" in declined.stderr
    assert "nothing deleted" in declined.stderr
    assert aws.redshift.describe_clusters(ClusterIdentifier=aws.cluster)["Clusters"]
    result = cli("down", "--yes", *FAST)
    assert result.exit_code == 0, result.stderr
    assert f"deleted cluster {aws.cluster}" in result.stderr and f"deleted IAM role {aws.role}" in result.stderr
    assert f"deleted security group etl-engine-{aws.cluster}" in result.stderr
    with pytest.raises(aws.redshift.exceptions.ClusterNotFoundFault):
        aws.redshift.describe_clusters(ClusterIdentifier=aws.cluster)
    assert no_role(aws, aws.role) and own_group(aws) is None

    again = cli("down", "--yes", "--no-wait")
    assert again.exit_code == 0, again.stderr
    assert f"cluster {aws.cluster} does not exist in us-west-2; nothing to delete" in again.stderr
    assert f"IAM role {aws.role} does not exist; nothing to delete" in again.stderr


def test_overrides_single_node_and_credentials_and_password_from_the_file(
    aws: Aws, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "REDSHIFT_PASSWORD"):
        monkeypatch.delenv(name)
    aws.cfg.write_text(
        aws.dwh()
        .replace("KEY=\nSECRET=", "KEY=testing\nSECRET=testing")
        .replace("DWH_PORT=5439", f"DWH_PORT=5439\nDWH_DB_PASSWORD={PASSWORD}"),
        encoding="utf-8",
    )
    other, role = f"other{aws.n}", f"otherRole{aws.n}"
    up(
        aws,
        "--identifier",
        other,
        "--cluster-type",
        "single-node",
        "--node-type",
        "ra3.xlplus",
        "--port",
        "5440",
        "--role-name",
        role,
    )
    cluster = aws.redshift.describe_clusters(ClusterIdentifier=other)["Clusters"][0]
    assert (cluster["NodeType"], cluster["NumberOfNodes"], cluster["Endpoint"]["Port"]) == ("ra3.xlplus", 1, 5440)
    assert not no_role(aws, role) and no_role(aws, aws.role)
    assert ingress(aws, 5440) == [aws.cidr]


def test_missing_key_names_file_and_key_and_touches_nothing(aws: Aws) -> None:
    aws.cfg.write_text(aws.dwh().replace("DWH_DB_USER=dwhuser\n", ""), encoding="utf-8")
    result = cli("up", "--cidr", aws.cidr)
    assert result.exit_code == 2
    assert "error: dwh.cfg:5: DWH.DWH_DB_USER: required setting is missing" in result.stderr
    assert "hint: add DWH_DB_USER=... under [DWH], or pass --db-user" in result.stderr
    assert no_role(aws, aws.role)
    # status does not need the user, so the same file is fine for it
    assert cli("status").exit_code == 1


def test_bad_input_is_refused_before_anything_is_created(aws: Aws, monkeypatch: pytest.MonkeyPatch) -> None:
    named = cli("status", "--config", "nope.cfg")
    assert named.exit_code == 2 and "error: nope.cfg: config file not found" in named.stderr

    aws.cfg.write_text(aws.dwh().replace("DWH_NUM_NODES=4", "DWH_NUM_NODES=four"), encoding="utf-8")
    bad = cli("up", "--cidr", aws.cidr)
    assert bad.exit_code == 2 and "dwh.cfg:7: DWH.DWH_NUM_NODES: 'four' is not a whole number" in bad.stderr
    aws.cfg.write_text(aws.dwh(), encoding="utf-8")

    (aws.dir / "broken.cfg").write_text("no section header\n", encoding="utf-8")
    target = cli("up", "--cidr", aws.cidr, "--write-config", "broken.cfg")
    assert target.exit_code == 2 and "error: broken.cfg:1: not a valid INI file" in target.stderr

    cidr = cli("up", "--cidr", "10.0.0.300/8")
    assert cidr.exit_code == 2 and "is not a network in CIDR form" in cidr.stderr

    monkeypatch.setenv("REDSHIFT_PASSWORD", "short")
    weak = cli("up", "--cidr", aws.cidr)
    assert weak.exit_code == 2 and "password from REDSHIFT_PASSWORD is not one Redshift accepts" in weak.stderr
    assert "short" not in weak.stderr
    monkeypatch.delenv("REDSHIFT_PASSWORD")
    none = cli("up", "--cidr", aws.cidr)
    assert none.exit_code == 2 and "needs a master password: set REDSHIFT_PASSWORD" in none.stderr
    assert no_role(aws, aws.role)


def test_open_to_everyone_is_warned_about(aws: Aws) -> None:
    result = cli("up", "--public", "--cidr", "0.0.0.0/0", "--port", "5441", *FAST)
    assert result.exit_code == 0, result.stderr
    assert "warning: --cidr 0.0.0.0/0 lets every address on the internet" in result.stderr
    assert ingress(aws, 5441) == ["0.0.0.0/0"]


def test_aws_failures_are_one_line_errors(aws: Aws, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")  # discard port: nothing listens
    down = cli("status")
    assert down.exit_code == 1
    assert down.stderr.startswith(
        f"error: describing cluster {aws.cluster} failed: cannot reach AWS at http://127.0.0.1:9"
    )
    assert len(down.stderr.splitlines()) == 1

    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    creds = cli("status")
    assert creds.exit_code == 1 and "failed: no AWS credentials found" in creds.stderr


def test_waiting_gives_up_after_the_timeout(aws: Aws) -> None:
    from engine.tools.cluster.aws import ClusterError, wait_for

    seen: list[str] = []
    with pytest.raises(
        ClusterError,
        match=r"gave up after 0.5 s waiting for cluster ghost to be available "
        r"\(it is not there yet\)",
    ):
        wait_for(aws.redshift, "cluster_available", "ghost", "available", 0.5, 0.05, seen.append)
    assert seen and seen[0].startswith("waiting for ghost to be available: not there yet")
