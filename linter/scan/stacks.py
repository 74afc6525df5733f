"""The templates of one scan analysed as the system they deploy (issue 13).

Before any file is checked, :func:`index` reads what links the files: every export
(``Outputs.*.Export.Name``, resolved with the exporting template's own parameters, conditions
and stack name) and every nested stack that names a local template. Each file's check then
asks :func:`link_file` for its :class:`~linter.link.Linked` template: itself with the templates
it imports from and nests merged in (``linter/link.py``), so that a trail is judged the same
whether its log group and role are in its own file or in another file of the scan.

The index is cheap: files are read as bytes and only those that can export or nest are parsed;
a scan where no file imports and no file nests a local template builds nothing and links
nothing. It is built in the main process and handed to the workers (it pickles).

- Stack names (``AWS::StackName`` in export names) come from ``cdk.out``'s ``manifest.json``,
  the configuration's per-file ``stack_name``, or ``--stack-name`` for a single template.
- A template nested by another template of the scan is analysed through its parents (with
  the values they pass), not on its own; identical findings from several parents are one.
- The configuration's ``workspace`` folders are indexed too, without being checked: a
  pre-commit run of the changed files still sees the logging stack they import from.
"""

from __future__ import annotations

import json
import os
import re
import stat
from collections import OrderedDict
from typing import Any, Iterator

from .. import config as config_file
from .. import link, load, records, trail
from ..findings import Located
from ..records import field, record
from ..report import Run
from ..values import EMPTY, Parameter, Pseudo, Resolver, Text, render
from . import sections
from .files import discover

_CAN_EXPORT = b"Export"
_CAN_IMPORT = b"ImportValue"
_CAN_NEST = (b"AWS::CloudFormation::Stack", b"AWS::Serverless::Application")
_NAME_SECTIONS = frozenset({"Parameters", "Mappings", "Conditions", "Outputs"})


@record
class ScanIndex:
    """What links the files of one scan (see the module's docstring)."""

    exports: "LazyExports | None" = None
    # a nested template (real path) -> the files of the scan that nest it
    parents: dict[str, list[str]] = field(default_factory=dict)
    stack_names: dict[str, str] = field(default_factory=dict)   # file -> its stack's name
    importers: frozenset[str] = frozenset()   # files whose text may import
    nesters: frozenset[str] = frozenset()     # files whose text may nest a stack
    # files that nest a stack whose template is not a file of the scan (an S3 URL, a Serverless
    # Application Repository application): linked for the reason alone, which WT1007 gives
    remote: frozenset[str] = frozenset()

    @property
    def active(self) -> bool:
        return bool(self.importers or self.nesters or self.remote)

    def stack_name(self, file: str) -> str | None:
        return self.stack_names.get(file)


def index(files: list[str], options: trail.Options, config: config_file.Config) -> ScanIndex:
    """The index of ``files`` (and the configuration's workspace folders)."""
    _WHOLE.clear()   # a new scan: files may have changed since the last one in this process
    _ASSETS.clear()
    forget_reads()
    candidates = list(files)
    if config.workspace:
        seen = {link.real_path(f) for f in files}
        for extra in discover(config.workspace, Run()):   # their errors are not this scan's
            if link.real_path(extra) not in seen:
                candidates.append(extra)
    raws: dict[str, bytes] = {}
    importers, nesters, exporters, remote = set(), set(), [], set()
    for path in candidates:
        try:
            if not stat.S_ISREG(os.stat(path).st_mode):
                continue   # a FIFO or device is not read twice (its own check says what it is)
        except OSError:
            continue
        try:
            with open(path, "rb") as handle:
                raw = handle.read(config.load_limits.max_bytes + 1 if config.load_limits else -1)
        except OSError:
            continue   # the file's own check says so
        if _CAN_IMPORT in raw:
            importers.add(path)
        if any(marker in raw for marker in _CAN_NEST):
            (nesters if sections.may_nest_locally(raw) or assembly_assets(path)
             else remote).add(path)
        if _CAN_EXPORT in raw:
            exporters.append(path)
        raws[path] = raw
        _keep_read(path, raw)
    if not importers and not nesters and not remote:
        return ScanIndex()
    result = ScanIndex(importers=frozenset(importers), remote=frozenset(remote))
    result.stack_names = _stack_names(candidates, options, config, len(files))
    documents: dict[str, Any] = {}

    def document(path: str) -> Any:
        if path not in documents:
            try:   # whole, and kept: the file's own check and its links take it from here
                documents[path] = load_whole(path, config.load_limits, raws[path])
            except Exception:  # noqa: BLE001 - the file's own check reports it
                documents[path] = None
        return documents[path]

    if importers:
        deployments = {path: name for path in candidates
                       if (name := config.deployment_for(path)) is not None}
        result.exports = LazyExports(tuple(exporters), options, config, result.stack_names,
                                     deployments, {path: raws[path] for path in exporters
                                                   if not _cut_short(raws[path], config)})
    nesting = set()
    for path in sorted(nesters):
        data = getattr(document(path), "data", None)
        if not isinstance(data, dict):
            continue
        for stack_id in link.local_children(data):
            child, _why = link.child_location(data["Resources"][stack_id], path,
                                              assembly_assets(path))
            if child is not None:
                nesting.add(path)
                parents = result.parents.setdefault(link.real_path(child), [])
                if path not in parents:
                    parents.append(path)
    result.nesters = frozenset(nesting)
    return result


