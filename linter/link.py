"""Linking: the templates one deployment is made of, seen as one template.

A trail's log group and role may be declared in another template: a logging stack that exports
their ARNs (``Fn::ImportValue``), or a nested stack whose outputs the parent reads
(``!GetAtt Child.Outputs.X``) or to which the parent passes them (the child's parameters). The
linker copies every such template into the one being analysed under a *namespace*, so that the
analysis, which knows one template, follows the chain across files unchanged:

- an exporting file's logical IDs, parameters, conditions and mappings become ``<file>#<Name>``;
- a nested stack's become ``<Stack>/<Name>`` (``<file>#<Stack>/<Name>`` inside an exporter);

logical IDs are alphanumeric, so neither ``#`` nor ``/`` can clash with the template's own names.
Every reference inside a copied template is rewritten to its namespaced name (``Ref``,
``Fn::GetAtt``, ``Fn::Sub`` variables, ``Fn::If``/``Condition``, ``Fn::FindInMap``,
``DependsOn``, a resource's ``Condition``). A nested stack's parameters passed by the parent
are replaced by the parent's expressions (its ``Default`` no longer applies), and its resources
exist only where the parent's stack resource does. ``AWS::StackName`` of a copied template is
its own stack's name, given or unknown, never the importer's.

The resolver reads the result through :class:`Links`: an import's name finds the exporting
output's (namespaced) value and condition, a nested stack's ``Outputs.X`` its child's value,
and what cannot be linked keeps the reason it could not (no template of the scan exports the
name; two do; the TemplateURL is an S3 URL), for WT1007's message.

The linker reads nothing itself: the scan hands it a loader and the export index.
"""

from __future__ import annotations

import functools
import os
import re
from typing import Any, Callable, Iterator

from .records import field, record

FILE_SEPARATOR = "#"     # <file>#<Name>: a name of an exporting template
NESTED_SEPARATOR = "/"   # <Stack>/<Name>: a name of a nested stack's template
STACK_TYPES = ("AWS::CloudFormation::Stack", "AWS::Serverless::Application")
MAX_NESTING = 8          # nested stacks within nested stacks (CloudFormation allows more; see docs)
_STACK_PSEUDOS = ("AWS::StackName", "AWS::StackId")
_SUB_VARIABLE = re.compile(r"\$\{([^}]*)\}")
_REMOTE = re.compile(r"^(https?|s3)://", re.IGNORECASE)


class LinkError(Exception):
    """A located problem of the deployment's shape (a nesting cycle, nesting too deep): the
    file, the path in it, and the message."""

    def __init__(self, file: str, path: tuple, message: str,
                 position: tuple[int, int] | None = None) -> None:
        super().__init__(message)
        self.file = file
        self.path = path
        self.message = message
        self.position = position   # (line, column) of path in file, when file is not the root


@record(frozen=True)
class Export:
    """One export of the scan: ``file``'s output ``output`` exports ``name``."""

    file: str
    output: str
    name: str


# The names an export name not known here may be: its literal parts in order, None for a part
# known only at deployment (a parameter, the stack's name: at least one character).
NamePattern = tuple  # tuple[str | None, ...]


def fits(pattern: NamePattern, name: str) -> bool:
    """Whether ``name`` is one of the names ``pattern`` may be: the literal parts in order,
    each unknown part one character or more between them (each literal at the leftmost place
    it fits, which leaves the most room for the rest)."""
    segments: list[tuple[int, str]] = []   # (unknown parts before it, literal)
    gap = 0
    for part in pattern:
        if part is None:
            gap += 1
        elif part and segments and gap == 0:   # two literals in a row are one
            segments[-1] = (segments[-1][0], segments[-1][1] + part)
        elif part:
            segments.append((gap, part))
            gap = 0
    at = 0
    for number, (before, literal) in enumerate(segments):
        if number == 0 and before == 0:
            if not name.startswith(literal):
                return False
            at = len(literal)
        elif number == len(segments) - 1 and gap == 0:   # the last part ends the name
            return name.endswith(literal) and len(name) - len(literal) >= at + before
        else:
            found = name.find(literal, at + before)
            if found < 0:
                return False
            at = found + len(literal)
    return len(name) - at >= gap if gap else len(name) == at


