"""cfn-trailwatch: proves that CloudTrail trails in CloudFormation templates deliver to CloudWatch Logs."""

__version__ = "0.1.0"