def _cut_short(raw: bytes, config: config_file.Config) -> bool:
    """Whether the index read only the first ``max_bytes + 1`` bytes of a larger file."""
    return config.load_limits is not None and len(raw) > config.load_limits.max_bytes


class LazyExports:
    """The export index, built as imports ask for names: most imports of real templates name a
    stack by a parameter with no value here (``${ParentStack}-TopicARN``) and never ask, and a
    name asked for is looked up only in the exporting templates that could build it — those
    where one of the name's words is written where an export name's text can come from (its
    Outputs' names, its Parameters' values, its Mappings: see :func:`_name_text`), or is given
    to it (the configuration's parameter values, its stack's name, the pseudo parameters).
    The others are never parsed. Each process builds its own (a worker, if one of its files
    asks). Which imports ask at all is the linker's business: only names some scenario can
    import (``link._import_arguments``)."""

    def __init__(self, exporters: tuple[str, ...], options: trail.Options,
                 config: config_file.Config, stack_names: dict[str, str],
                 deployments: dict[str, str], read: dict[str, bytes] | None = None) -> None:
        self.exporters, self.options, self.config = exporters, options, config
        self.stack_names, self.deployments = stack_names, deployments
        self._index = link.ExportIndex(deployments=dict(deployments))
        # exporter -> its bytes (None: unreadable); ``read``: what the scan's index read already
        self._read: dict[str, bytes | None] = dict(read or {})
        self._text: dict[str, str] = {}    # exporter -> its whole text
        self._names: dict[str, str] = {}   # exporter -> the text its names could come from
        self._parameters: dict[str, dict] = {}   # exporter -> the parameter values its check uses
        self._indexed: set[str] = set()

    def __getstate__(self) -> dict:   # a worker gets the recipe, not a half-built index
        return {**self.__dict__, "_index": link.ExportIndex(deployments=dict(self.deployments)),
                "_read": {}, "_text": {}, "_names": {}, "_parameters": {}, "_indexed": set()}

    def find(self, region: str, name: str, importer: str) -> tuple[link.Export | None, str]:
        words = _WORD.findall(name)
        for path in self.exporters:
            if path not in self._indexed and (not words or self._may_build(path, words)):
                self._add(path)
        return self._index.find(region, name, importer)

    def _may_build(self, path: str, words: list[str]) -> bool:
        """Whether the exporter's text or what is given it holds one of ``words``: first the
        whole text (a plain search), then only where a name's text can come from."""
        if not any(_has_word(self._whole_text(path), word) for word in words):
            return any(word in self._given(path) for word in words)
        text = self._name_text(path)
        return any(_has_word(text, word) for word in words)

    def _whole_text(self, path: str) -> str:
        if path not in self._text:
            self._text[path] = (self._raw(path) or b"").decode("utf-8", "replace")
        return self._text[path]

    def _raw(self, path: str) -> bytes | None:
        if path not in self._read:
            try:
                with open(path, "rb") as handle:
                    self._read[path] = handle.read()
            except OSError:
                self._read[path] = None
        return self._read[path]

    def _parameters_of(self, path: str) -> dict:
        """The parameter values an exporter's own check uses (the configuration's for it)."""
        if path not in self._parameters:
            from .check import file_options   # check imports this module

            self._parameters[path] = file_options(path, self.options, self.config).parameters
        return self._parameters[path]

    def _given(self, path: str) -> str:
        """What an exporter's names may hold that is not its text: the parameter values the
        configuration gives it, its stack's name, and the other pseudo parameters' values."""
        return "\n".join([*map(str, self._parameters_of(path).values()),
                          self.stack_names.get(path) or "", *self.options.regions,
                          self.options.account_id or "", _PSEUDO_TEXT])

    def _name_text(self, path: str) -> str:
        if path not in self._names:
            self._names[path] = _name_text(self._whole_text(path)) + "\n" + self._given(path)
        return self._names[path]

    def _add(self, path: str) -> None:
        self._indexed.add(path)
        data = _outputs_and_names(self._raw(path), path, self.config)
        if data is None:   # it cannot be read: it may export a name its text holds
            self._index.unreadable[path] = self._whole_text(path) + "\n" + self._given(path)
            return
        _index_exports(self._index, path, data, self._parameters_of(path), self.options,
                       self.stack_names.get(path))