@record
class ExportIndex:
    """Every export of the scan by (region, name), and the exports whose name could not be
    resolved: (file, output, the names it may be as a :data:`NamePattern`, the name as written)
    — named in WT1007 when an import finds nothing it could be."""

    by_name: dict[tuple[str, str], list[Export]] = field(default_factory=dict)
    unresolved: list[tuple[str, str, NamePattern, str]] = field(default_factory=list)
    unreadable: dict[str, str] = field(default_factory=dict)   # file that cannot be read -> its text
    # file -> the deployment it belongs to (configuration ``deployment``); an import prefers
    # the exporter of its own deployment when several files export the name.
    deployments: dict[str, str] = field(default_factory=dict)

    def add(self, region: str, export: Export) -> None:
        found = self.by_name.setdefault((region, export.name), [])
        if export not in found:
            found.append(export)

    def find(self, region: str, name: str, importer: str) -> tuple[Export | None, str]:
        """The one export ``name`` denotes for ``importer``, or None and why not."""
        found = [e for e in self.by_name.get((region, name), ()) if e.file != importer]
        mine = self.deployments.get(importer)
        if len(found) > 1 and mine is not None:
            same = [e for e in found if self.deployments.get(e.file) == mine]
            found = same or found
        if len(found) == 1:
            return found[0], ""
        if found:
            named = [f"{e.file} (output {e.output})" for e in found]
            where = ", ".join(named[:-1]) + " and " + named[-1]
            return None, (f"exported by {where}; the configuration does not say which deploys "
                          "with this template (deployment)")
        why = f"no template in this scan exports {name}"
        # an export whose name is not known here but could be this one says what it needs
        could = [(file, output, shown) for file, output, pattern, shown in self.unresolved
                 if file != importer and fits(pattern, name)]
        # an exporter that cannot be read, whose text holds the name, may export it: named as
        # such (a stack_name would not help); one whose text does not is left out
        broken = [file for file, text in self.unreadable.items()
                  if file != importer and name in text]
        if could:
            file, output, shown = could[0]
            more = f" (and {len(could) - 1} more)" if len(could) > 1 else ""
            why += f"; {file} (output {output}) exports {shown}{more}, which may be it: " \
                   "give its stack_name or parameters in the configuration"
        if broken:
            more = f" (and {len(broken) - 1} more)" if len(broken) > 1 else ""
            why += f"; {broken[0]}{more}, which cannot be read, may export it"
        return None, why


@record
class Links:
    """What the resolver reads across templates (see :mod:`linter.values.resolve`)."""

    # (region, export name) -> (namespaced value, namespaced output condition or None, where)
    exports: dict[tuple[str, str], tuple[Any, str | None, str]] = field(default_factory=dict)
    missing: dict[tuple[str, str], str] = field(default_factory=dict)   # -> why not
    # (stack logical ID, "Outputs.X") -> the child's namespaced output value
    outputs: dict[tuple[str, str], Any] = field(default_factory=dict)
    opaque: dict[str, str] = field(default_factory=dict)   # stack logical ID -> why not linked


@record(frozen=True)
class Origin:
    """Where a namespace's names are declared: the file, and its document (for positions)."""

    file: str
    document: Any


@record
class Linked:
    template: dict                               # the merged template
    links: Links
    origins: dict[str, Origin]                   # namespace prefix -> origin ("" is the root)
    parameters: dict[str, Any]                   # given values, the copied templates' namespaced
    anchors: list[str]                           # the nested stacks' trails, analysed with the root's
    errors: list[LinkError] = field(default_factory=list)

    def origin_of(self, logical_id: str) -> tuple[str, str]:
        """The namespace prefix of ``logical_id`` and its own name there."""
        return _split(logical_id)


