"""The long texts of the rule catalogue: each rule's page (docs/rules/<ID>.md), ``--explain``.

Part of the catalogue (``catalog.Rule.doc`` reads it); ``python -m cfn_trailwatch.docs`` renders
it. Each example is a *snippet*: the resources (and parameters) that matter, which replace those
of the same name in :data:`BASELINE`, a template that gives no finding at all. The snippet under
"Example" gives the rule; the one under "Use instead" gives nothing at all. ``tests/test_docs.py``
lints both, embedded in the baseline, with the CLI and with cfn-lint.
"""

from __future__ import annotations

# A trail that passes every rule: delivery proved, retention 365 days, a KMS key on the log group,
# log file validation on, all management events in every region, a grant on the trail's own log
# group only, and an alarm that alerts when no events reach the log group.
BASELINE = """\
AWSTemplateFormatVersion: '2010-09-09'
Resources:
  Trail:
    Type: AWS::CloudTrail::Trail
    Properties:
      IsLogging: true
      IsMultiRegionTrail: true
      S3BucketName: my-trail-bucket
      EnableLogFileValidation: true
      CloudWatchLogsLogGroupArn: !GetAtt TrailLogs.Arn
      CloudWatchLogsRoleArn: !GetAtt TrailRole.Arn
  TrailLogs:
    Type: AWS::Logs::LogGroup
    DeletionPolicy: Retain
    UpdateReplacePolicy: Retain
    Properties:
      RetentionInDays: 365
      KmsKeyId: !GetAtt TrailLogsKey.Arn
  TrailLogsKey:
    Type: AWS::KMS::Key
    DeletionPolicy: Retain
    UpdateReplacePolicy: Retain
    Properties:
      EnableKeyRotation: true
      KeyPolicy:
        Version: '2012-10-17'
        Statement:
          - Sid: AccountAdministers
            Effect: Allow
            Principal: {AWS: !Sub 'arn:${AWS::Partition}:iam::${AWS::AccountId}:root'}
            Action: kms:*
            Resource: '*'
          - Sid: CloudWatchLogsEncrypts
            Effect: Allow
            Principal: {Service: !Sub 'logs.${AWS::Region}.amazonaws.com'}
            Action: [kms:Encrypt*, kms:Decrypt*, kms:ReEncrypt*, kms:GenerateDataKey*, kms:Describe*]
            Resource: '*'
  TrailRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: '2012-10-17'
        Statement:
          - Effect: Allow
            Principal: {Service: cloudtrail.amazonaws.com}
            Action: sts:AssumeRole
      Policies:
        - PolicyName: deliver-to-trail-logs
          PolicyDocument:
            Version: '2012-10-17'
            Statement:
              - Effect: Allow
                Action: [logs:CreateLogStream, logs:PutLogEvents]
                Resource: !GetAtt TrailLogs.Arn
  TrailDeliveryStopped:
    Type: AWS::CloudWatch::Alarm
    Properties:
      AlarmDescription: No CloudTrail events reached the trail's log group for an hour
      Namespace: AWS/Logs
      MetricName: IncomingLogEvents
      Dimensions:
        - Name: LogGroupName
          Value: !Ref TrailLogs
      Statistic: Sum
      Period: 3600
      EvaluationPeriods: 1
      Threshold: 1
      ComparisonOperator: LessThanThreshold
      TreatMissingData: breaching
      AlarmActions: [!Ref SecurityAlerts]
  SecurityAlerts:
    Type: AWS::SNS::Topic
"""

_TRAIL = """\
Resources:
  Trail:
    Type: AWS::CloudTrail::Trail
    Properties:
      IsLogging: true
      IsMultiRegionTrail: true
      S3BucketName: my-trail-bucket
      EnableLogFileValidation: true
{extra}"""

_GROUP = "      CloudWatchLogsLogGroupArn: !GetAtt TrailLogs.Arn\n"
_ROLE = "      CloudWatchLogsRoleArn: !GetAtt TrailRole.Arn\n"
_FIXED_TRAIL = _TRAIL.format(extra=_GROUP + _ROLE)

_ROLE_WITH = """\
Resources:
  TrailRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: '2012-10-17'
        Statement:
          - Effect: Allow
            Principal: {{Service: {principal}}}
            Action: sts:AssumeRole
      Policies:
        - PolicyName: deliver-to-trail-logs
          PolicyDocument:
            Version: '2012-10-17'
            Statement:
              - Effect: Allow
                Action: {actions}
                Resource: {resource}
"""
_FIXED_ROLE = _ROLE_WITH.format(principal="cloudtrail.amazonaws.com",
                                actions="[logs:CreateLogStream, logs:PutLogEvents]",
                                resource="!GetAtt TrailLogs.Arn")

_GROUP_WITH = """\
Resources:
  TrailLogs:
    Type: AWS::Logs::LogGroup
    DeletionPolicy: Retain
    UpdateReplacePolicy: Retain
    Properties:
{properties}"""

# References used by several rules.
_CWL = ("AWS CloudTrail User Guide: Sending events to CloudWatch Logs",
        "https://docs.aws.amazon.com/awscloudtrail/latest/userguide/send-cloudtrail-events-to-cloudwatch-logs.html")