def _name_text(text: str) -> str:
    """What of a template's text an export name's literal text can come from: its Outputs'
    export names, its Parameters' values and its Mappings. Not Resources (a Ref or GetAtt of
    a resource is never literal text here), not Conditions (true or false, never text), and
    not what only describes (a Description is never a value). Over, never under: in doubt,
    more of the text."""
    if text.lstrip()[:1] == "{":
        try:
            data = json.loads(text)
        except ValueError:   # RecursionError included: the file's own check says what
            return text
        return "\n".join(_json_name_strings(data)) if isinstance(data, dict) else ""
    parts = sections.split(text)
    if parts is None:
        return text
    kept = []
    for name, part in parts:
        if name in _NAME_TEXT_SECTIONS:
            # each pattern starts at a line's "\n" (found by a fast search for that character;
            # "^" in MULTILINE mode would make the matcher try every position)
            part = "\n" + part
            if name in _DESCRIBED_SECTIONS:
                part = _NOT_A_NAME_LINE.sub("\n", part)
            kept.append(_TRAILING_COMMENT.sub(r"\n\1", _NO_TEXT_LINE.sub("\n", part))[1:])
    return "\n".join(kept)


def _json_name_strings(data: dict) -> Iterator[str]:
    parameters, outputs = data.get("Parameters"), data.get("Outputs")
    if isinstance(parameters, dict):
        for parameter in parameters.values():
            if isinstance(parameter, dict):
                yield from _strings([parameter.get("Default"), parameter.get("AllowedValues")])
    if isinstance(outputs, dict):
        for output in outputs.values():
            export = output.get("Export") if isinstance(output, dict) else None
            yield from _strings(export)
    yield from _strings(data.get("Mappings"))


