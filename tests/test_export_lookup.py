"""scan.stacks' lazy export index: which exporting templates a looked-up name makes it parse,
and scan.sections' cut of a template's text into its top-level sections."""

from __future__ import annotations

import json
import textwrap

from cfn_trailwatch import config as config_file
from cfn_trailwatch import trail
from cfn_trailwatch.scan import sections, stacks

_YAML = textwrap.dedent("""\
    AWSTemplateFormatVersion: '2010-09-09'
    Description: Central bucket for audit logs
    Parameters:
      Env:
        Type: String
        Description: the environment whose audit logs go here
        Default: prod
    Mappings:
      Names:
        prod:
          Description: auditlogs
    Resources:
      Bucket:
        Type: AWS::S3::Bucket
        Properties:
          BucketName: archive-bucket
    Outputs:
      BucketArn:
        Description: the archive of the account
        Value: !GetAtt Bucket.Arn
        Export:
          Name: !Sub '${Env}-${AWS::StackName}-BucketArn'
    "Conditions":
      IsProd: !Equals [!Ref Env, prod]
    """)


def test_split_gives_each_top_level_section_in_file_order():
    parts = sections.split(_YAML)
    assert [name for name, _text in parts] == [
        "AWSTemplateFormatVersion", "Description", "Parameters", "Mappings", "Resources",
        "Outputs", "Conditions"]
    assert "".join(text for _name, text in parts) == _YAML   # nothing lost, nothing doubled
    assert dict(parts)["Resources"].startswith("Resources:\n  Bucket:")
    assert dict(parts)["Conditions"].startswith('"Conditions":')
    assert sections.cut(_YAML, frozenset({"Outputs", "Parameters"})) == \
        dict(parts)["Parameters"] + "\n" + dict(parts)["Outputs"]
    assert sections.cut(_YAML, frozenset({"Metadata"})) == ""


def test_split_refuses_what_is_not_block_style():
    assert sections.split('{"Resources": {}}') is None
    assert sections.split("  - a list\n") is None
    assert sections.split("   \n") is None
    assert sections.split("  Indented: 1\n") is None
    # a key needs ":" then a blank or the end; "Key:value" is a plain scalar
    text = "Resources:\n  X: 1\nKey:value\n"
    assert sections.split(text) == [("Resources", text)]
    assert sections.split("Resources:") == [("Resources", "Resources:")]
    assert sections.split("'Outputs' :\n  A: 1\n") == [("Outputs", "'Outputs' :\n  A: 1\n")]


def test_a_names_text_leaves_out_resources_conditions_and_descriptions():
    text = stacks._name_text(_YAML)
    assert "BucketArn" in text and "prod" in text and "auditlogs" in text   # a mapping's value
    assert "archive" not in text        # only in Resources and in a description
    assert "audit logs" not in text     # the template's and the parameter's descriptions
    assert "IsProd" not in text         # Conditions
    assert "GetAtt" not in text         # an output's Value


def test_a_json_names_text_is_its_export_names_parameter_values_and_mappings():
    template = {
        "Description": "bucket for audit logs",
        "Parameters": {"Env": {"Type": "String", "Default": "prod",
                               "AllowedValues": ["prod", "dev"], "Description": "its environment"}},
        "Mappings": {"Names": {"prod": {"Label": "auditlogs"}}},
        "Resources": {"Bucket": {"Type": "AWS::S3::Bucket",
                                 "Properties": {"BucketName": "archive-bucket"}}},
        "Outputs": {"Arn": {"Description": "the archive",
                            "Value": {"Fn::GetAtt": ["Bucket", "Arn"]},
                            "Export": {"Name": {"Fn::Sub": "${Env}-BucketArn"}}}},
    }
    text = stacks._name_text(json.dumps(template, indent=2))
    assert set(text.split("\n")) == {"prod", "dev", "Names", "Label", "auditlogs", "Name",
                                     "Fn::Sub", "${Env}-BucketArn"}
    assert stacks._name_text("{not json") == "{not json"   # unreadable: the whole text


def _exports(tmp_path, files, stack_names=None):
    paths = []
    for name, text in files.items():
        path = tmp_path / name
        path.write_text(textwrap.dedent(text))
        paths.append(str(path))
    return stacks.LazyExports(tuple(paths), trail.Options(), config_file.Config(),
                              stack_names or {}, {}), paths


def test_a_name_made_of_the_stack_name_alone_is_found(tmp_path):
    exports, (path,) = _exports(tmp_path, {"logging.yaml": """\
        Resources:
          Group: {Type: AWS::Logs::LogGroup}
        Outputs:
          GroupArn:
            Value: !GetAtt Group.Arn
            Export: {Name: !Ref AWS::StackName}
        """}, {})
    assert exports.find("us-east-1", "corelogging", "t.yaml")[0] is None
    exports, (path,) = _exports(tmp_path, {"logging.yaml": (tmp_path / "logging.yaml").read_text()},
                                {path: "corelogging"})
    export, why = exports.find("us-east-1", "corelogging", "t.yaml")
    assert why == "" and export.output == "GroupArn"


def test_an_exporter_whose_words_are_only_in_resources_or_descriptions_is_not_parsed(tmp_path):
    exports, paths = _exports(tmp_path, {
        "bucket.yaml": """\
            Description: where the audit logs go
            Resources:
              AuditLogs: {Type: AWS::S3::Bucket, Properties: {BucketName: audit-logs}}
            Outputs:
              Arn:
                Description: audit logs bucket
                Value: !GetAtt AuditLogs.Arn
                Export: {Name: !Sub '${AWS::StackName}-Arn'}
            """,
        "other.yaml": """\
            Resources:
              Topic: {Type: AWS::SNS::Topic}
            Outputs:
              Topic:
                Value: !Ref Topic
                Export: {Name: audit-logs-topic}
            """,
        "inside.yaml": """\
            Parameters:
              # where the audit logs bucket is
              Prefix:
                Type: String
                Default: auditlogsbucket   # one word: holds no word "logs" or "bucket"
              audit:
                Type: String
            Mappings:
              bucket:
                logs:
                  Id: x
            Resources:
              Topic: {Type: AWS::SNS::Topic}
            Outputs:
              Topic:
                Value: !Ref Topic
                Export:
                  Name: !Sub '${Prefix}-topic'
            """})
    export, why = exports.find("us-east-1", "audit-logs-bucket", "t.yaml")
    assert export is None and "no template in this scan exports audit-logs-bucket" in why
    # bucket.yaml holds the words only where no name's text is, inside.yaml only in comments,
    # keys and inside a longer word
    assert exports._indexed == {paths[1]}
    assert exports.find("us-east-1", "audit-logs-topic", "t.yaml")[0].output == "Topic"


def test_the_exporters_bytes_are_those_the_scans_index_read(tmp_path):
    # read once: the index's bytes serve the lookup (the file is gone by then)
    exporter = tmp_path / "logging.yaml"
    exporter.write_text(textwrap.dedent("""\
        Resources:
          Group: {Type: AWS::Logs::LogGroup}
        Outputs:
          GroupArn:
            Value: !GetAtt Group.Arn
            Export: {Name: org-logging-GroupArn}
        """))
    importer = tmp_path / "trail.yaml"
    importer.write_text("Resources:\n  T: {Type: AWS::SNS::Topic, Properties: "
                        "{TopicName: !ImportValue org-logging-GroupArn}}\n")
    scan = stacks.index([str(exporter), str(importer)], trail.Options(), config_file.Config())
    exporter.unlink()
    export, why = scan.exports.find("us-east-1", "org-logging-GroupArn", str(importer))
    assert why == "" and export.output == "GroupArn"