@functools.lru_cache(maxsize=None)
def real_path(path: str) -> str:
    """``os.path.realpath``, once per path and scan (the scan clears it: scan.stacks.index);
    a scan of many small linked templates asks for the same few paths thousands of times."""
    return os.path.realpath(path)


def is_foreign(logical_id: str) -> bool:
    """A name copied from another template (see the module's docstring)."""
    return FILE_SEPARATOR in logical_id or NESTED_SEPARATOR in logical_id


def _split(logical_id: str) -> tuple[str, str]:
    cut = max(logical_id.rfind(FILE_SEPARATOR), logical_id.rfind(NESTED_SEPARATOR))
    return logical_id[:cut + 1], logical_id[cut + 1:]


def own_name(logical_id: str) -> str:
    """A copied resource's logical ID in its own template."""
    return _split(logical_id)[1]


def where(logical_id: str) -> str:
    """`` in FILE`` / `` in nested stack STACK`` for a copied resource; "" for the template's
    own (messages name a resource as its author wrote it, and say where it is)."""
    prefix, _own = _split(logical_id)
    if not prefix:
        return ""
    if prefix.endswith(FILE_SEPARATOR):
        return f" in {prefix[:-1]}"
    return f" in nested stack {prefix[:-1]}"


def shown(logical_id: str, attribute: str | None = None) -> str:
    """``X`` / ``X.Attr`` as written in its template, with where that template is."""
    name = own_name(logical_id) + (f".{attribute}" if attribute is not None else "")
    return name + where(logical_id)


def local_children(data: Any) -> list[str]:
    """The logical IDs of the stack resources that may name a local template."""
    resources = data.get("Resources") if isinstance(data, dict) else None
    if not isinstance(resources, dict):
        return []
    return [lid for lid, res in resources.items() if isinstance(res, dict)
            and res.get("Type") in STACK_TYPES]


def child_location(resource: dict, parent_file: str,
                   assets: dict[str, str] | None = None) -> tuple[str | None, str]:
    """The local file a stack resource deploys (relative to its parent's folder), or None and
    why it cannot be read here. ``assets``: a CDK cloud assembly's file assets beside the
    parent, object key -> file (see scan.stacks), for a nested stack whose asset metadata is
    off: its TemplateURL ends with the object key of its template."""
    metadata = resource.get("Metadata")
    if isinstance(metadata, dict) and isinstance(metadata.get("aws:asset:path"), str) \
            and str(metadata.get("aws:asset:property", "TemplateURL")) in ("TemplateURL", "Location"):
        # CDK: the nested stack's template, in the cloud assembly beside the parent
        return _beside(parent_file, metadata["aws:asset:path"]), ""
    properties = resource.get("Properties")
    properties = properties if isinstance(properties, dict) else {}
    key = "TemplateURL" if resource.get("Type") == STACK_TYPES[0] else "Location"
    url = properties.get(key)
    if url is None:
        return None, f"it has no {key}"
    if isinstance(url, dict) and key == "Location":
        return None, "its Location is a Serverless Application Repository application"
    if assets and not isinstance(url, str):
        for piece in _strings(url):
            for object_key, file in assets.items():
                if piece.endswith(object_key) and (piece == object_key or
                                                   piece[-len(object_key) - 1] == "/"):
                    return _beside(parent_file, file), ""
    if not isinstance(url, str):
        return None, f"its {key} is not a literal path"
    if _REMOTE.match(url):
        return None, f"its {key} is a URL ({url}), not a file of this scan"
    return _beside(parent_file, url), ""


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def _beside(parent_file: str, relative: str) -> str:
    return os.path.normpath(os.path.join(os.path.dirname(parent_file), relative))


# -- the linker -----------------------------------------------------------------------------


