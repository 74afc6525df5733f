"""The loader: long-form data, positions as cfn-lint reports them, and located errors."""

import json
import textwrap

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cfn_trailwatch.load import LoadError, is_template, load_bytes, load_text

YAML = textwrap.dedent("""\
    AWSTemplateFormatVersion: 2010-09-09
    Resources:
      Trail:
        Type: AWS::CloudTrail::Trail
        Properties:
          IsLogging: true
          CloudWatchLogsLogGroupArn: !GetAtt Group.Arn
          CloudWatchLogsRoleArn: !If [UseRole, !GetAtt Role.Arn, !Ref "AWS::NoValue"]
          S3BucketName: !Sub "${AWS::StackName}-logs"
          Tags: &tags
            - Key: Code
              Value: 0123
          EventSelectors: *tags
      Group:
        Type: AWS::Logs::LogGroup
        Properties:
          RetentionInDays: 365
          LogGroupName: !Join ["-", [a, !Select [0, !Split [",", "x,y"]]]]
    """)


def test_yaml_short_forms_become_long_form():
    data = load_text(YAML, "t.yaml").data
    props = data["Resources"]["Trail"]["Properties"]
    assert data["AWSTemplateFormatVersion"] == "2010-09-09"
    assert props["IsLogging"] is True
    assert props["CloudWatchLogsLogGroupArn"] == {"Fn::GetAtt": ["Group", "Arn"]}
    assert props["CloudWatchLogsRoleArn"] == {
        "Fn::If": ["UseRole", {"Fn::GetAtt": ["Role", "Arn"]}, {"Ref": "AWS::NoValue"}]}
    assert props["S3BucketName"] == {"Fn::Sub": "${AWS::StackName}-logs"}
    assert props["Tags"] == [{"Key": "Code", "Value": "0123"}]  # leading zero kept as text
    assert props["EventSelectors"] == props["Tags"]              # alias expanded
    assert props["EventSelectors"] is not props["Tags"]
    group = data["Resources"]["Group"]["Properties"]
    assert group["RetentionInDays"] == 365
    assert group["LogGroupName"] == {"Fn::Join": ["-", ["a", {"Fn::Select": [
        0, {"Fn::Split": [",", "x,y"]}]}]]}


def test_getatt_scalar_splits_on_first_dot_only():
    data = load_text("Resources:\n  A:\n    Type: X\n    Properties:\n      P: !GetAtt Stack.Outputs.Arn\n",
                     "t.yaml").data
    assert data["Resources"]["A"]["Properties"]["P"] == {"Fn::GetAtt": ["Stack", "Outputs.Arn"]}


def test_yaml_positions_are_those_of_keys_and_items():
    doc = load_text(YAML, "t.yaml")
    trail = ["Resources", "Trail", "Properties"]
    assert doc.position(trail) == (5, 5)
    assert doc.position(trail + ["CloudWatchLogsRoleArn"]) == (8, 7)
    # inside a short-form tag: the list item itself
    assert doc.position(trail + ["CloudWatchLogsRoleArn", "Fn::If", 1]) == (8, 44)
    # a path that does not exist stops at the deepest part that does
    assert doc.position(trail + ["Missing", "Deeper"]) == (5, 5)


def test_json_positions_match_yaml_semantics():
    data = load_text(YAML, "t.yaml").data
    text = json.dumps(data, indent=2)
    doc = load_text(text, "t.json")
    assert doc.data == data
    path = ["Resources", "Trail", "Properties", "CloudWatchLogsRoleArn"]
    line, column = doc.position(path)
    assert text.splitlines()[line - 1][column - 1:].startswith('"CloudWatchLogsRoleArn"')
    line, column = doc.position(path + ["Fn::If", 2])
    assert text.splitlines()[line - 1][column - 1:].startswith('{')
    assert text.splitlines()[line - 2].strip().startswith('}')  # the item after GetAtt's object


