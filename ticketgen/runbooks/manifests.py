"""Resources the repo's own Kubernetes manifests define (`manifests = ["clusters/", "deploy/"]`).

A resource that exists in Git needs a runbook whether or not a ticket names it yet. Files are read
as they are: multi-document YAML, kustomize folders file by file (nothing is built), and Helm chart
folders (a `Chart.yaml` above the file) skipped, since their templates are not YAML until rendered.
YAML is read safely: no aliases, no custom tags, the project's file-size limit, errors with file:line.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import yaml

from ..core import safe_yaml
from ..core.cache import digest
from ..core.errors import ContentError
from ..core.io import DEFAULT_MAX_BYTES, read_bytes, read_source
from ..core.kinds import KINDS, KindInfo, Origin, ResourceRef, kind_for_api, name_problem

_YAML_SUFFIXES = (".yaml", ".yml")
# A kind is ours only in its own API group: kustomize's `kustomize.config.k8s.io` Kustomization is not Flux's.
_GROUPS = {info.kind: info.resource.split(".", 1)[1] for info in KINDS}


@dataclass(frozen=True)
class ManifestObject:
    ref: ResourceRef
    origin: Origin
    source: str | None  # "GitRepository flux-system/platform": what it reads from, when it says


def manifest_files(folders: Iterable[Path], *, kustomize: bool = False) -> list[Path]:
    """YAML files under `folders`, sorted; files inside a Helm chart (a Chart.yaml above) left out.
    With `kustomize`, also the extension-less `Kustomization` files a namespace may come from."""
    found: set[Path] = set()
    for folder in folders:
        if folder.is_file():
            found.add(folder)
            continue
        for current, dirs, files in os.walk(folder):
            if "Chart.yaml" in files:
                dirs.clear()  # a chart: its templates are Go templates, not YAML
                continue
            dirs.sort()
            found.update(
                Path(current) / f for f in files if f.endswith(_YAML_SUFFIXES) or kustomize and f == "Kustomization"
            )
    return sorted(found)


def _shown(path: Path, root: Path) -> Path:
    return Path(os.path.relpath(path, root)) if path.is_relative_to(root) else path


def _compose_all(text: str, shown: Path) -> list[yaml.Node]:
    """Every document's node tree, through the one YAML reader (no aliases, plain tags only,
    bounded nesting); any problem is a ContentError at its line."""
    try:
        return list(safe_yaml.compose_all(text))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        reason = getattr(exc, "problem", None) or exc
        syntax = isinstance(exc, (yaml.scanner.ScannerError, yaml.parser.ParserError))
        message = f"not valid YAML: {reason}" if syntax else str(reason)
        raise ContentError(message, shown, mark.line + 1 if mark else 1) from None


def _scalar(node: yaml.Node | None) -> str | None:
    return node.value if isinstance(node, yaml.ScalarNode) and node.value else None


def _get(node: yaml.Node | None, *keys: str) -> yaml.Node | None:
    for key in keys:
        if not isinstance(node, yaml.MappingNode):
            return None
        node = next((v for k, v in node.value if isinstance(k, yaml.ScalarNode) and k.value == key), None)
    return node


def _source(info: KindInfo, doc: yaml.Node, namespace: str) -> str | None:
    ref = _get(doc, "spec", "sourceRef")
    if info.kind == "helmrelease":
        ref = _get(doc, "spec", "chart", "spec", "sourceRef") or _get(doc, "spec", "chartRef")
    kind, name = _scalar(_get(ref, "kind")), _scalar(_get(ref, "name"))
    if not kind or not name:
        return None
    return f"{kind} {_scalar(_get(ref, 'namespace')) or namespace}/{name}"


def _kustomize_namespace(path: Path, root: Path, project_root: Path) -> str | None:
    """The `namespace:` of a kustomization.yaml in the file's folder or above (within `root`)."""
    folder = path.parent
    while folder.is_relative_to(root):
        for name in ("kustomization.yaml", "kustomization.yml", "Kustomization"):
            candidate = folder / name
            if candidate.is_file() and candidate != path:
                try:
                    doc = safe_yaml.compose(read_source(candidate, root=project_root).text)
                except (yaml.YAMLError, ContentError):
                    return None
                return _scalar(_get(doc, "namespace"))
        if folder == root:
            break
        folder = folder.parent
    return None