def _strings(value: Any) -> Iterator[str]:
    """Every key and scalar inside ``value``, as text."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            yield from item
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
        elif item is not None:
            yield str(item)


# Mappings whole (its keys are read by Fn::FindInMap); Parameters and Outputs without the lines
# that cannot be a name's text
_NAME_TEXT_SECTIONS = frozenset({"Parameters", "Outputs", "Mappings"})
_DESCRIBED_SECTIONS = frozenset({"Parameters", "Outputs"})
# a line of a parameter or an output that is never an export name's text: its description,
# constraint, output value or condition (written on one line; a longer one stays, which is
# only more text)
_NOT_A_NAME_LINE = re.compile(r"\n[ \t]+(?:Description|ConstraintDescription|AllowedPattern|"
                              r"Type|MinLength|MaxLength|MinValue|MaxValue|NoEcho|"
                              r"Value|Condition)[ \t]*:[^\n]*")
# a line of no text in any of them: a comment, or a key alone (a logical ID, "Export:", a
# mapping's key: never part of a value)
_NO_TEXT_LINE = re.compile(r"\n[ \t]*(?:#[^\n]*|[A-Za-z0-9_:-]+[ \t]*:[ \t]*(?:#[^\n]*)?)(?=\n|\Z)")
# a comment after a value, on a line with no quote before it (where " #" may be in a string)
_TRAILING_COMMENT = re.compile(r"\n([^'\"#\n]*?)[ \t]+#[^\n]*")


# the words of an export name that its template must hold to be able to build it: a name's word
# is a whole run of letters and digits, and so it is where the template writes it (between
# quotes, blanks, "${...}", "-"...), not inside a longer run ("appname" holds no word "name")
_WORD = re.compile(r"[A-Za-z0-9]{3,}")


def _has_word(text: str, word: str) -> bool:
    """Whether ``word`` stands in ``text`` as a whole run of letters and digits (each
    occurrence found by ``str.find``, its two neighbours then looked at)."""
    at = text.find(word)
    while at >= 0:
        end = at + len(word)
        if (at == 0 or not _is_word_char(text[at - 1])) \
                and (end == len(text) or not _is_word_char(text[end])):
            return True
        at = text.find(word, at + 1)
    return False


def _is_word_char(char: str) -> bool:
    return char.isascii() and char.isalnum()


# what AWS::Partition and AWS::URLSuffix may be
_PSEUDO_TEXT = "aws aws-cn aws-us-gov aws-iso aws-iso-b amazonaws.com amazonaws.com.cn"


def _outputs_and_names(raw: bytes | None, path: str, config: config_file.Config) -> Any:
    """An exporter's Outputs and what their names are built from, from its bytes ``raw``: the
    sections alone when the layout allows (most of a template is its Resources), else the
    whole file; None when it cannot be read."""
    if raw is None:
        return None
    try:
        text = load.decode(raw)
    except load.LoadError:
        return None
    try:
        part = sections.cut(text, _NAME_SECTIONS)
        if part is not None:
            return load.parse(part, path, config.load_limits).data if part.strip() else {}
    except Exception:  # noqa: BLE001 - parsed whole below, which says what is wrong
        pass
    try:
        return load.load_text(text, path, config.load_limits).data
    except Exception:  # noqa: BLE001 - the file's own check reports it
        return None


def _index_exports(exports: link.ExportIndex, path: str, data: Any, parameters: dict,
                   options: trail.Options, stack_name: str | None) -> None:
    outputs = data.get("Outputs") if isinstance(data, dict) else None
    if not isinstance(outputs, dict):
        return
    for region in options.regions:
        resolver = Resolver(data, parameters, region, options.account_id, options.max_branches,
                            options.max_reference_depth, stack_name=stack_name)
        for key, output in outputs.items():
            export = output.get("Export") if isinstance(output, dict) else None
            if not isinstance(export, dict) or "Name" not in export:
                continue
            try:
                branches = resolver.resolve(export["Name"], EMPTY)
            except Exception:  # noqa: BLE001 - a limit or malformed name: said on the import
                branches = []
            for _scenario, name in branches:
                if isinstance(name, str) and name:
                    exports.add(region, link.Export(path, key, name))
                elif not unknowns_beyond_names(name):
                    exports.unresolved.append((path, key, _pattern(name), render(name)))


def unknowns_beyond_names(name: Any) -> bool:
    """Whether an export name holds more than parameters and pseudo parameters (then it is
    no use as a hint: it could be anything)."""
    parts = name.parts if isinstance(name, Text) else [name]
    return any(not isinstance(part, (str, Parameter, Pseudo)) for part in parts)


def _pattern(name: Any) -> link.NamePattern:
    """The names an export name not known here may be (``link.fits``)."""
    parts = name.parts if isinstance(name, Text) else [name]
    return tuple(part if isinstance(part, str) else None for part in parts)


def _stack_names(files: list[str], options: trail.Options, config: config_file.Config,
                 given: int) -> dict[str, str]:
    names: dict[str, str] = {}
    manifests: dict[str, dict[str, str]] = {}
    for path in files:
        folder = os.path.dirname(os.path.abspath(path))
        if folder not in manifests:
            manifests[folder] = _manifest_stack_names(folder)
        from_manifest = manifests[folder].get(os.path.basename(path))
        name = (config.stack_name_for(path) if config.stack_names else None) or from_manifest
        if name:
            names[path] = name
    if options.stack_name and given == 1 and files:
        names[files[0]] = options.stack_name
    return names


_ASSETS: dict[str, dict[str, str]] = {}


def assembly_assets(template: str) -> dict[str, str]:
    """The file assets of the CDK cloud assembly ``template`` is in: object key -> file, from
    the asset manifests its ``manifest.json`` lists (``cdk:asset-manifest`` artifacts). Empty
    outside a cloud assembly. Read once per folder."""
    folder = os.path.dirname(os.path.abspath(template))
    if folder in _ASSETS:
        return _ASSETS[folder]
    found: dict[str, str] = {}
    for _id, properties in _manifest_artifacts(folder, "cdk:asset-manifest"):
        name = properties.get("file")
        if not isinstance(name, str):
            continue
        try:
            with open(os.path.join(folder, name), "rb") as handle:
                files = json.loads(handle.read()).get("files", {})
        except (OSError, ValueError, AttributeError):
            continue
        for entry in files.values() if isinstance(files, dict) else ():
            source = entry.get("source") if isinstance(entry, dict) else None
            path = source.get("path") if isinstance(source, dict) else None
            destinations = entry.get("destinations") if isinstance(entry, dict) else None
            if not isinstance(path, str) or not isinstance(destinations, dict):
                continue
            for destination in destinations.values():
                key = destination.get("objectKey") if isinstance(destination, dict) else None
                if isinstance(key, str) and key:
                    found[key] = path
    _ASSETS[folder] = found
    return found


def _manifest_artifacts(folder: str, kind: str) -> list[tuple[str, dict]]:
    """(ID, properties) of the artifacts of type ``kind`` in ``folder``'s ``manifest.json``;
    none outside a cloud assembly or when it cannot be read."""
    manifest = os.path.join(folder, "manifest.json")
    if not os.path.isfile(manifest):
        return []
    try:
        with open(manifest, "rb") as handle:
            artifacts = json.loads(handle.read()).get("artifacts", {})
    except (OSError, ValueError, AttributeError):
        return []
    out = []
    for artifact_id, artifact in (artifacts.items() if isinstance(artifacts, dict) else ()):
        if isinstance(artifact, dict) and artifact.get("type") == kind:
            properties = artifact.get("properties") or {}
            out.append((artifact_id, properties if isinstance(properties, dict) else {}))
    return out


def _manifest_stack_names(folder: str) -> dict[str, str]:
    """A cloud assembly's stacks: template file name -> stack name (``manifest.json``)."""
    names = {}
    for artifact_id, properties in _manifest_artifacts(folder, "aws:cloudformation:stack"):
        template = properties.get("templateFile")
        if isinstance(template, str):
            name = properties.get("stackName") or artifact_id
            names[os.path.basename(template)] = str(name)
    return names