@pytest.mark.parametrize("text, message, line", [
    ("", "empty file", 1),
    ("   \n\n", "empty file", 1),
    ("Resources:\n  A: [\n", "invalid YAML", 3),
    ("Resources:\n  A: 1\n  A: 2\n", "duplicate key 'A'", 3),
    ('{"Resources": {"A": 1, "A": 2}}', "duplicate key 'A'", 1),
    ('{"Resources": {"A": 1', "invalid JSON", 1),
    ('{\r"Resources": {\r"A": 1\r', "invalid JSON", 4),     # lone CR breaks count
    ('{"Resources": {"A": 1,\r"A": 2}}', "duplicate key 'A'", 2),
    ('{"Description": "a\u2028b",\n"Resources": {\n"A": 1,\n"A": 2}}', "duplicate key 'A'", 5),
    ('{"Resources":\r\n\u0000}', "invalid JSON", 2),
    ("a: 1\n---\nb: 2\n", "more than one YAML document", 2),
    ("Resources: !!python/object:os.system {}\n", "unsupported YAML tag", 1),
    ("Resources: !!python/name:os.system\n", "unsupported YAML tag", 1),
])
def test_bad_input_is_a_located_error(text, message, line):
    with pytest.raises(LoadError) as caught:
        load_text(text, "bad.yaml")
    assert message in caught.value.message
    assert caught.value.line == line


def test_alias_bomb_stops_with_an_error():
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for level in range(1, 9):
        prev = f"*a{level - 1}"
        lines.append(f"a{level}: &a{level} [{', '.join([prev] * 10)}]")
    lines.append("Resources: {B: {Type: X, Properties: {P: *a8}}}")
    with pytest.raises(LoadError) as caught:
        load_text("\n".join(lines) + "\n", "bomb.yaml")
    assert "alias" in caught.value.message


def test_deep_nesting_is_an_error_in_yaml_and_json():
    with pytest.raises(LoadError, match="nesting deeper"):
        load_text("Resources: " + "[" * 300 + "]" * 300 + "\n", "deep.yaml")
    with pytest.raises(LoadError, match="nesting deeper"):
        load_text('{"Resources": ' + "[" * 300 + "]" * 300 + "}", "deep.json")


def test_encodings():
    assert load_bytes(b"\xef\xbb\xbfResources: {}\n", "bom.yaml").data == {"Resources": {}}
    assert load_bytes("Resources: {}\n".encode("utf-16"), "u16.yaml").data == {"Resources": {}}
    with pytest.raises(LoadError, match="not valid UTF-8") as caught:
        load_bytes(b"Resources:\n  A: \xff\xfe\xfa\n", "bad.yaml")
    assert (caught.value.line, caught.value.column) == (2, 6)
    with pytest.raises(LoadError, match="binary"):
        load_bytes(b"Resources:\x00\x01", "bin.yaml")


def test_is_template():
    assert is_template({"Resources": {}})
    assert not is_template({"repos": []})
    assert not is_template({"Resources": []})
    assert not is_template([1, 2])


def test_preprocessor_tags_are_read_as_functions():
    data = load_text("Resources:\n  A:\n    Type: X\n    Properties:\n      Code: !Rain::Embed f.py\n",
                     "rain.yaml").data
    assert data["Resources"]["A"]["Properties"]["Code"] == {"Fn::Rain::Embed": "f.py"}


def test_multi_document_files_without_a_template_are_not_templates():
    with pytest.raises(LoadError) as caught:
        load_text("kind: Namespace\n---\nkind: Service\n", "manifest.yml")
    assert caught.value.not_a_template
    with pytest.raises(LoadError) as caught:
        load_text("Resources: {}\n---\nkind: Service\n", "broken.yaml")
    assert not caught.value.not_a_template