class Linker:
    """Builds the :class:`Linked` template of one root template.

    ``load(path)`` returns a loaded document (``.data``, ``.position(path)``) or raises;
    ``resolve_names(template, parameters, expressions)`` resolves import names to literals per
    region: ``[(region, name or None)]``; ``parameters_for(file)`` the given values of an
    exporting file; ``stack_name_for(file)`` its stack's name, if known."""

    def __init__(self, root: Any, root_file: str, load: Callable[[str], Any],
                 exports: Any,   # ExportIndex, or anything with its find(); None: no exports
                 resolve_names: Callable[[dict, dict, list], list[tuple[str, Any]]],
                 parameters: dict[str, Any], parameters_for: Callable[[str], dict],
                 stack_name_for: Callable[[str], str | None],
                 assets_for: Callable[[str], dict[str, str]] = lambda file: {}) -> None:
        self.root, self.root_file = root, root_file
        self.load = load
        self.exports = exports
        self.resolve_names = resolve_names
        self.parameters_for = parameters_for
        self.stack_name_for = stack_name_for
        self.assets_for = assets_for
        data = root.data
        self.template: dict = dict(data)
        for section in ("Resources", "Parameters", "Conditions", "Mappings"):
            value = data.get(section)
            self.template[section] = dict(value) if isinstance(value, dict) else {}
        self.links = Links()
        self.origins: dict[str, Origin] = {"": Origin(root_file, root)}
        self.given: dict[str, Any] = dict(parameters)
        self.anchors: list[str] = []
        self.errors: list[LinkError] = []
        self._linked_files: dict[str, str] = {}   # exporting file -> its namespace
        self._names: dict[str, _Names] = {}       # namespace -> the names its template declares
        self._pending_imports: list[Any] = []     # ImportValue arguments not yet resolved

    def link(self) -> Linked:
        self._pending_imports.extend(_import_arguments(self.root.data))
        self._nest("", self.root.data, self.root_file, (real_path(self.root_file),))
        while self._pending_imports:
            pending, self._pending_imports = self._pending_imports, []
            for region, name in self.resolve_names(self.template, self.given, pending):
                if isinstance(name, str):
                    self._import(region, name)
        return Linked(self.template, self.links, self.origins, self.given, self.anchors,
                      self.errors)

    # -- exports ------------------------------------------------------------------------------

    def _import(self, region: str, name: str) -> None:
        key = (region, name)
        if key in self.links.exports or key in self.links.missing:
            return
        if self.exports is None:
            self.links.missing[key] = f"no template in this scan exports {name}"
            return
        export, why = self.exports.find(region, name, self.root_file)
        if export is None:
            self.links.missing[key] = why
            return
        namespace = self._linked_files.get(export.file)
        if namespace is None:
            try:
                document = self.load(export.file)
            except Exception as err:  # noqa: BLE001 - its own error; here only the import fails
                self.links.missing[key] = f"{export.file}, which exports {name}, cannot be " \
                                          f"read ({_short(err)})"
                return
            namespace = export.file + FILE_SEPARATOR
            self._linked_files[export.file] = namespace
            self.origins[namespace] = Origin(export.file, document)
            self._copy(document.data, namespace, self.stack_name_for(export.file), None, {})
            for parameter, value in self.parameters_for(export.file).items():
                self.given[namespace + parameter] = value
            self._pending_imports.extend(_import_arguments(document.data, namespace, self))
            self._nest(namespace, document.data, export.file,
                       (real_path(export.file),))
        output = _outputs(self.origins[namespace].document.data).get(export.output)
        value = output.get("Value") if isinstance(output, dict) else None
        condition = output.get("Condition") if isinstance(output, dict) else None
        where = f"{export.file} output {export.output}"
        self.links.exports[key] = (
            _Rewriter(namespace, self._copied_names(namespace), {}).value(value),
            namespace + condition if isinstance(condition, str) else None, where)

    # -- nested stacks ------------------------------------------------------------------------

    def _nest(self, namespace: str, data: Any, file: str, chain: tuple[str, ...]) -> None:
        for stack_id in local_children(data):
            resource = data["Resources"][stack_id]
            linked_id = namespace + stack_id
            path, why = child_location(resource, file, self.assets_for(file))
            if path is None:
                self.links.opaque[linked_id] = why
                continue
            real = real_path(path)
            anchor = ("Resources", stack_id, "Properties",
                      "TemplateURL" if resource.get("Type") == STACK_TYPES[0] else "Location")
            where = self._position(namespace, anchor)
            if real in chain:
                cycle = " → ".join(os.path.basename(p) for p in chain + (real,))
                self.errors.append(LinkError(file, anchor, f"nested stack {stack_id} makes a "
                                                           f"nesting cycle: {cycle}", where))
                self.links.opaque[linked_id] = "it is part of a nesting cycle"
                continue
            if len(chain) > MAX_NESTING:
                self.errors.append(LinkError(file, anchor, f"nested stack {stack_id} is nested "
                                                           f"more than {MAX_NESTING} levels deep",
                                             where))
                self.links.opaque[linked_id] = f"it is nested more than {MAX_NESTING} levels deep"
                continue
            try:
                document = self.load(path)
            except Exception as err:  # noqa: BLE001 - the child's own problem, said on the link
                self.links.opaque[linked_id] = f"its template {path} cannot be read ({_short(err)})"
                continue
            child_ns = linked_id + NESTED_SEPARATOR
            self.origins[child_ns] = Origin(path, document)
            properties = resource.get("Properties")
            passed = properties.get("Parameters") if isinstance(properties, dict) else None
            passed = passed if isinstance(passed, dict) else {}
            parent_names = self._copied_names(namespace) if namespace else None
            bindings = {name: (_Rewriter(namespace, parent_names, {}).value(value)
                               if parent_names is not None else value)
                        for name, value in passed.items()}
            condition = resource.get("Condition")
            exists = namespace + condition if isinstance(condition, str) else None
            # a nested stack's name is made by CloudFormation: not known here
            self._copy(document.data, child_ns, None, exists, bindings)
            rewriter = _Rewriter(child_ns, self._copied_names(child_ns), bindings)
            for key, output in _outputs(document.data).items():
                if isinstance(output, dict) and "Value" in output:
                    self.links.outputs[(linked_id, f"Outputs.{key}")] = rewriter.value(output["Value"])
            if FILE_SEPARATOR not in child_ns:
                self.anchors.extend(child_ns + lid for lid in _trails(document.data))
            self._pending_imports.extend(_import_arguments(document.data, child_ns, self))
            self._nest(child_ns, document.data, path, chain + (real,))

    def _position(self, namespace: str, path: tuple) -> tuple[int, int] | None:
        """The line and column of ``path`` in the file of ``namespace``, if it can be told."""
        origin = self.origins.get(namespace)
        try:
            return origin.document.position(path) if origin is not None else None
        except Exception:  # noqa: BLE001 - a position is a courtesy; the message says the rest
            return None

    # -- copying ------------------------------------------------------------------------------

    def _copied_names(self, namespace: str) -> "_Names":
        return self._names[namespace]

    def _copy(self, data: Any, namespace: str, stack_name: str | None, exists: str | None,
              bindings: dict[str, Any]) -> None:
        names = _Names.of(data)
        self._names[namespace] = names
        rewriter = _Rewriter(namespace, names, bindings)
        for name in names.parameters:
            if name not in bindings:
                self.template["Parameters"][namespace + name] = data["Parameters"][name]
        for pseudo in _STACK_PSEUDOS:   # the copied stack's own name: given, or not known
            definition = {"Type": "String"}
            if stack_name is not None and pseudo == "AWS::StackName":
                definition["Default"] = stack_name
                definition["AllowedValues"] = [stack_name]
            self.template["Parameters"][namespace + pseudo] = definition
        for name, definition in _section(data, "Conditions").items():
            rewritten = rewriter.value(definition)
            if exists is not None:
                rewritten = {"Fn::And": [{"Condition": exists}, rewritten]}
            self.template["Conditions"][namespace + name] = rewritten
        for name, mapping in _section(data, "Mappings").items():
            self.template["Mappings"][namespace + name] = mapping
        for lid, resource in _section(data, "Resources").items():
            self.template["Resources"][namespace + lid] = rewriter.resource(resource, exists)