# -- per file ---------------------------------------------------------------------------------


# The bytes the index read, kept for the file's own check in this process (a scan without
# worker processes reads each file once), up to a budget, and dropped as they are taken.
_READ: dict[str, bytes] = {}
_READ_BUDGET = 64 * 1024 * 1024
_read_kept = [0]


def _keep_read(path: str, raw: bytes) -> None:
    if _read_kept[0] + len(raw) <= _READ_BUDGET:
        _READ[path] = raw
        _read_kept[0] += len(raw)


def take_read(path: str) -> bytes | None:
    """The bytes of ``path`` the index read for this scan, once; None when it did not keep them."""
    return _READ.pop(path, None)


def forget_reads() -> None:
    """Drop what the index kept: when the scan ends, or before worker processes, which read
    their files themselves."""
    _READ.clear()
    _read_kept[0] = 0


# Templates read whole for linking, by real path, most recent last: an exporting stack that
# several files import, or a nested template whose own check comes after its parent's (or
# before), is parsed once per process and scan. A scan does not change its files while it runs
# (--fix, which does, does not link); each scan starts with an empty cache (index), and a
# worker process lives for one scan. Bounded, as a scan may link thousands of files.
_WHOLE: "OrderedDict[tuple, Any]" = OrderedDict()
_WHOLE_MAX = 64