_CFN_TRAIL = ("AWS CloudFormation: AWS::CloudTrail::Trail",
              "https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-cloudtrail-trail.html")
_ROLE_POLICY = ("AWS CloudTrail User Guide: Role policy document for CloudTrail to use CloudWatch Logs",
                "https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-required-policy-for-cloudwatch-logs.html")
_LOG_GROUP = ("AWS CloudFormation: AWS::Logs::LogGroup",
              "https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-logs-loggroup.html")
_SECURITY_HUB = ("AWS Security Hub: CloudTrail controls",
                 "https://docs.aws.amazon.com/securityhub/latest/userguide/cloudtrail-controls.html")
_CONFIG_CWL = ("AWS Config rule cloud-trail-cloud-watch-logs-enabled",
               "https://docs.aws.amazon.com/config/latest/developerguide/cloud-trail-cloud-watch-logs-enabled.html")
_CREATE_TRAIL = ("AWS CloudTrail API Reference: CreateTrail",
                 "https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_CreateTrail.html")
_NIST = ("NIST SP 800-53 Rev. 5", "https://csrc.nist.gov/pubs/sp/800/53/r5/upd1/final")

_CHAIN_UNKNOWN = ("A link that cannot be resolved in the template (a parameter without a value "
                  "beyond its Default and AllowedValues, an import, a role or log group outside "
                  "the template, a condition the analysis cannot judge) is WT1007, never a pass and "
                  "never this rule's failure. Give the deployment's parameter values "
                  "(`--parameters`, `--parameter-file`, or `parameters` in the config file) for the "
                  "exact answer.")

_PARAMETERS = ("A parameter's given value is used; without one, its Default and each of its "
               "AllowedValues are checked, and a failing one is reported with that choice as the "
               "finding's scenario. A parameter without AllowedValues may also take a value the "
               "template does not list: each value the property accepts is then followed (true "
               "and false; All, ReadOnly and WriteOnly…), so the finding names the parameter and "
               "the value it fails with, e.g. `[when Validate='false']`.")