def _short(err: Exception) -> str:
    return str(getattr(err, "message", None) or err)


def _section(data: Any, key: str) -> dict:
    value = data.get(key) if isinstance(data, dict) else None
    return value if isinstance(value, dict) else {}


def _outputs(data: Any) -> dict:
    return _section(data, "Outputs")


def _trails(data: Any) -> list[str]:
    return [lid for lid, res in _section(data, "Resources").items()
            if isinstance(res, dict) and res.get("Type") == "AWS::CloudTrail::Trail"]


def _imports(value: Any, guards: tuple[tuple[str, bool], ...], conditions: Any
             ) -> Iterator[tuple[Any, tuple[tuple[str, bool], ...]]]:
    """The argument of every ``Fn::ImportValue`` inside ``value``, with the branches of the
    ``Fn::If``s it is under (condition, branch taken) added to ``guards``."""
    stack = [(value, guards)]
    while stack:
        item, guards = stack.pop()
        if isinstance(item, dict):
            if len(item) == 1 and "Fn::ImportValue" in item:
                yield item["Fn::ImportValue"], guards
            branches = item.get("Fn::If") if len(item) == 1 else None
            if isinstance(branches, list) and len(branches) == 3 \
                    and _declared(branches[0], conditions):
                stack.append((branches[1], guards + ((branches[0], True),)))
                stack.append((branches[2], guards + ((branches[0], False),)))
                continue
            stack.extend((child, guards) for child in item.values())
        elif isinstance(item, list):
            stack.extend((child, guards) for child in item)