def cached_whole(path: str, limits: Any) -> Any:
    """``path`` as loaded whole earlier in this scan and process, or None."""
    key = (link.real_path(path), limits)
    document = _WHOLE.get(key)
    if document is not None:
        _WHOLE.move_to_end(key)
    return document


def load_whole(path: str, limits: Any, raw: bytes | None = None) -> Any:
    """``path`` loaded whole (not skimmed), from this process's cache when it was already;
    ``raw``: its bytes, when already read."""
    document = cached_whole(path, limits)
    if document is not None:
        return document
    key = (link.real_path(path), limits)
    document = load.load_path(path, limits) if raw is None else \
        load.load_read(raw, path, limits)
    _WHOLE[key] = document
    if len(_WHOLE) > _WHOLE_MAX:
        _WHOLE.popitem(last=False)
    return document


def nested_only(path: str, scan: ScanIndex | None) -> bool:
    """Whether ``path`` is deployed only as a nested stack of files of this scan (then it is
    analysed through them). A file whose parents all lie in a nesting cycle that no other file
    of the scan nests is no one's child: the first of that cycle (by real path) is analysed as
    the root, so the cycle is reported, once, and its trails are not skipped silently."""
    if scan is None:
        return False
    real = link.real_path(path)
    if not scan.parents.get(real):
        return False
    ancestors, todo = {real}, [real]
    while todo:
        for parent in scan.parents.get(todo.pop(), ()):
            above = link.real_path(parent)
            if not scan.parents.get(above):
                return True   # reached from a file that nobody nests: analysed through it
            if above not in ancestors:
                ancestors.add(above)
                todo.append(above)
    return real != min(ancestors)


def link_file(path: str, document: Any, options: trail.Options, config: config_file.Config,
              scan: ScanIndex | None, scan_options: trail.Options) -> link.Linked | None:
    """``document`` merged with what it imports and nests, or None when it links nothing;
    ``options``: the file's own, ``scan_options``: the scan's (another file's values are those
    its own check uses)."""
    if scan is None or not scan.active or (path not in scan.importers and path not in scan.nesters
                                           and path not in scan.remote):
        return None
    from .check import file_options

    def load_other(other: str) -> Any:
        document = load_whole(other, config.load_limits)
        if not load.is_template(document.data):
            raise load.LoadError("it is not a CloudFormation template")
        return document

    def resolve_names(template: dict, given: dict, arguments: list) -> list[tuple[str, Any]]:
        out = []
        for region in options.regions:
            resolver = Resolver(template, given, region, options.account_id,
                                options.max_branches, options.max_reference_depth,
                                stack_name=options.stack_name)
            for argument in arguments:
                try:
                    out.extend((region, name) for _s, name in resolver.resolve(argument, EMPTY))
                except Exception:  # noqa: BLE001 - said when the analysis resolves it again
                    continue
        return out

    linker = link.Linker(document, path, load_other, scan.exports, resolve_names,
                         options.parameters,
                         lambda other: file_options(other, scan_options, config).parameters,
                         scan.stack_name, assembly_assets)
    linked = linker.link()
    if len(linked.origins) == 1 and not linked.links.missing and not linked.links.opaque:
        return None   # nothing found to link: the template as it is
    return linked


def place(item: Located, linked: link.Linked | None, document: Any) -> tuple[Located, Any]:
    """A finding on a nested stack's trail, moved to the nested template's file and path, with
    the parent chain in its scenario; others unchanged. Also: the document it is placed in."""
    finding = item.finding
    if linked is None or not link.is_foreign(finding.resource):
        return item, document
    prefix, own = linked.origin_of(finding.resource)
    origin = linked.origins.get(prefix)
    if origin is None:
        return item, document
    chain = _parent_chain(linked, prefix)
    path = tuple(own if part == finding.resource else part for part in finding.path)
    message = f"{finding.message} [nested in {chain}]"
    moved = records.replace(finding, resource=own, path=path, message=message,
                                scenario=finding.scenario + (("nested in", chain),))
    line, column = origin.document.position(path)
    return records.replace(item, finding=moved, file=origin.file, line=line,
                               column=column), origin.document


