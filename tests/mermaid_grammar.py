"""A small grammar of the Mermaid flowcharts the Markdown report writes (report/mermaid.py), to
check every diagram it produces: enough of Mermaid's flowchart syntax to catch a label that
would end early, a raw character Mermaid reads as syntax, an undeclared node or a bad style line.

    diagram    := "flowchart" SP direction NL statement*
    statement  := INDENT (node | edge | class | linkStyle | classDef) NL
    node       := ID '["' label '"]'
    edge       := ID SP arrow ['|"' label '"|'] SP ID       arrow := "-->" | "-.->"
    class      := "class" SP ID ("," ID)* SP NAME
    linkStyle  := "linkStyle" SP INT ("," INT)* SP STYLE
    classDef   := "classDef" SP NAME SP STYLE
    label      := (CHAR | ENTITY | "<br>")*
    CHAR       := any character but  " # & < > | / [ ] { } ` \\  and line breaks
    ENTITY     := "#" (NAME | INT) ";"
    ID         := "n" INT                  (never a Mermaid keyword)

Labels must also not hold the words ``style`` or ``classDef`` (Mermaid's entity pre-pass strips a
``;`` from such lines).
"""

from __future__ import annotations

import html
import re

DIRECTIONS = ("LR", "RL", "TB", "TD", "BT")
_LABEL = r'(?:[^"#&<>|/\[\]{}`\\\n\r]|#(?:[a-z]+|\d+);|<br>)*'
_ID = r"n\d+"
NODE = re.compile(rf'^  ({_ID})\["({_LABEL})"\]$')
EDGE = re.compile(rf'^  ({_ID}) (-->|-\.->)(?:\|"({_LABEL})"\|)? ({_ID})$')
CLASS = re.compile(rf"^  class ({_ID}(?:,{_ID})*) ([a-z]+)$")
STYLE = r"[a-z-]+:[#a-z0-9.]+(?:,[a-z-]+:[#a-z0-9.]+)*"
LINK_STYLE = re.compile(rf"^  linkStyle (\d+(?:,\d+)*) {STYLE}$")
CLASS_DEF = re.compile(rf"^  classDef ([a-z]+) {STYLE}$")
FENCE = re.compile(r"^```mermaid\n(.*?)^```$", re.S | re.M)


def blocks(markdown: str) -> list[str]:
    """The text of every ```mermaid block of a Markdown document."""
    return FENCE.findall(markdown)


def check(diagram: str) -> list[str]:
    """What is wrong with ``diagram`` (one block's text); empty when it is well formed."""
    problems: list[str] = []
    lines = diagram.split("\n")
    if lines[-1] == "":
        lines.pop()
    if not lines or lines[0] not in {f"flowchart {d}" for d in DIRECTIONS}:
        return [f"no flowchart header: {lines[:1]!r}"]
    nodes: list[str] = []
    edges = 0
    classes_used: set[str] = set()
    classes_defined: set[str] = set()
    labels: list[str] = []
    for number, line in enumerate(lines[1:], start=2):
        if match := NODE.match(line):
            if match[1] in nodes:
                problems.append(f"line {number}: node {match[1]} declared twice")
            nodes.append(match[1])
            labels.append(match[2])
        elif match := EDGE.match(line):
            for end in (match[1], match[4]):
                if end not in nodes:
                    problems.append(f"line {number}: edge to undeclared node {end}")
            labels.append(match[3] or "")
            edges += 1
        elif match := CLASS.match(line):
            problems += [f"line {number}: class on undeclared node {n}"
                         for n in match[1].split(",") if n not in nodes]
            classes_used.add(match[2])
        elif match := LINK_STYLE.match(line):
            problems += [f"line {number}: linkStyle {i} of {edges} edges"
                         for i in map(int, match[1].split(",")) if i >= edges]
        elif match := CLASS_DEF.match(line):
            classes_defined.add(match[1])
        else:
            problems.append(f"line {number}: not a statement: {line!r}")
    problems += [f"class {c} used but not defined" for c in sorted(classes_used - classes_defined)]
    problems += [f"label holds {word!r}: {text!r}" for text in labels
                 for word in ("style", "classDef") if word in text]
    return problems


def decode(label: str) -> str:
    """A label's text as Mermaid shows it (entities decoded, line breaks as spaces)."""
    text = label.replace("<br>", " ")
    # One pass, as Mermaid's own: "#35;quot;" is "#quot;", not a quote.
    return re.sub(r"#(\w+);", lambda m: chr(int(m[1])) if m[1].isdigit()
                  else html.unescape(f"&{m[1]};"), text)


def labels(diagram: str) -> list[str]:
    """Every node and edge label of a well-formed diagram, decoded."""
    found = []
    for line in diagram.split("\n"):
        if match := NODE.match(line):
            found.append(decode(match[2]))
        elif (match := EDGE.match(line)) and match[3] is not None:
            found.append(decode(match[3]))
    return found
