"""AWS-side helpers of the Redshift target: how to reach it (IAM, Secrets Manager) and the Data API.

boto3 is imported inside functions only: the other targets (and `validate`) never need it.
"""
