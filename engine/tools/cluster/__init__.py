"""`etl-engine cluster`: the AWS resources the Redshift warehouse runs on.

settings (dwh.cfg [DWH] + flags) → aws (sessions, one-line errors, waiting) → iam (the COPY
role) → provisioned (a cluster) / serverless (a namespace and workgroup) → connection_file
(write where the warehouse is back into dwh.cfg).
"""