@pytest.mark.parametrize("text", [
    "Resources: " + "[" * 100_000 + "]" * 100_000 + "\n",
    "Resources: " + "{a: " * 50_000 + "1" + "}" * 50_000 + "\n",
    '{"Resources": ' + "[" * 100_000 + "]" * 100_000 + "}",          # JSON, and its YAML fallback
    "Resources:\n" + "".join(" " * i + "-\n" for i in range(1, 400)),  # block style
], ids=["yaml-flow-lists", "yaml-flow-maps", "json", "yaml-block"])
def test_pathological_nesting_is_refused_before_the_c_composer_sees_it(text):
    # libyaml's composer recurses per level: 30,000 levels crash the process outright.
    with pytest.raises(LoadError, match="nesting deeper") as caught:
        load_text(text, "deep.yaml")
    assert caught.value.line >= 1


def test_brackets_inside_quotes_and_comments_do_not_count_as_nesting():
    text = "Resources: {}\nDescription: '" + "[" * 500 + "'  # " + "{" * 500 + "\n"
    assert load_text(text, "t.yaml").data["Description"] == "[" * 500


def test_a_recursive_alias_is_an_error_not_a_hang():
    with pytest.raises(LoadError, match="recursive"):
        load_text("Resources:\n  A: &a\n    Type: X\n    Properties: {Self: *a}\n", "loop.yaml")


@pytest.mark.parametrize("text, message, line", [
    ("AWSTemplateFormatVersion: '2010-09-09'\nResources: []\n", "Resources must be a mapping of resources, not list", 2),
    ("Description: x\nResources:\n", "not null", 2),
    ('{"Resources": "none"}', "not str", 1),
    ("AWSTemplateFormatVersion: '2010-09-09'\nDescription: x\n", "no Resources section", 1),
])
def test_a_template_with_a_broken_shape_is_an_error(text, message, line):
    with pytest.raises(LoadError, match=message) as caught:
        load_text(text, "t.yaml")
    assert caught.value.line == line


def test_other_yaml_and_json_files_are_simply_not_templates():
    for text in ("- hosts: all\n  tasks: []\n", "repos: []\n", '["a"]', "42\n", "plain text\n"):
        assert not is_template(load_text(text, "other.yaml").data)


def test_an_unparseable_file_that_never_mentions_resources_is_not_a_template():
    with pytest.raises(LoadError) as caught:
        load_text('{\n  // comment\n  "compilerOptions": {}\n}\n', "tsconfig.json")
    assert caught.value.not_a_template
    with pytest.raises(LoadError) as caught:
        load_text("Resources:\n  A: {\n", "broken.yaml")
    assert not caught.value.not_a_template
    with pytest.raises(LoadError) as caught:
        load_text("   \n", "empty.yaml")
    assert not caught.value.not_a_template  # an emptied template is reported, not skipped


class TestSkim:
    """A YAML file that cannot hold a trail is checked, not built; the verdicts stay the same."""

    def test_a_template_without_a_trail_is_skimmed(self):
        doc = load_text("AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  B: {Type: AWS::S3::Bucket}\n",
                        "b.yaml", skim=True)
        assert doc.skimmed and is_template(doc.data) and doc.data == {"Resources": {}}

    @pytest.mark.parametrize("text", [
        "Resources:\n  T: {Type: AWS::CloudTrail::Trail}\n",            # the type's text
        'Resources:\n  T: {Type: "AWS::CloudTrail::Trai\\x6c"}\n',       # an escape spells it
        '{"Resources": {}}',                                              # JSON is parsed (fast)
    ])
    def test_files_that_may_hold_a_trail_are_loaded_in_full(self, text):
        assert not load_text(text, "t.yaml", skim=True).skimmed

    def test_an_escaped_type_is_still_a_trail(self):
        doc = load_text('Resources:\n  T: {Type: "AWS::CloudTrail::Trai\\x6c"}\n', "t.yaml", skim=True)
        assert doc.data["Resources"]["T"]["Type"] == "AWS::CloudTrail::Trail"

    @pytest.mark.parametrize("text, template", [
        ("- hosts: all\n", False), ("42\n", False), ("repos: []\n", False),
        ("Resources: {}\nOutputs: {A: {Value: !Ref B}}\n", True),
    ])
    def test_shapes(self, text, template):
        doc = load_text(text, "x.yaml", skim=True)
        assert doc.skimmed and is_template(doc.data) is template

    @pytest.mark.parametrize("text, message", [
        ("Resources:\n  A: [\n", "invalid YAML"),
        ("Resources: []\n", "Resources must be a mapping"),
        ("AWSTemplateFormatVersion: x\n", "no Resources section"),
        ("a: 1\n---\nResources: {}\n", "more than one YAML document"),
        ("Resources: !!python/name:os.system\n", "unsupported YAML tag"),
        ("Resources:\n  A: " + "[" * 300 + "]" * 300 + "\n", "nesting deeper"),
    ])
    def test_errors_are_the_full_loaders(self, text, message):
        with pytest.raises(LoadError, match=message):
            load_text(text, "x.yaml", skim=True)
        with pytest.raises(LoadError, match=message):
            load_text(text, "x.yaml")