def _declared(name: Any, conditions: Any) -> bool:
    return isinstance(name, str) and isinstance(conditions, dict) and name in conditions


def _import_arguments(data: Any, namespace: str = "", linker: Linker | None = None) -> list[Any]:
    """The (namespaced) name arguments of the ImportValues in ``data``'s resources, conditions
    and outputs, each under the conditions it is read in: the resource's or output's
    ``Condition`` and the ``Fn::If`` branches around it, as ``Fn::If``s whose other branch is
    ``AWS::NoValue``. Resolved, a name is then only the names some scenario can import (a
    default that switches an import off, ``!If [HasKey, !ImportValue !Sub '${KeyStack}-KeyId',
    !Ref AWS::NoValue]`` with ``KeyStack`` empty, asks for no ``-KeyId``)."""
    if not isinstance(data, dict):
        return []
    conditions = data.get("Conditions")
    found: list[Any] = []
    for section in ("Resources", "Outputs", "Conditions"):
        entries = data.get(section)
        if not isinstance(entries, dict):
            continue
        for entry in entries.values():
            condition = entry.get("Condition") if isinstance(entry, dict) \
                and section != "Conditions" else None
            guards = ((condition, True),) if _declared(condition, conditions) else ()
            for argument, around in _imports(entry, guards, conditions):
                for name, taken in reversed(around):
                    argument = {"Fn::If": [name, argument, _NO_VALUE] if taken
                                else [name, _NO_VALUE, argument]}
                found.append(argument)
    if not namespace or linker is None:
        return found
    rewriter = _Rewriter(namespace, linker._copied_names(namespace), {})
    return [rewriter.value(argument) for argument in found]


_NO_VALUE = {"Ref": "AWS::NoValue"}