DOCS: dict[str, dict] = {
    "ET1001": {
        "unknown": _CHAIN_UNKNOWN,
        "why": "Without a log group the trail's events go to S3 only: the log-based metric "
               "filters and alarms that watch the account (root sign-in, IAM changes, console "
               "sign-in failures) never see them, and nobody is told in time.",
        "example": _TRAIL.format(extra=_ROLE),
        "fixed": _FIXED_TRAIL,
        "limits": "A trail whose `CloudWatchLogsLogGroupArn` is removed only under some "
                  "condition is reported with that condition.",
        "references": [_CWL, _CFN_TRAIL, _CONFIG_CWL, _SECURITY_HUB],
    },
    "ET1002": {
        "unknown": _CHAIN_UNKNOWN,
        "why": "CloudTrail writes to CloudWatch Logs by assuming this role; without it the "
               "trail cannot deliver, and CloudFormation rejects a log group without a role.",
        "example": _TRAIL.format(extra=_GROUP),
        "fixed": _FIXED_TRAIL,
        "limits": "Only what the template says is judged; the deployed state of the account is "
                  "not read.",
        "references": [_CWL, _CFN_TRAIL, _ROLE_POLICY],
    },
    "ET1003": {
        "unknown": _CHAIN_UNKNOWN,
        "why": "`!Ref` of an `AWS::Logs::LogGroup` is its *name*; CloudTrail needs the ARN "
               "(`arn:<partition>:logs:<region>:<account>:log-group:<name>:*`) and the stack "
               "fails or the trail never delivers. Peer tools only check that the property is "
               "present, so they pass this.",
        "example": _TRAIL.format(extra="      CloudWatchLogsLogGroupArn: !Ref TrailLogs\n" + _ROLE),
        "fixed": _FIXED_TRAIL,
        "limits": "ARNs written with `Fn::Sub`/`Fn::Join` or as literals are read field by field "
                  "and linked back to the template's log group by name only when the partition, "
                  "region and account are the deployment's too. A partition or account that "
                  "provably differs is this rule's failure: CreateTrail wants a log group that "
                  "exists in the trail's own account. Another region is WT1007 (no AWS page says "
                  "CloudTrail refuses it), and so is a literal account ID when the deployment's is "
                  "not declared with `--account-id`; the role's grants are then checked against the "
                  "ARN as written, not against the template's group of that name.",
        "references": [_CWL, _CFN_TRAIL, _LOG_GROUP, _CREATE_TRAIL],
    },
    "ET1004": {
        "unknown": _CHAIN_UNKNOWN,
        "why": "`!Ref` of an `AWS::IAM::Role` is its *name*; CloudTrail needs the role's ARN. "
               "A user ARN or another resource's attribute cannot be assumed either.",
        "example": _TRAIL.format(extra=_GROUP + "      CloudWatchLogsRoleArn: !Ref TrailRole\n"),
        "fixed": _FIXED_TRAIL,
        "limits": "Only what the template says is judged; the deployed state of the account is "
                  "not read. A role ARN is linked to the template's role by name only when its "
                  "partition, account and path are the role's too: IAM identifiers include the "
                  "path, so `role/<name>` is not the ARN of a role with `Path: /service/` (WT1007, "
                  "as no AWS page states that CloudTrail refuses it). A partition or account that "
                  "provably differs is this rule's failure (CreateTrail wants a role that exists in "
                  "the trail's own account).",
        "references": [_CWL, _CFN_TRAIL, _ROLE_POLICY, _CREATE_TRAIL,
                       ("IAM User Guide: IAM identifiers (paths)",
                        "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html")],
    },
    "ET1005": {
        "unknown": _CHAIN_UNKNOWN,
        "why": "CloudTrail assumes the role as the service principal `cloudtrail.amazonaws.com`; "
               "a trust policy for another principal (or an explicit Deny) means the trail can "
               "never write a log line.",
        "example": _ROLE_WITH.format(principal="ec2.amazonaws.com",
                                     actions="[logs:CreateLogStream, logs:PutLogEvents]",
                                     resource="!GetAtt TrailLogs.Arn"),
        "fixed": _FIXED_ROLE,
        "limits": "Conditions such as `aws:SourceArn` and `aws:SourceAccount` are judged against "
                  "the trail's own ARN and account; a condition on a key the analysis does not "
                  "know makes the verdict WT1007, not a pass.",
        "references": [_ROLE_POLICY, _CWL],
    },
    "ET1006": {
        "unknown": _CHAIN_UNKNOWN,
        "why": "CloudTrail needs `logs:CreateLogStream` and `logs:PutLogEvents` on the log "
               "streams `<account>_CloudTrail_<region>` of the trail's log group (and "
               "`o-<org-id>_<account>_CloudTrail_<region>` for an organization trail: one per "
               "account of the organization). Without both, delivery fails silently. The message "
               "names the streams that are not granted when only some are (\"the organization's "
               "log streams (o-${organization-id}_*)\"). An `IsOrganizationTrail` from a parameter "
               "without AllowedValues may be true: the organization's streams are then checked "
               "in that scenario; one that cannot be known (an import) makes what only the "
               "organization's streams lack WT1007.",
        "example": _ROLE_WITH.format(principal="cloudtrail.amazonaws.com",
                                     actions="[logs:CreateLogStream]",
                                     resource="!GetAtt TrailLogs.Arn"),
        "fixed": _FIXED_ROLE,
        "limits": "Every way a policy reaches the role is followed: inline `Policies`, "
                  "`AWS::IAM::Policy`/`ManagedPolicy` naming it, `AWS::IAM::RolePolicy`, "
                  "`ManagedPolicyArns` (template policies and AWS managed policies), capped by a "
                  "permissions boundary of the template. A boundary from outside the template "
                  "is disclosed in the evidence, not evaluated. AWS managed policies come from a "
                  "table of every one as of a snapshot date (what each grants of the two "
                  "actions): an ARN with the wrong path, one under `aws-service-role/` (for "
                  "service-linked roles only) and a deprecated policy cannot be attached to the "
                  "role, so they grant nothing, and \"policies followed\" says why; a name the "
                  "table does not know is WT1007 (\"not an AWS managed policy as of\" that date). "
                  "Policies AWS publishes after the snapshot are not known.",
        "references": [_ROLE_POLICY, _CWL,
                       ("IAM User Guide: Policy evaluation logic",
                        "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html")],
    },
    "WT1007": {
        "unknown": ("Unresolvable values are this rule's subject: every link of the delivery chain that "
                    "cannot be resolved is reported, with the reason, as a warning. Give the "
                    "deployment's parameter values for the exact answer."),
        "why": "What cannot be verified is not a pass: a trail whose log group comes from a "
               "parameter or another stack may deliver, or may not. A pipeline gate that passes "
               "the real deployment parameters gets the exact answer.",
        "example": """\
Parameters:
  LogGroupArn:
    Type: String
Resources:
  Trail:
    Type: AWS::CloudTrail::Trail
    Properties:
      IsLogging: true
      IsMultiRegionTrail: true
      S3BucketName: my-trail-bucket
      EnableLogFileValidation: true
      CloudWatchLogsLogGroupArn: !Ref LogGroupArn
      CloudWatchLogsRoleArn: !GetAtt TrailRole.Arn
""",
        "fixed": _FIXED_TRAIL,
        "limits": "WT1007 is about the delivery chain only (ET1001–ET1006, ET1008). The hygiene "
                  "rules WT2001–IT2006 never report WT1007: what they cannot know, they leave "
                  "unreported. Unknown is this rule's own subject: it reports every link that "
                  "cannot be resolved, with the reason.",
        "references": [_CWL, ("AWS CLI: cloudformation deploy --parameter-overrides",
                              "https://docs.aws.amazon.com/cli/latest/reference/cloudformation/deploy/")],
    },
    "ET1008": {
        "unknown": _CHAIN_UNKNOWN,
        "why": "A trail with `IsLogging: false` exists but records nothing at all.",
        "example": """\
Resources:
  Trail:
    Type: AWS::CloudTrail::Trail
    Properties:
      IsLogging: false
      IsMultiRegionTrail: true
      S3BucketName: my-trail-bucket
      EnableLogFileValidation: true
      CloudWatchLogsLogGroupArn: !GetAtt TrailLogs.Arn
      CloudWatchLogsRoleArn: !GetAtt TrailRole.Arn
""",
        "fixed": _FIXED_TRAIL,
        "limits": "An `IsLogging` that a parameter or condition can make false is reported with "
                  "that scenario; one that cannot be resolved is WT1007.",
        "references": [_CFN_TRAIL, _SECURITY_HUB],
    },
    "WT2001": {
        "unknown": ("A `RetentionInDays` parameter without AllowedValues may take any value "
                    "CloudWatch Logs accepts: the longest accepted retention below the minimum "
                    "(within the parameter's `MinValue` and `MaxValue`) is the failing scenario, "
                    "e.g. `[when Days='180']`; a `MinValue` of at least the minimum passes. A value "
                    "that cannot be known at all (an import) is reported by this rule as "
                    "unverifiable, not as WT1007, which is about delivery. " + _PARAMETERS),
        "details": "Only the log group the trail's `CloudWatchLogsLogGroupArn` resolves to is "
                   "checked, not every log group of the template. A log group without "
                   "`RetentionInDays` keeps events for ever and passes. Set the minimum with "
                   "`rules: {WT2001: {min_retention_days: 400}}` in the config file, or "
                   "`-x WT2001:min_retention_days=400` in cfn-lint.",
        "why": "The CloudWatch Logs copy of the audit trail is what investigators query and "
               "what alarms are built on. OMB M-21-31 asks for 12 months of logs in active "
               "storage (and 18 months in all); a shorter retention deletes the evidence before "
               "an incident is found.",
        "example": _GROUP_WITH.format(properties="      RetentionInDays: 30\n"
                                                 "      KmsKeyId: !GetAtt TrailLogsKey.Arn\n"),
        "fixed": _GROUP_WITH.format(properties="      RetentionInDays: 365\n"
                                               "      KmsKeyId: !GetAtt TrailLogsKey.Arn\n"),
        "limits": "`RetentionInDays` from a parameter follows the usual parameter semantics: a "
                  "given value is used; otherwise its Default and each of its AllowedValues are "
                  "checked, and a short one is reported with that choice as its scenario. "
                  "A log group outside the template is not checked (its retention is not in the "
                  "template).",
        "references": [_LOG_GROUP,
                       ("AWS Config rule cw-loggroup-retention-period-check",
                        "https://docs.aws.amazon.com/config/latest/developerguide/cw-loggroup-retention-period-check.html"),
                       ("OMB M-21-31: Improving the Federal Government's Investigative and Remediation Capabilities",
                        "https://www.whitehouse.gov/wp-content/uploads/2021/08/M-21-31-Improving-the-Federal-Governments-Investigative-and-Remediation-Capabilities-Related-to-Cybersecurity-Incidents.pdf")],
    },
    "WT2002": {
        "unknown": ("A `KmsKeyId` that cannot be resolved (a parameter without a listed value, an "
                    "import) is a key: no finding. An empty string or `AWS::NoValue` that a "
                    "parameter's Default or a condition can give fails in that scenario. "
                    + _PARAMETERS),
        "details": "Only the trail's own log group is checked. `KmsKeyId` absent, empty or "
                   "`AWS::NoValue` (in some scenario) fails; any other value passes.",
        "why": "CloudWatch Logs always encrypts at rest, but only a customer managed KMS key "
               "puts the audit records under a key policy you control, with its use logged and "
               "its revocation possible.",
        "example": _GROUP_WITH.format(properties="      RetentionInDays: 365\n"),
        "fixed": _GROUP_WITH.format(properties="      RetentionInDays: 365\n"
                                               "      KmsKeyId: !GetAtt TrailLogsKey.Arn\n"),
        "limits": "The key's policy is not checked (CloudWatch Logs must be allowed to use the "
                  "key, or the log group cannot be created). A parameter whose Default is the "
                  "empty string fails in that scenario. A log group outside the template is not "
                  "checked.",
        "references": [_LOG_GROUP,
                       ("Amazon CloudWatch Logs: Encrypt log data using AWS KMS",
                        "https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html"),
                       ("AWS Config rule cloudwatch-log-group-encrypted",
                        "https://docs.aws.amazon.com/config/latest/developerguide/cloudwatch-log-group-encrypted.html")],
    },
    "WT2003": {
        "unknown": ("A `LogGroupName` that cannot be resolved cannot tie the filter to the trail: no "
                    "finding. A `DestinationArn` that cannot be resolved is reported: with the "
                    "default empty allow-list every subscription is, and with a configured list "
                    "a destination that cannot be shown to match it is reported for review. "
                    + _PARAMETERS),
        "details": "An `AWS::Logs::SubscriptionFilter` is on the trail's log group when its "
                   "`LogGroupName` is `!Ref` of that group or the group's name. Its "
                   "`DestinationArn` must match one of the ARN patterns of the option "
                   "`allowed_destinations` (`*` and `?` wildcards, case-sensitive). The list is "
                   "empty by default, so every subscription on the trail's log group is reported "
                   "for review. Set it in the config file (`rules: {WT2003: {allowed_destinations: "
                   "[...]}}`) or in cfn-lint's config file (`configure_rules: {WT2003: "
                   "{allowed_destinations: [...]}}`); cfn-lint's `-x` splits values at `:` and "
                   "`,`, so it cannot carry an ARN.",
        "why": "A subscription copies every audit record to another destination, possibly in "
               "another account: an unreviewed one is a data flow out of the audit boundary.",
        "config": {"WT2003": {"allowed_destinations": [
            "arn:aws:logs:*:111122223333:destination:central-*"]}},
        "example": """\
Resources:
  ShipTrailEvents:
    Type: AWS::Logs::SubscriptionFilter
    Properties:
      LogGroupName: !Ref TrailLogs
      FilterPattern: ''
      DestinationArn: arn:aws:logs:us-east-1:444455556666:destination:partner-siem
""",
        "fixed": """\
Resources:
  ShipTrailEvents:
    Type: AWS::Logs::SubscriptionFilter
    Properties:
      LogGroupName: !Ref TrailLogs
      FilterPattern: ''
      DestinationArn: arn:aws:logs:us-east-1:111122223333:destination:central-siem
""",
        "limits": "Subscriptions created outside the template (by hand, by another stack) are "
                  "not seen. A destination given as `!GetAtt` of a stream or function of the "
                  "template is not an ARN the patterns can be compared with, so with a configured "
                  "allow-list it is reported: an allow-list accepts only what it can vouch for.",
        "references": [("Amazon CloudWatch Logs: Real-time processing of log data with subscriptions",
                        "https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/Subscriptions.html"),
                       ("AWS CloudFormation: AWS::Logs::SubscriptionFilter",
                        "https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-logs-subscriptionfilter.html")],
    },
    "WT2004": {
        "unknown": ("An `EnableLogFileValidation` that cannot be known (an import) is reported by "
                    "this rule as unverifiable (\"cannot tell whether EnableLogFileValidation is "
                    "true\"), not as WT1007, which is about delivery. " + _PARAMETERS),
        "details": "`EnableLogFileValidation` absent (the default is false), false or "
                   "`AWS::NoValue` fails; true passes.",
        "why": "With validation on, CloudTrail writes a signed digest file every hour, so "
               "anyone can prove that a log file was not changed or deleted after delivery. "
               "Without it, tampering with the audit record cannot be detected.",
        "example": """\
Resources:
  Trail:
    Type: AWS::CloudTrail::Trail
    Properties:
      IsLogging: true
      IsMultiRegionTrail: true
      S3BucketName: my-trail-bucket
      EnableLogFileValidation: false
      CloudWatchLogsLogGroupArn: !GetAtt TrailLogs.Arn
      CloudWatchLogsRoleArn: !GetAtt TrailRole.Arn
""",
        "fixed": _FIXED_TRAIL,
        "limits": "Validation covers the S3 copy of the log files, not the CloudWatch Logs copy.",
        "references": [("AWS CloudTrail User Guide: Validating CloudTrail log file integrity",
                        "https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-log-file-validation-intro.html"),
                       ("AWS Config rule cloud-trail-log-file-validation-enabled",
                        "https://docs.aws.amazon.com/config/latest/developerguide/cloud-trail-log-file-validation-enabled.html"),
                       _SECURITY_HUB],
    },
    "WT2005": {
        "unknown": ("A parameter without AllowedValues in `ReadWriteType`, "
                    "`IncludeManagementEvents`, or an `eventCategory` or `readOnly` field selector "
                    "is followed with each word the field accepts. When a selector still cannot be "
                    "read (an import, an event source from a parameter) and the others do not take "
                    "every management event, this rule reports that it cannot tell (\"cannot tell "
                    "whether its EventSelectors take every management event\"); when the others "
                    "already take them all, there is nothing to report. " + _PARAMETERS),
        "details": "A trail without `EventSelectors` and `AdvancedEventSelectors` (or with an "
                   "empty list) logs every management event, read and write, and passes. "
                   "Otherwise an event is logged when *any* selector takes it, so the selectors "
                   "are read together: a data-event selector with `IncludeManagementEvents: "
                   "false` beside one that takes all management events is fine.\n\n"
                   "`EventSelectors`: a selector takes management events unless "
                   "`IncludeManagementEvents` is false; `ReadWriteType` `ReadOnly` or `WriteOnly` "
                   "takes one half only (`All` is the default); `ExcludeManagementEventSources` "
                   "leaves those event sources out.\n\n"
                   "`AdvancedEventSelectors`: a selector's field selectors must all hold. It takes "
                   "management events when its `eventCategory` field takes the value "
                   "`Management`; its `readOnly` field decides the halves (`Equals: [\"true\"]` "
                   "read-only, `[\"false\"]` write, absent both); `eventSource` with `Equals` or "
                   "`NotEquals` keeps or leaves out those sources. A selector narrowed by any "
                   "other field, or by `eventSource` with `StartsWith`/`EndsWith` operators, takes "
                   "only *some* management events and is not counted as taking any. So one "
                   "selector with `eventCategory = Management` and no other field takes all of "
                   "them; two selectors with `readOnly` true and false together do too.\n\n"
                   "The finding says which half, or which event sources, no selector takes.",
        "why": "Management events are the control-plane record: who changed IAM, who opened a "
               "security group, who stopped the trail. Dropping the write half loses the changes; "
               "dropping the read half loses reconnaissance; excluding KMS or RDS Data API events "
               "hides key and data access.",
        "example": """\
Resources:
  Trail:
    Type: AWS::CloudTrail::Trail
    Properties:
      IsLogging: true
      IsMultiRegionTrail: true
      S3BucketName: my-trail-bucket
      EnableLogFileValidation: true
      CloudWatchLogsLogGroupArn: !GetAtt TrailLogs.Arn
      CloudWatchLogsRoleArn: !GetAtt TrailRole.Arn
      EventSelectors:
        - ReadWriteType: WriteOnly
          IncludeManagementEvents: true
""",
        "fixed": """\
Resources:
  Trail:
    Type: AWS::CloudTrail::Trail
    Properties:
      IsLogging: true
      IsMultiRegionTrail: true
      S3BucketName: my-trail-bucket
      EnableLogFileValidation: true
      CloudWatchLogsLogGroupArn: !GetAtt TrailLogs.Arn
      CloudWatchLogsRoleArn: !GetAtt TrailRole.Arn
      AdvancedEventSelectors:
        - Name: All management events
          FieldSelectors:
            - Field: eventCategory
              Equals: [Management]
""",
        "limits": "Each trail is judged alone: a trail meant for data events only, beside "
                  "another trail that records the management events, is reported (waive it in "
                  "the config file, or suppress WT2005 on that trail). "
                  "Data events and Insights events are not required by this rule. A selector "
                  "narrowed by fields other than `eventCategory`, `readOnly` and `eventSource` is "
                  "not counted even if, together with others, it would complete the set. "
                  "A selector whose values cannot be resolved (a parameter without a listed "
                  "value) may take the missing events, so the rule then reports nothing.",
        "references": [("AWS CloudTrail User Guide: Logging management events",
                        "https://docs.aws.amazon.com/awscloudtrail/latest/userguide/logging-management-events-with-cloudtrail.html"),
                       ("AWS CloudTrail API Reference: AdvancedEventSelector",
                        "https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_AdvancedEventSelector.html"),
                       ("AWS Config rule multi-region-cloudtrail-enabled",
                        "https://docs.aws.amazon.com/config/latest/developerguide/multi-region-cloudtrail-enabled.html"),
                       _SECURITY_HUB],
    },
    "IT2006": {
        "unknown": ("An `Action` or `Resource` entry that cannot be resolved (a parameter, an import) "
                    "is not reported. When the role or its policies cannot be read at all, the "
                    "delivery chain reports WT1007 and this rule reports nothing. " + _PARAMETERS),
        "details": "Only the statements that let the trail's role deliver (allow "
                   "`logs:CreateLogStream` or `logs:PutLogEvents` on the trail's log streams) are "
                   "read. Such a statement is wider than needed when:\n\n"
                   "- its `Action` is `*`, or a wildcard pattern (`logs:*`, `logs:Put*`) that also "
                   "matches an action delivery never needs (`logs:DeleteLogGroup`, "
                   "`logs:PutRetentionPolicy`, `logs:PutSubscriptionFilter`, …), or it uses "
                   "`NotAction`;\n"
                   "- one of its `Resource` patterns is `*`, has a wildcard in the log group name "
                   "(`log-group:*`, `log-group:/aws/*`), the region or the account, names "
                   "another log group or region, or it uses `NotResource`.\n\n"
                   "Explicitly listed extra actions (`logs:DescribeLogStreams`) are not reported. "
                   "Wildcards after the log group name (`log-group:<name>:*`, "
                   "`log-stream:*`) are what delivery needs and pass.",
        "why": "The role exists for one purpose: writing the trail's events. A grant on every "
               "log group, or on every CloudWatch Logs action, lets whoever can pass or assume the "
               "role also delete or rewrite other audit logs. The seed's sample template grants "
               "`Resource: '*'`.",
        "example": _ROLE_WITH.format(principal="cloudtrail.amazonaws.com",
                                     actions="'logs:*'", resource="'*'"),
        "fixed": _FIXED_ROLE,
        "limits": "Each granting statement is read as written: an explicit Deny or a permissions "
                  "boundary that narrows it is not taken into account. cfn-lint shows "
                  "informational rules only with `--include-checks I` (or `-c I`).",
        "references": [_ROLE_POLICY,
                       ("IAM User Guide: Apply least-privilege permissions",
                        "https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#grant-least-privilege"),
                       ("AWS Config rule iam-policy-no-statements-with-full-access",
                        "https://docs.aws.amazon.com/config/latest/developerguide/iam-policy-no-statements-with-full-access.html")],
    },
    "WT2007": {
        "unknown": ("An `IsMultiRegionTrail` or `IncludeGlobalServiceEvents` that cannot be known (an "
                    "import) is reported by this rule as unverifiable (\"cannot tell whether it is "
                    "multi-region\"), not as WT1007, which is about delivery. Selectors that cannot "
                    "be read count as possibly taking no management events: the trail is then "
                    "excused only beside a multi-region trail that records them. " + _PARAMETERS),
        "details": "`IsMultiRegionTrail` absent (the default is false), false or `AWS::NoValue` "
                   "fails for a trail that records management events; so does "
                   "`IncludeGlobalServiceEvents` false (absent is true). Whether a trail records "
                   "management events is read from its selectors as WT2005 reads them: no "
                   "selectors, or any selector that takes some management events, records them.\n\n"
                   "An account needs one multi-region trail, not every trail to be one: a trail "
                   "whose `EventSelectors`/`AdvancedEventSelectors` take no management events (a "
                   "data-events or Insights trail) passes when another trail of the same template "
                   "exists in that scenario, is multi-region, includes global service events and "
                   "records management events. Alone, it is reported (\"no other trail of the "
                   "template is a multi-region trail that records them\").\n\n"
                   "A multi-region trail with `IncludeGlobalServiceEvents: false` is always "
                   "reported: CloudTrail refuses to create it (CreateTrail fails with \"Multi-Region "
                   "trail must include global service events\"), so the stack cannot deploy.",
        "why": "A single-region trail records nothing of what happens in the other regions: an "
               "attacker who starts instances or creates keys in a region nobody uses is not seen. "
               "Global services (IAM, STS, CloudFront) log to us-east-1, so a trail without global "
               "service events misses changes to users, roles and credentials. This is the seed's "
               "first troubleshooting step, and its sample template sets `IsMultiRegionTrail: false`.",
        "example": """\
Resources:
  Trail:
    Type: AWS::CloudTrail::Trail
    Properties:
      IsLogging: true
      IsMultiRegionTrail: false
      S3BucketName: my-trail-bucket
      EnableLogFileValidation: true
      CloudWatchLogsLogGroupArn: !GetAtt TrailLogs.Arn
      CloudWatchLogsRoleArn: !GetAtt TrailRole.Arn
""",
        "fixed": _FIXED_TRAIL,
        "limits": "Only the template is read: a data-events trail whose account's multi-region "
                  "trail lives in another stack (an organization trail, a central logging stack) is "
                  "reported; waive it in the config file or suppress WT2007 on that trail. Another "
                  "trail excuses it only when the template shows it multi-region with management "
                  "events; whether that trail logs (`IsLogging`) is ET1008's business. `--fix` sets "
                  "`IsMultiRegionTrail: true` (and a false `IncludeGlobalServiceEvents` to true), "
                  "both or neither; a value from a parameter or an import is left to a person "
                  "(docs/fix.md).",
        "references": [_SECURITY_HUB, _CFN_TRAIL,
                       ("AWS CloudTrail User Guide: Working with CloudTrail trails (multi-Region trails)",
                        "https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-concepts.html#cloudtrail-concepts-trails"),
                       ("AWS CloudTrail User Guide: Global service events",
                        "https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-concepts.html#cloudtrail-concepts-global-service-events"),
                       _CREATE_TRAIL,
                       ("AWS Config rule multi-region-cloudtrail-enabled",
                        "https://docs.aws.amazon.com/config/latest/developerguide/multi-region-cloudtrail-enabled.html"),
                       ("CIS AWS Foundations Benchmark", "https://www.cisecurity.org/benchmark/amazon_web_services")],
    },
    "WT2008": {
        "unknown": ("A name that cannot be known (an import) is reported by this rule (\"cannot tell "
                    "whether the name of its log group ... matches\"); so is a name from a parameter "
                    "without AllowedValues, which a deployment may set to anything. A parameter's "
                    "Default and AllowedValues are each checked, and a failing one is reported with "
                    "that choice as the finding's scenario."),
        "details": "The rule is off until `log_group_name` is set, in the config file "
                   "(`rules: {WT2008: {log_group_name: /aws/cloudtrail/*}}`) or in cfn-lint "
                   "(`-x WT2008:log_group_name=/aws/cloudtrail/*`, or `configure_rules` in "
                   "`.cfnlintrc`). The name of the trail's log group is its `LogGroupName` (a "
                   "literal, `Fn::Sub` of the stack's name, a parameter…), or for a log group "
                   "outside the template the name in the trail's ARN. `*` matches any run of "
                   "characters and `?` one, case-sensitive.\n\n"
                   "A log group without `LogGroupName` gets a name CloudFormation generates, "
                   "`<stack>-<logical ID>-<suffix>`, made of letters, digits and hyphens: "
                   "`*` matches it, `/aws/cloudtrail/*` provably cannot (a `/` is not in its "
                   "alphabet), and a pattern it might match (`trail-*`) is reported as \"cannot "
                   "tell\".",
        "why": "Metric filters, subscriptions, dashboards and IAM policies of a central team are "
               "written against one naming scheme (`/aws/cloudtrail/<trail>`); a log group named "
               "otherwise escapes all of them without an error. This is the seed's third "
               "troubleshooting step: the log group name matches the desired configuration.",
        "config": {"WT2008": {"log_group_name": "/aws/cloudtrail/*"}},
        "example": _GROUP_WITH.format(properties="      LogGroupName: /security/trail-events\n"
                                                 "      RetentionInDays: 365\n"
                                                 "      KmsKeyId: !GetAtt TrailLogsKey.Arn\n"),
        "fixed": _GROUP_WITH.format(properties="      LogGroupName: /aws/cloudtrail/trail-events\n"
                                               "      RetentionInDays: 365\n"
                                               "      KmsKeyId: !GetAtt TrailLogsKey.Arn\n"),
        "limits": "Only the log group's name is checked; CloudTrail names the log streams itself "
                  "(`<account>_CloudTrail_<region>`), so they are not configurable and not checked "
                  "here (ET1006 checks that the role may write them). One pattern only: list "
                  "alternatives with a wider pattern.",
        "references": [_LOG_GROUP, _CWL,
                       ("Amazon CloudWatch Logs API Reference: CreateLogGroup (log group names)",
                        "https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_CreateLogGroup.html"),
                       ("AWS CloudFormation: Name type (generated names)",
                        "https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-properties-name.html")],
    },
    "IT2009": {
        "unknown": ("An alarm setting from a parameter without AllowedValues (`TreatMissingData`, "
                    "`ComparisonOperator`, `ActionsEnabled`) is followed with each value it accepts; "
                    "a value that cannot be known (an import, a `Threshold` from a parameter) makes "
                    "the alarm one that cannot be shown to alert, and this rule reports it as such. "
                    "A `LogGroupName` dimension that cannot be resolved does not tie the alarm to "
                    "the trail. " + _PARAMETERS),
        "details": "An `AWS::CloudWatch::Alarm` watches the trail's delivery when its `Namespace` is "
                   "`AWS/Logs`, its `MetricName` `IncomingLogEvents`, and one of its `Dimensions` is "
                   "`LogGroupName` with `!Ref` of the trail's log group or its name. It alerts when "
                   "delivery stops when:\n\n"
                   "- `ComparisonOperator` is `LessThanThreshold` with a `Threshold` above 0, or "
                   "`LessThanOrEqualToThreshold` with one of at least 0 (e.g. `Sum` below 1): a "
                   "period without events reads 0 whatever the `Statistic`;\n"
                   "- `TreatMissingData` is `breaching`: when nothing arrives the metric has no data "
                   "point at all, and the default (`missing`) leaves the alarm without state;\n"
                   "- `ActionsEnabled` is not false and `AlarmActions` lists at least one action.\n\n"
                   "One alarm that does all of it, in every scenario, is enough. Otherwise the "
                   "finding says what is missing: no alarm on that metric and group, or the first "
                   "such alarm and each thing it lacks (\"TreatMissingData is not set (missing: the "
                   "default), not breaching\").",
        "why": "Delivery that worked yesterday stops silently: the role is edited, the trail is "
               "stopped, the log group is deleted and recreated. CloudTrail reports nothing, and the "
               "metric filters built on the log group simply stop firing, which looks the same as "
               "a quiet account. An alarm on the group's incoming events is the one signal that "
               "the audit trail itself went dark. This is the seed's fifth troubleshooting step.",
        "example": """\
Resources:
  TrailDeliveryStopped:
    Type: AWS::CloudWatch::Alarm
    Properties:
      Namespace: AWS/Logs
      MetricName: IncomingLogEvents
      Dimensions:
        - Name: LogGroupName
          Value: !Ref TrailLogs
      Statistic: Sum
      Period: 3600
      EvaluationPeriods: 1
      Threshold: 1
      ComparisonOperator: LessThanThreshold
      AlarmActions: [!Ref SecurityAlerts]
""",
        "fixed": """\
Resources:
  TrailDeliveryStopped:
    Type: AWS::CloudWatch::Alarm
    Properties:
      Namespace: AWS/Logs
      MetricName: IncomingLogEvents
      Dimensions:
        - Name: LogGroupName
          Value: !Ref TrailLogs
      Statistic: Sum
      Period: 3600
      EvaluationPeriods: 1
      Threshold: 1
      ComparisonOperator: LessThanThreshold
      TreatMissingData: breaching
      AlarmActions: [!Ref SecurityAlerts]
""",
        "limits": "Only alarms of the template are seen: one in a central monitoring stack is not, "
                  "so the rule is informational (cfn-lint shows it with `--include-checks I`). "
                  "Alarms on metric math (`Metrics`), composite alarms, `IncomingBytes` and "
                  "EventBridge rules on CloudTrail's own errors are not recognised. The period and "
                  "the number of evaluation periods (how soon it fires) are not judged, nor whether "
                  "the action's topic has a subscriber.",
        "references": [("Amazon CloudWatch Logs: Monitoring with CloudWatch metrics (IncomingLogEvents)",
                        "https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CloudWatch-Logs-Monitoring-CloudWatch-Metrics.html"),
                       ("Amazon CloudWatch: Configuring how alarms treat missing data",
                        "https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html#alarms-and-missing-data"),
                       ("AWS CloudFormation: AWS::CloudWatch::Alarm",
                        "https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-cloudwatch-alarm.html"),
                       _CWL],
    },
}

for _doc in DOCS.values():
    _doc.setdefault("references", [])
    if _NIST not in _doc["references"]:
        _doc["references"].append(_NIST)