@pytest.mark.parametrize("text, message", [
    ("Resources:\n  A: {Type: X}\n  A: {Type: Y}\n", "duplicate key 'A'"),
    ("Resources:\n  A:\n    Properties: {P: 1, P: 2}\n", "duplicate key 'P'"),
    ("Resources:\n  A: &a [*a]\n", "recursive"),
])
def test_skimming_keeps_the_full_loaders_errors(text, message):
    with pytest.raises(LoadError, match=message):
        load_text(text, "x.yaml", skim=True)


def test_lone_carriage_returns_end_lines_in_json_positions():
    doc = load_text('{\r "Resources": {\r  "T": {"Type": "X"}\r }\r}\r', "cr.json")
    assert doc.position(["Resources", "T"]) == (3, 3)


def test_a_logical_id_that_is_not_alphanumeric_is_an_error():
    with pytest.raises(LoadError, match="logical ID '' is not alphanumeric") as caught:
        load_text('Resources:\n  "":\n    Type: AWS::CloudTrail::Trail\n', "t.yaml")
    assert caught.value.line == 2


def test_json_nesting_limit_is_located_and_ignores_brackets_in_strings():
    deep = '{"Resources":\n' + "[\n" * 250 + "]" * 250 + "}"
    with pytest.raises(LoadError) as caught:
        load_text(deep, "deep.json")
    assert "nesting deeper than 200 levels" in caught.value.message
    assert (caught.value.line, caught.value.column) == (201, 1)   # the 200th "[" is level 201
    brackets_in_strings = json.dumps({"Resources": {"A": {"Type": "X", "Description": "[{" * 300}}})
    assert load_text(brackets_in_strings, "ok.json").data["Resources"]["A"]["Type"] == "X"


def test_deep_indentation_under_the_limit_is_read():
    # a leading run past the quick bound sends the file to the exact check, which passes it
    text = "Resources:\n  A:\n    Type: X\n    Properties:\n      P: |\n" + " " * 180 + "text\n"
    assert load_text(text, "ok.yaml").data["Resources"]["A"]["Properties"]["P"].strip() == "text"


_json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(alphabet='[]{}"\\ab\n', max_size=6),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(
        st.text(alphabet='[]{}"\\ab', max_size=4), inner, max_size=3),
    max_leaves=30)


@given(_json_values, st.integers(0, 8), st.booleans())
def test_json_depth_passes_agree(value, limit, indent):
    """The quick depth (strings dropped, brackets summed) and the located scan agree, brackets
    and quotes inside strings included."""
    from cfn_trailwatch.load import _json_depth, _json_too_deep_at

    text = json.dumps(value, indent=1 if indent else None)
    too_deep_at = _json_too_deep_at(text, limit)
    assert (_json_depth(text) > limit) == (too_deep_at is not None)
    if too_deep_at is not None:
        assert text[too_deep_at] in "[{"


# -- the faster forms of the nesting and alias checks (performance: the same verdicts) --------