@record
class _Names:
    """The names a template declares, by kind."""

    parameters: set[str]
    resources: set[str]
    conditions: set[str]
    mappings: set[str]

    @classmethod
    def of(cls, data: Any) -> "_Names":
        return cls(set(_section(data, "Parameters")), set(_section(data, "Resources")),
                   set(_section(data, "Conditions")), set(_section(data, "Mappings")))


class _Rewriter:
    """Rewrites one copied template's expressions into its namespace."""

    def __init__(self, namespace: str, names: _Names, bindings: dict[str, Any]) -> None:
        self.ns = namespace
        self.names = names
        self.bindings = bindings   # nested stack parameters: the parent's expressions

    def resource(self, resource: Any, exists: str | None) -> Any:
        if not isinstance(resource, dict):
            return resource
        out = {}
        for key, value in resource.items():
            if key == "Condition" and isinstance(value, str):
                value = self.ns + value
            elif key == "DependsOn":
                value = [self.ns + v if isinstance(v, str) else v for v in value] \
                    if isinstance(value, list) else (self.ns + value if isinstance(value, str)
                                                     else value)
            elif key != "Type":
                value = self.value(value)
            out[key] = value
        if exists is not None:
            own = out.get("Condition")
            out["Condition"] = exists if own is None else own   # own conditions include exists
        return out

    def ref(self, name: str) -> Any:
        if name in self.bindings:
            return self.bindings[name]
        if name in self.names.parameters or name in self.names.resources or name in _STACK_PSEUDOS:
            return {"Ref": self.ns + name}
        return {"Ref": name}   # AWS::Region and the like, or undefined (said by the resolver)

    def value(self, value: Any) -> Any:
        if isinstance(value, list):
            return [self.value(item) for item in value]
        if not isinstance(value, dict):
            return value
        if len(value) == 1:
            key, argument = next(iter(value.items()))
            if key == "Ref" and isinstance(argument, str):
                return self.ref(argument)
            if key == "Fn::GetAtt":
                return {key: self._get_att(argument)}
            if key == "Fn::Sub":
                return {key: self._sub(argument)}
            if key == "Fn::If" and isinstance(argument, list) and argument \
                    and isinstance(argument[0], str):
                return {key: [self.ns + argument[0]] + [self.value(a) for a in argument[1:]]}
            if key == "Condition" and isinstance(argument, str):
                return {key: self.ns + argument}
            if key == "Fn::FindInMap" and isinstance(argument, list) and argument \
                    and isinstance(argument[0], str):
                return {key: [self.ns + argument[0]] + [self.value(a) for a in argument[1:]]}
        return {key: self.value(item) for key, item in value.items()}

    def _get_att(self, argument: Any) -> Any:
        if isinstance(argument, str) and "." in argument:
            argument = argument.split(".", 1)
        if isinstance(argument, list) and len(argument) == 2 and isinstance(argument[0], str):
            return [self.ns + argument[0], self.value(argument[1])]
        return self.value(argument)

    def _sub(self, argument: Any) -> Any:
        text, variables = (argument[0], argument[1]) if isinstance(argument, list) \
            and len(argument) == 2 and isinstance(argument[1], dict) else (argument, {})
        if not isinstance(text, str):
            return self.value(argument)
        rewritten = {name: self.value(v) for name, v in variables.items()}
        for match in _SUB_VARIABLE.finditer(text):
            name = match.group(1).strip()
            if name.startswith("!") or name in rewritten:
                continue
            if name in self.names.parameters or name in self.names.resources \
                    or name in _STACK_PSEUDOS or name in self.bindings:
                rewritten[name] = self.ref(name)
            elif "." in name and name.split(".", 1)[0] in self.names.resources:
                lid, attribute = name.split(".", 1)
                rewritten[name] = {"Fn::GetAtt": [self.ns + lid, attribute]}
        return [text, rewritten] if rewritten else text