def _parent_chain(linked: link.Linked, prefix: str) -> str:
    """``parent.yaml Logging``, or ``root.yaml Outer/Inner`` for a stack nested twice."""
    return f"{linked.origins[''].file} {prefix.rstrip(link.NESTED_SEPARATOR)}"


def where_foreign(linked: link.Linked | None, evidence: tuple[str, ...]) -> list[tuple[str, str, int, int]]:
    """The resources of other files that ``evidence`` names: (name, file, line, column)."""
    if linked is None:
        return []
    found = []
    resources = linked.template["Resources"]
    for step in evidence:
        for token in step.replace("→", " ").replace(",", " ").split():
            token = token.strip("()[]'\".:")
            if link.is_foreign(token) and token not in resources:   # !GetAtt ns#Group.Arn
                token = token.rsplit(".", 1)[0]
            if not link.is_foreign(token) or token not in resources:
                continue
            prefix, own = linked.origin_of(token)
            origin = linked.origins.get(prefix)
            if origin is not None and all(f[0] != token for f in found):
                found.append((token, origin.file, *origin.document.position(("Resources", own))))
    return found


def with_related(item: Located, linked: link.Linked | None) -> Located:
    """``item`` with the other files' resources it names: named as their authors wrote them
    (``TrailRole in logging.yaml``, not the engine's ``logging.yaml#TrailRole``), each evidence
    step that names one saying where it is, and the finding listing them as related
    locations (never its own trail)."""
    finding = item.finding
    named = where_foreign(linked, finding.evidence + (finding.message,))
    if not named:
        return item
    found = [place for place in named
             if not (place[1] == item.file and linked.origin_of(place[0])[1] == finding.resource)]
    evidence = []
    for step in finding.evidence:
        places = [f"{file}:{line}" for name, file, line, _c in found if name in step]
        step = _as_written(step, named, _own_written)
        evidence.append(f"{step} (in {', '.join(places)})" if places else step)
    related = tuple((file, line, column, linked.origin_of(name)[1])   # its ID in its own file
                    for name, file, line, column in found)
    finding = records.replace(finding, evidence=tuple(evidence),
                                  message=_as_written(finding.message, named, link.shown))
    return records.replace(item, finding=finding, related=related)


def _own_written(name: str, attribute: str | None) -> str:
    """A copied resource as written in its own template (evidence says where it is)."""
    return link.own_name(name) + (f".{attribute}" if attribute is not None else "")


def _as_written(text: str, named: list, how: Any) -> str:
    """``text`` with each copied resource's engine name, and the attribute after it if any
    (``!GetAtt logging.yaml#Group.Arn``), replaced by ``how(name, attribute)``."""
    names = sorted({name for name, *_rest in named}, key=len, reverse=True)
    pattern = re.compile(r"(?<![A-Za-z0-9_./#-])(" + "|".join(map(re.escape, names)) +
                         r")(?:\.([A-Za-z][A-Za-z0-9]*(?:\.[A-Za-z][A-Za-z0-9]*)*))?(?![A-Za-z0-9])")
    return pattern.sub(lambda m: how(m.group(1), m.group(2)), text)


def merge_nested(run: Any) -> None:
    """A nested template's findings from several parents: one finding where they say the same
    (the parents listed together), kept apart where they differ."""
    merged: dict[tuple, Located] = {}
    order: list[tuple] = []
    for item in run.findings:
        f = item.finding
        chain = dict(f.scenario).get("nested in")
        if chain is None:
            key = ("own", id(item))
        else:
            base = f.message.rsplit(f" [nested in {chain}]", 1)[0]
            key = (item.file, item.line, item.column, f.rule, base,
                   tuple(p for p in f.scenario if p[0] != "nested in"), f.evidence)
        if key in merged and chain is not None:
            kept = merged[key]
            before = dict(kept.finding.scenario)["nested in"]
            chains = before + "; " + chain
            scenario = tuple(p for p in kept.finding.scenario if p[0] != "nested in") + \
                (("nested in", chains),)
            message = kept.finding.message.replace(f"[nested in {before}]",
                                                   f"[nested in {chains}]")
            merged[key] = records.replace(kept, finding=records.replace(
                kept.finding, scenario=scenario, message=message))
            continue
        merged[key] = item
        order.append(key)
    run.findings[:] = [merged[key] for key in order]