def read_manifests(
    folders: Iterable[Path], root: Path, max_bytes: int = DEFAULT_MAX_BYTES
) -> tuple[list[ManifestObject], list[tuple[Path, int, str]]]:
    """(objects, warnings): every Terraform, source, Kustomization, HelmRelease and Deployment
    the files define. Objects whose namespace cannot be told, or whose name is not a valid
    Kubernetes name, are warnings, not runbooks."""
    objects: list[ManifestObject] = []
    warnings: list[tuple[Path, int, str]] = []
    folders = list(folders)
    for path in manifest_files(folders):
        shown = _shown(path, root)
        text = read_source(path, max_bytes, shown, root=root).text
        for doc in _compose_all(text, shown):
            info = kind_for_api(_scalar(_get(doc, "kind")) or "")
            api = _scalar(_get(doc, "apiVersion")) or ""
            if info is None or api.split("/", 1)[0] != _GROUPS[info.kind]:
                continue
            line = doc.start_mark.line + 1
            name = _scalar(_get(doc, "metadata", "name"))
            base = next((f for f in folders if path.is_relative_to(f)), root)
            namespace = _scalar(_get(doc, "metadata", "namespace")) or _kustomize_namespace(path, base, root)
            if not name or not namespace:
                what = "metadata.name" if not name else "metadata.namespace (nor a kustomization.yaml namespace)"
                warnings.append((shown, line, f"{info.api_kind} without {what}: no runbook"))
                continue
            problem = name_problem(info, namespace, name)
            if problem:
                warnings.append((shown, line, f"{problem}: no runbook"))
                continue
            ref = ResourceRef(info.kind, namespace, name)
            detail = f"{info.api_kind} {namespace}/{name}"
            objects.append(
                ManifestObject(ref, Origin("manifest", shown, line, None, detail), _source(info, doc, namespace))
            )
    return objects, warnings


@dataclass(frozen=True)
class Defined:
    """What the repo says exists: the manifests' objects and runbooks/resources.yaml's entries
    (objects that live outside Git). A ticket naming anything else has a typo, or names an object
    gone from Git. The one place that decides it, for `ticketgen lint` and `ticketgen runbooks`."""

    refs: frozenset[ResourceRef]
    folders: str  # the manifest folders read, as messages name them: "clusters, deploy"

    @classmethod
    def of(
        cls,
        objects: Iterable[ManifestObject],
        extra: Iterable[tuple[ResourceRef, Origin]],
        folders: Iterable[Path],
        root: Path,
    ) -> Defined:
        shown = ", ".join(_shown(f, root).as_posix() for f in folders)
        return cls(frozenset(o.ref for o in objects) | {ref for ref, _ in extra}, shown)

    def missing(self, ref: ResourceRef) -> str | None:
        """The warning for a resource a ticket names, or None when it is defined or kind-level
        (a kind-level ref stands for any object of its kind)."""
        if ref.is_kind_level or ref in self.refs:
            return None
        return f"names {ref}, which the manifests ({self.folders}) do not define"


def inputs_digest(
    folders: Iterable[Path], extra: Path, max_bytes: int = DEFAULT_MAX_BYTES, root: Path | None = None
) -> str:
    """A hash of the files `Defined` is read from (paths and bytes, nothing parsed): lint keys its
    cached findings with it, so an edited manifest re-lints the tickets. A file the reader
    refuses (over `max_bytes`, not a regular file, a symlink out of `root`) is not read: the
    refusal and its size and modification time stand for its bytes."""
    parts = []
    for path in [*manifest_files(folders, kustomize=True), extra]:
        try:
            data = read_bytes(path, max_bytes, root=root)
            head = f"{path}\0{len(data)}\0"
        except ContentError as exc:
            try:
                stat = path.stat()
                refused = f"{stat.st_size}\0{stat.st_mtime_ns}"
            except OSError:
                refused = ""
            data, head = b"", f"{path}\0{exc.message}\0{refused}\0"
        parts.append(head.encode() + data)
    return digest(b"".join(parts))
