"""A chain (``report/chain.py``) as a Mermaid ``flowchart``, which GitHub draws from a
```` ```mermaid ```` block in Markdown (no new dependency: the picture is text).

    flowchart LR
      n0["trail Trail"]
      n1["log group Logs"]
      n0 -->|"CloudWatchLogsLogGroupArn: !GetAtt Logs.Arn"| n1
      n2 -.->|"ET1005: Trail Trail: role R does not let ..."| n3
      class n3 broken
      linkStyle 1 stroke:#d00,stroke-width:2px
      classDef broken fill:#fee,stroke:#d00,color:#900

Names come from templates, so every label is quoted and what Mermaid would read as syntax is
written as its entity code (Mermaid turns ``#name;`` / ``#number;`` into the HTML entity):
``"`` ``#quot;``, ``#`` ``#35;``, ``&`` ``#38;``, ``<`` ``#lt;``, ``>`` ``#gt;``, ``|`` ``#124;``,
``/`` ``#47;``, brackets and braces ``#91;`` ``#93;`` ``#123;`` ``#125;``, a backtick ``#96;``
(a Markdown string), a backslash ``#92;``. A newline or tab becomes a space; the only markup
written is ``<br>``, a line break between wrapped words. Mermaid also strips a ``;`` from any line
with ``style`` or ``classDef`` followed by ``:`` and ``#`` (its own colour syntax), so those words
in a label start with an entity too. Node IDs are ``n0``, ``n1``, … (never a name, never a
Mermaid keyword). A broken link is dotted (``-.->``), red (``linkStyle``), and its target node
has the class ``broken``; its label is the rule and the finding's message.
"""

from __future__ import annotations

import re

from .chain import Chain

DIRECTION = "LR"
WRAP = 48    # characters per label line
BROKEN_CLASS = "broken"
BROKEN_NODE_STYLE = "fill:#fee,stroke:#d00,color:#900"
BROKEN_LINK_STYLE = "stroke:#d00,stroke-width:2px"
LINE_BREAK = "<br>"

_ENTITIES = {'"': "#quot;", "#": "#35;", "&": "#38;", "<": "#lt;", ">": "#gt;", "|": "#124;",
             "/": "#47;", "[": "#91;", "]": "#93;", "{": "#123;", "}": "#125;", "`": "#96;",
             "\\": "#92;"}
_SPECIAL = re.compile("[" + re.escape("".join(_ENTITIES)) + "]")
_WHITE = re.compile(r"[\s\u0085\u2028\u2029]+")
# Mermaid's own pre-pass (encodeEntities) reads these words as the start of a style statement.
_STYLE_WORDS = re.compile(r"style|classDef")


def escape(text: str) -> str:
    """``text`` (one line) as it may stand between a label's quotes."""
    text = _SPECIAL.sub(lambda m: _ENTITIES[m.group()], text)
    return _STYLE_WORDS.sub(lambda m: f"#{ord(m.group()[0])};{m.group()[1:]}", text)


def _wrap(line: str) -> list[str]:
    words, lines, current = line.split(" "), [], ""
    for word in words:
        if current and len(current) + 1 + len(word) > WRAP:
            lines.append(current)
            current = word
        else:
            current = f"{current} {word}" if current else word
    lines.append(current)
    return lines


def label(text: str) -> str:
    """A quoted label: each line of ``text`` wrapped at WRAP, escaped, joined by ``<br>``."""
    lines = [wrapped for line in str(text).split("\n")
             for wrapped in _wrap(_WHITE.sub(" ", line).strip())]
    return '"' + LINE_BREAK.join(escape(line) for line in lines) + '"'


def render(chain: Chain) -> str:
    lines = [f"flowchart {DIRECTION}"]
    lines += [f"  {node.id}[{label(node.label)}]" for node in chain.nodes]
    broken_nodes: list[str] = []
    broken_links: list[str] = []
    for index, edge in enumerate(chain.edges):
        arrow = "-.->" if edge.broken else "-->"
        text = f"|{label(edge.label)}|" if edge.label else ""
        lines.append(f"  {edge.source} {arrow}{text} {edge.target}")
        if edge.broken:
            broken_links.append(str(index))
            if edge.target not in broken_nodes:
                broken_nodes.append(edge.target)
    if broken_nodes:
        lines.append(f"  class {','.join(broken_nodes)} {BROKEN_CLASS}")
        lines.append(f"  linkStyle {','.join(broken_links)} {BROKEN_LINK_STYLE}")
        lines.append(f"  classDef {BROKEN_CLASS} {BROKEN_NODE_STYLE}")
    return "\n".join(lines) + "\n"