@given(st.text(alphabet='"\\ab\n[]', max_size=40))
def test_unrolled_string_patterns_match_as_the_plain_ones(text):
    import re

    from cfn_trailwatch.load import _FLOW, _JSON_STRING

    plain = re.compile(r'"(?:[^"\\]|\\.)*"')
    assert [m.span() for m in _JSON_STRING.finditer(text)] == \
        [m.span() for m in plain.finditer(text)]
    flow = re.compile(r"""'[^']*'|"(?:[^"\\]|\\.)*"|(?:^|(?<=\s))#[^\n]*|[\[\]{}]""", re.M)
    assert [m.span() for m in _FLOW.finditer(text)] == [m.span() for m in flow.finditer(text)]


@given(st.text(alphabet=" \t-\n\rx", max_size=40), st.sampled_from([1, 2, 4, 8]))
def test_leading_run_finds_what_a_multiline_caret_finds(text, n):
    import re

    from cfn_trailwatch.load import _leading_run

    first, other = _leading_run(n)
    found = first.match(text) is not None or other.search(text) is not None
    assert found == (re.compile(r"^[ \t-]{%d}" % n, re.M).search(text) is not None)


@pytest.mark.parametrize("text, plain", [
    ("a: 1\nb: ($.x = 1) && ($.y = 2)\n", True),             # "&&" in a filter pattern
    ("a: &v 1\nb: *v\nc: *v\n", True),                        # aliases to a scalar only
    ("a: &m {x: [1, 2]}\nb: *m\n", False),                     # an alias to a mapping
    ("a: &s [1, 2]\nb: [*s, *s]\n", False),                    # to a sequence
    ("just a scalar &x\n", True),
])
def test_a_plain_tree_is_told_apart_from_one_with_shared_collections(text, plain):
    from cfn_trailwatch.load import _Loader, _plain_tree_within

    loader = _Loader(text)
    try:
        root = loader.get_single_node()
    finally:
        loader.dispose()
    assert _plain_tree_within(root, 1000) is plain


def test_a_plain_tree_over_the_node_limit_is_checked_in_full():
    from cfn_trailwatch.load import _Loader, _plain_tree_within

    loader = _Loader("a: [1, 2, 3]\nb: {c: d}\n")   # 1 + 4 keys and values + 3 + 2 = 10 nodes
    try:
        root = loader.get_single_node()
    finally:
        loader.dispose()
    assert _plain_tree_within(root, 10) is True
    assert _plain_tree_within(root, 9) is False
    from cfn_trailwatch.load import Limits

    text = "a: [1, 2, 3]\nb: {c: d}\nx: '&'\n"   # 12 nodes, and a "&" that is no anchor
    load_text(text, "t.yaml", Limits(max_nodes=12))
    with pytest.raises(LoadError, match="more than 11 values after expanding aliases"):
        load_text(text, "t.yaml", Limits(max_nodes=11))


def test_the_composer_tags_nodes_as_libyaml_loader_does_also_from_its_kept_tags():
    from cfn_trailwatch.load import _Composer, _Loader

    text = textwrap.dedent("""\
        a: [yes, Yes, no, on, 'yes', "1", 1, 1.5, .inf, 0x1F, 0o7, ~, null, '', 2020-01-01]
        b: {Ref: x, !Ref y: !Sub '${z}', c: !GetAtt [R, Arn], d: 1e3, e: -1, f: =, g: <<}
        h: |
          text
        """)

    def tags(loader_class):
        loader = loader_class(text)
        try:
            root = loader.get_single_node()
        finally:
            loader.dispose()
        out, stack = [], [root]
        while stack:
            node = stack.pop()
            out.append((type(node).__name__, node.tag,
                        node.value if isinstance(node.value, str) else None))
            if isinstance(node.value, list):
                stack.extend(v for item in node.value
                             for v in (item if isinstance(item, tuple) else (item,)))
        return out

    expected = tags(_Loader)
    assert tags(_Composer) == expected
    assert tags(_Composer) == expected   # the second time from the kept tags
