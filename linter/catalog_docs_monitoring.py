"""The rule pages of WT3001-WT3014 (Security Hub CloudWatch.1-14), generated from the controls
data file, in the form of ``catalog_docs.DOCS``. Each example is embedded in the baseline and
linted with only its own rule turned on (``--include-checks WT30NN``, tests/test_docs.py)."""

from __future__ import annotations

import json

from . import monitoring_controls, patterns

_SNIPPET = """\
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
  {name}Filter:
    Type: AWS::Logs::MetricFilter
    Properties:
      LogGroupName: !Ref TrailLogs
      FilterPattern: {pattern}
      MetricTransformations:
        - MetricNamespace: CISBenchmark
          MetricName: {name}
          MetricValue: '1'
  {name}Alarm:
    Type: AWS::CloudWatch::Alarm
    Properties:
      Namespace: CISBenchmark
      MetricName: {name}
      Statistic: Sum
      Period: 300
      EvaluationPeriods: 1
      Threshold: 1
      ComparisonOperator: GreaterThanOrEqualToThreshold
      AlarmActions: [!Ref MonitoringAlerts]
  MonitoringAlerts:
    Type: AWS::SNS::Topic
    Properties:
      Subscription:
        - Protocol: email
          Endpoint: security@example.com
"""

_LIMITS = (
    "Only the template is read: a metric filter, alarm or topic in another stack is not seen, and "
    "a topic imported from another stack or named by a parameter cannot be verified. The trail "
    "end is the verdict of the other rules on the trail (a core error, WT2005, IsMultiRegionTrail "
    "not true), not a second implementation. Two checks go beyond Security Hub's documented "
    "logic and are our own: the alarm fires on a single matching event, and its actions are "
    "enabled (Security Hub checks that under CloudWatch.17). One event fires the alarm when the "
    "period's statistic of the filter's MetricValue meets the threshold (Sum, Maximum and "
    "SampleCount always see it; Average, Minimum and percentiles only when the filter has no "
    "DefaultValue, which would add a value for every other log event) and DatapointsToAlarm "
    "(by default EvaluationPeriods) is 1. A monitoring stack without a trail is checked from each "
    "metric filter that has a control's pattern, and the findings are anchored at the filter's "
    "FilterPattern (suppress them in the filter's Metadata): the trail end is then unverifiable "
    "here, and so is said even when the rest of the chain holds; a control with no filter in "
    "such a stack is not reported (another stack may hold it). The same applies in a scenario "
    "where the template's trails are not created (a trail under a Condition its filters are "
    "not under). Alarms on metric math (Metrics) are not read. Opt-in: nothing runs unless "
    "asked for. The note on an older accepted form is said by the command line only: cfn-lint "
    "has no place for a note that is not a finding.")

_UNKNOWN = (
    "A filter pattern, log group name, ActionsEnabled or alarm action the template does not fix "
    "(a parameter, an import) makes the link unverifiable: the rule itself says so, naming the "
    "link; WT1007 stays about delivery.")


def _short_of_one(control: monitoring_controls.Control) -> str:
    """The current pattern with one term left out."""
    root = patterns.normal(control.current.pattern)
    operands = list(getattr(root, "operands", ()))
    kind = type(root)
    rest = operands[:-1]
    node = rest[0] if len(rest) == 1 else kind(tuple(rest))
    return patterns.render(node)


def docs() -> dict[str, dict]:
    out = {}
    for c in monitoring_controls.controls():
        name = "".join(w.capitalize() for w in c.title.replace("-", " ").split()
                       if w.isalnum())
        sources = sorted({(v.version, v.url) for v in c.variants})
        out[c.rule] = {
            "why": (f"Security Hub {c.id} ({c.securityhub_title}) and the CIS AWS Foundations "
                    "Benchmark ask that someone is told within minutes of "
                    f"{c.title}. In a template the chain can be proved before deployment: a "
                    "trail that delivers every management event of every region, a metric "
                    "filter with the control's pattern on its log group, an alarm on the "
                    "filter's metric, a topic among the alarm's actions, and a subscriber."),
            "details": ("Accepted patterns (compared by their terms, not their text; an older "
                        "accepted form passes, with a note at the filter naming the current "
                        "form):\n\n" + "\n".join(
                            f"- `{v.text}` ({v.version}{', current' if v.current else ''})"
                            for v in c.variants)
                        + "\n\nThe rule is opt-in: `--include-checks WT3` (or "
                        "`include_checks: [WT3]` in the configuration file); in cfn-lint, "
                        "`--include-experimental`."),
            "example": _SNIPPET.format(name=name, pattern=json.dumps(_short_of_one(c))),
            "fixed": _SNIPPET.format(name=name, pattern=json.dumps(c.current.text)),
            "limits": _LIMITS,
            "unknown": _UNKNOWN,
            "references": [(f"AWS Security Hub: {c.id}", url) for _, url in sources[:1]] + [
                ("Amazon CloudWatch Logs: Filter pattern syntax for metric filters",
                 "https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/FilterAndPatternSyntax.html")],
        }
    return out
