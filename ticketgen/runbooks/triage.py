"""Decide which resources in a `kubectl get ... -A -o json` dump are stuck, and why.

The status shapes are those of gitops-recovery.md (tofu-controller v0.16.5, Flux v2.9) and of the
Kubernetes Deployment docs. Each finding names the runbook step to run and the tickets that mention
the resource, so the person on call goes from "something is red" to "do this" in one command.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from ..core.kinds import KINDS, ResourceRef, kind_for_api, name_problem
from ..core.terminal import printable

# Diagnosis code -> the heading of the runbook step that handles it, per kind (see the templates).
_SOURCE_STEPS = {
    "suspended": "3. Resume it",
    "stalled": "1. Fix the cause",
    "retrying": "1. Fix the cause",
    "not-ready": "1. Fix the cause",
}
_KS_FIX = "1. Fix it in Git, then reconcile the source and the Kustomization"
RUNBOOK_STEPS: dict[str, dict[str, str]] = {
    "terraform": {
        "suspended": "1. Resume it",
        "retrying": "2. Get the fix into the source",
        "revision-behind": "2. Get the fix into the source",
        "retry-limit": "4. Clear `RetryLimitReached`",
        "plan-pending": "5. Approve or discard a pending plan",
        "state-locked": "6. Release the state lock",
        "hung": "7. Restart a hung controller (last resort)",
        "stalled": "Logs",
    },
    "gitrepository": _SOURCE_STEPS,
    "ocirepository": _SOURCE_STEPS,
    "bucket": _SOURCE_STEPS,
    "kustomization": {"suspended": "2. Resume it", "stalled": _KS_FIX, "retrying": _KS_FIX, "not-ready": _KS_FIX},
    "helmrelease": {
        "suspended": "4. Resume it",
        "retries-exceeded": "1. Find the cause",
        "stalled": "1. Find the cause",
        "retrying": "1. Find the cause",
        "not-ready": "1. Find the cause",
    },
    "deployment": {"progress-deadline": "1. Fix the cause", "paused": "2. Resume a paused rollout"},
}  # fmt: skip
# What `ticketgen triage --kubectl` reads, and what a dump must come from (fully qualified: no short-name clashes).
DUMP_RESOURCES = ",".join(info.resource for info in KINDS)
_SOURCE_KINDS = {"GitRepository", "OCIRepository", "Bucket"}


def read_cluster(timeout: float = 120) -> str:
    """`kubectl get ... -A -o json` in the current context: read-only. TriageInputError when
    kubectl is missing or fails (its own message, which names the context problem)."""
    import shutil
    import subprocess

    kubectl = shutil.which("kubectl")
    if kubectl is None:
        raise TriageInputError("--kubectl: kubectl is not on PATH")
    try:
        done = subprocess.run(
            [kubectl, "get", DUMP_RESOURCES, "-A", "-o", "json"], capture_output=True, text=True, timeout=timeout
        )
    except subprocess.TimeoutExpired:
        raise TriageInputError(f"--kubectl: kubectl get did not answer within {timeout:.0f}s") from None
    if done.returncode != 0:
        raise TriageInputError(f"--kubectl: kubectl get failed: {done.stderr.strip() or done.returncode}")
    return done.stdout


class TriageInputError(Exception):
    """The input is not JSON, or not the output of `kubectl get ... -o json`."""


@dataclass(frozen=True)
class Diagnosis:
    code: str
    message: str
    since: dt.datetime | None = None


@dataclass
class Finding:
    ref: ResourceRef
    api_kind: str
    diagnoses: list[Diagnosis]
    runbook: str | None = None
    runbook_exists: bool = False
    tickets: list[str] = field(default_factory=list)
    kind_tickets: list[str] = field(default_factory=list)

    @property
    def step(self) -> str:
        return RUNBOOK_STEPS[self.ref.kind].get(self.diagnoses[0].code, "Quick path")


def load_dump(source: str | IO[str], name: str | None = None) -> dict[str, Any]:
    """The parsed dump; TriageInputError names the file and the line of a JSON error."""
    name = name or ("<stdin>" if not isinstance(source, str) else source)
    try:
        text = Path(source).read_text(encoding="utf-8") if isinstance(source, str) else source.read()
    except (OSError, UnicodeDecodeError) as exc:
        raise TriageInputError(f"{name}: cannot read: {exc}") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise TriageInputError(f"{name}:{exc.lineno}:{exc.colno}: not valid JSON: {exc.msg}") from None
    if isinstance(data, dict) and "items" not in data and kind_for_api(str(data.get("kind"))):
        data = {"apiVersion": "v1", "kind": "List", "items": [data]}  # `kubectl get KIND NAME -o json`
    if not isinstance(data, dict) or not isinstance(data.get("items"), list):
        raise TriageInputError(
            f"{name}: expected a v1 List with `items` (the output of `kubectl get {DUMP_RESOURCES} -A -o json`)"
        )
    return data


def _time(value: Any, where: str) -> dt.datetime | None:
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        raise TriageInputError(f"{where}: expected an RFC 3339 timestamp, got {value!r}")
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        raise TriageInputError(f"{where}: {value!r} is not an RFC 3339 timestamp") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def _mapping(obj: dict[str, Any], key: str, where: str) -> dict[str, Any]:
    value = obj.get(key)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise TriageInputError(f"{where}: `{key}` must be an object")
    return value


def _conditions(status: dict[str, Any], where: str) -> dict[str, dict[str, Any]]:
    raw = status.get("conditions") or []
    if not isinstance(raw, list) or not all(isinstance(c, dict) for c in raw):
        raise TriageInputError(f"{where}: status.conditions must be a list of objects")
    return {str(c.get("type")): c for c in raw}


@dataclass(frozen=True)
class _Item:
    index: int
    api_kind: str
    ref: ResourceRef
    spec: dict[str, Any]
    status: dict[str, Any]
    conditions: dict[str, dict[str, Any]]
    where: str


def _items(data: dict[str, Any]) -> list[_Item]:
    items = []
    for index, obj in enumerate(data["items"]):
        where = f"items[{index}]"
        if not isinstance(obj, dict):
            raise TriageInputError(f"{where}: expected an object")
        info = kind_for_api(str(obj.get("kind")))
        if info is None:
            continue  # other kinds may be in a dump; they are not ours to judge
        meta = _mapping(obj, "metadata", where)
        name, namespace = meta.get("name"), meta.get("namespace")
        if not isinstance(name, str) or not isinstance(namespace, str):
            raise TriageInputError(f"{where} ({info.api_kind}): metadata.name and metadata.namespace are required")
        if name_problem(info, namespace, name):
            raise TriageInputError(f"{where} ({info.api_kind}): {name_problem(info, namespace, name)}")
        where = f"{where} ({info.api_kind} {namespace}/{name})"
        status = _mapping(obj, "status", where)
        items.append(
            _Item(index, info.api_kind, ResourceRef(info.kind, namespace, name), _mapping(obj, "spec", where), status,
                  _conditions(status, where), where)
        )  # fmt: skip
    return items


def _describe(condition: dict[str, Any]) -> str:
    parts = [f"{condition.get('type')}={condition.get('status')}"]
    if condition.get("reason"):
        parts.append(str(condition["reason"]))
    text = " ".join(parts)
    return f"{text}: {condition['message']}" if condition.get("message") else text


def _is(condition: dict[str, Any] | None, status: str, reason: str | None = None) -> bool:
    return (
        bool(condition) and condition.get("status") == status and (reason is None or condition.get("reason") == reason)
    )


def _diagnose(item: _Item, sources: dict[tuple[str, str, str], _Item], now: dt.datetime, limit: dt.timedelta):
    """Read the fields each controller keeps (gitops-recovery.md section 13), never the age of `Ready`
    alone: tofu-controller and kustomize-controller reset `Ready` at every attempt."""
    found: list[Diagnosis] = []
    cond = item.conditions
    if item.api_kind == "Deployment":
        progressing = cond.get("Progressing")
        if _is(progressing, "False", "ProgressDeadlineExceeded"):
            since = _time(progressing.get("lastTransitionTime"), item.where)
            found.append(Diagnosis("progress-deadline", "rollout not progressing: " + _describe(progressing), since))
        if item.spec.get("paused") is True:
            found.append(Diagnosis("paused", "spec.paused is true: the rollout is paused"))
        return found
    if item.spec.get("suspend") is True:
        found.append(Diagnosis("suspended", "spec.suspend is true: the controller skips it"))
    stalled = cond.get("Stalled")
    if _is(stalled, "True"):
        code = {"RetryLimitReached": "retry-limit", "RetriesExceeded": "retries-exceeded"}.get(
            str(stalled.get("reason")), "stalled"
        )
        note = {
            "retry-limit": " (a plain requestedAt annotation does not clear it)",
            "retries-exceeded": " (fix the cause first: resetting the counters retries the same failing release)",
        }.get(code, "")
        found.append(Diagnosis(code, _describe(stalled) + note, _time(stalled.get("lastTransitionTime"), item.where)))
    if item.api_kind == "Terraform":
        return found + _terraform(item, sources, now, limit)
    ready = cond.get("Ready")
    if (
        item.api_kind == "HelmRelease"
        and not found
        and _is(ready, "False")
        and "retries exhausted" in str(ready.get("message", ""))
    ):  # helm-controller before v0.37 (Flux 2.2): no Stalled condition
        found.append(
            Diagnosis("retries-exceeded", _describe(ready), _time(ready.get("lastTransitionTime"), item.where))
        )
    retrying = cond.get("Reconciling")
    if _is(retrying, "True", "ProgressingWithRetry"):
        since = _time(retrying.get("lastTransitionTime"), item.where)
        if since is not None and now - since > limit:
            why = f"{_describe(ready)}; " if ready else ""
            found.append(
                Diagnosis("retrying", f"{why}Reconciling=True ProgressingWithRetry for {_age(now - since)}", since)
            )
    elif _is(ready, "False") and not _is(stalled, "True"):  # a Ready=False that no attempt reset
        since = _time(ready.get("lastTransitionTime"), item.where)
        if since is not None and now - since > limit:
            found.append(Diagnosis("not-ready", f"{_describe(ready)} (for {_age(now - since)})", since))
    return found


_DURATION = re.compile(r"(\d+(?:\.\d+)?)(ms|h|m|s)")
_UNIT = {"h": 3600.0, "m": 60.0, "s": 1.0, "ms": 0.001}


def _seconds(value: Any, default: float) -> float:
    """A Go duration (`15s`, `1m30s`) in seconds; `default` when unset or unreadable."""
    if not isinstance(value, str) or not value:
        return default
    parts = _DURATION.findall(value)
    return sum(float(n) * _UNIT[u] for n, u in parts) if parts else default


def _retried_for(failures: int, spec: dict[str, Any]) -> dt.timedelta:
    """The least time `failures` retries take: retryInterval (15s when unset) after each, doubled per
    failure under ExponentialBackoff up to maxRetryInterval (24h) (terraform_types.go v0.16.5)."""
    interval = _seconds(spec.get("retryInterval"), 15.0)
    if spec.get("retryStrategy") != "ExponentialBackoff":
        return dt.timedelta(seconds=failures * interval)
    cap = _seconds(spec.get("maxRetryInterval"), 24 * 3600.0)
    return dt.timedelta(seconds=sum(min(cap, interval * 2**n) for n in range(min(failures, 64))))


def _manual_approval(spec: dict[str, Any], pending: str) -> bool:
    """A pending plan waits for a person only when approvePlan is empty or does not approve it
    (`shouldApply`: auto, or a prefix of the plan id, applies)."""
    approve = spec.get("approvePlan") or ""
    return approve != "auto" and not (approve and pending.startswith(approve))


def _terraform(item: _Item, sources, now: dt.datetime, limit: dt.timedelta) -> list[Diagnosis]:
    found = []
    status, where = item.status, item.where
    plan = _mapping(status, "plan", where)
    lock = _mapping(status, "lock", where)
    cond = item.conditions
    ready = cond.get("Ready") or {}
    failures = status.get("reconciliationFailures") or 0
    if not isinstance(failures, int) or isinstance(failures, bool) or failures < 0:
        raise TriageInputError(f"{where}: status.reconciliationFailures must be a whole number")
    attempted = status.get("lastAttemptedRevision") or "(none)"
    applied = status.get("lastAppliedRevision") or "(none)"
    ref = _mapping(item.spec, "sourceRef", where)
    key = (str(ref.get("kind")), str(ref.get("namespace") or item.ref.namespace), str(ref.get("name")))
    source = sources.get(key)
    artifact = _mapping(source.status, "artifact", source.where) if source else {}
    offered = artifact.get("revision")
    revisions = f"attempted {attempted}, applied {applied}" + (f", source offers {offered}" if offered else "")
    if lock.get("pending") or _is(cond.get("StateLocked"), "True") or ready.get("reason") == "LockHeld":
        found.append(Diagnosis("state-locked", f"state lock held (status.lock.pending={lock.get('pending') or '?'})"))
    pending = plan.get("pending")
    if isinstance(pending, str) and pending and _manual_approval(item.spec, pending):
        since = _time(status.get("lastPlanAt"), where) or _time(ready.get("lastTransitionTime"), where)
        if since is None or now - since > limit:
            age = f" for {_age(now - since)}" if since else ""
            found.append(
                Diagnosis(
                    "plan-pending",
                    f"status.plan.pending={pending} waits{age} for manual approval "
                    f"(spec.approvePlan={item.spec.get('approvePlan') or '(empty)'})",
                    since,
                )
            )
    if failures and not any(d.code == "retry-limit" for d in found) and not item.spec.get("suspend"):
        last_ok = _time(status.get("lastSuccessfulReconcileAt"), where)
        span = now - last_ok if last_ok else _retried_for(failures, item.spec)
        if span > limit:
            how_long = f"since {last_ok.isoformat()}" if last_ok else f"for at least {_age(span)}"
            reason = f"; {_describe(ready)}" if ready.get("status") == "False" else ""
            found.append(
                Diagnosis(
                    "retrying",
                    f"status.reconciliationFailures={failures}, failing {how_long} ({revisions}){reason}",
                    last_ok,  # an estimate is a duration, not a start time
                )
            )
    if offered and offered != status.get("lastAttemptedRevision"):
        updated = _time(artifact.get("lastUpdateTime"), source.where)
        if updated is None or now - updated > limit:
            found.append(
                Diagnosis(
                    "revision-behind",
                    f"lastAttemptedRevision {attempted} trails {key[0]} {key[1]}/{key[2]} "
                    f"artifact {offered}" + (f" (available for {_age(now - updated)})" if updated else ""),
                    updated,
                )
            )
    progressing = _is(ready, "Unknown", "Progressing")
    if progressing and not failures and not any(d.code == "revision-behind" for d in found):
        since = _time(ready.get("lastTransitionTime"), where)
        if since is not None and now - since > max(limit, _RUNNER_RPC_TIMEOUT):
            found.append(
                Diagnosis(
                    "hung",
                    f"{_describe(ready)} for {_age(now - since)}, longer than the runner RPC timeout "
                    "(30m in v0.16.5): a hung reconcile if no runner pod runs",
                    since,
                )
            )
    return found


_RUNNER_RPC_TIMEOUT = dt.timedelta(minutes=30)  # --runner-rpc-timeout default, tofu-controller v0.16.5 (#1838)


def _age(delta: dt.timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    return " ".join(p for p in (f"{days}d" if days else "", f"{hours}h" if hours else "", f"{mins}m") if p)


def triage_dump(
    data: dict[str, Any],
    *,
    now: dt.datetime | None = None,
    stuck_after_minutes: int = 30,
) -> tuple[int, list[Finding]]:
    """(resources checked, findings): one finding per stuck resource, its diagnoses in order."""
    now = now or dt.datetime.now(dt.UTC)
    limit = dt.timedelta(minutes=stuck_after_minutes)
    items = _items(data)
    sources = {(i.api_kind, i.ref.namespace, i.ref.name): i for i in items if i.api_kind in _SOURCE_KINDS}
    findings = []
    for item in items:
        diagnoses = _diagnose(item, sources, now, limit)
        if diagnoses:
            findings.append(Finding(item.ref, item.api_kind, diagnoses))
    return len(items), findings


def link_findings(findings: list[Finding], project) -> list[Finding]:
    """Fill in each finding's runbook and tickets from the project (when there is one)."""
    if project is None:
        return findings
    from .generate import project_resources, runbook_paths

    runbooks_dir = project.config.runbooks_dir
    corpus = project.load()
    found = project_resources(project, corpus).found
    by_ref = {f.ref: f for f in found}
    paths = runbook_paths(found, runbooks_dir)
    status = {t.id: t.status for t in corpus.tickets}

    def shown(ids: list[str]) -> list[str]:
        """Open tickets first; a done one (the schema's done statuses) says so."""
        done = [i for i in ids if project.schema.is_done(status.get(i))]
        return [i for i in ids if i not in done] + [f"{i} ({status[i]})" for i in done]

    for finding in findings:
        exact = by_ref.get(finding.ref)
        kind_level = by_ref.get(ResourceRef.kind_level(finding.ref.kind))
        named = exact.ticket_ids if exact else []
        finding.tickets = shown(named)
        finding.kind_tickets = shown([t for t in (kind_level.ticket_ids if kind_level else []) if t not in named])
        path = paths.get(finding.ref) or paths.get(ResourceRef.kind_level(finding.ref.kind))
        if path is not None:
            finding.runbook = project.display(path).as_posix()
            finding.runbook_exists = path.is_file()
    return findings


def render_text(checked: int, findings: list[Finding], *, raw: bool = False) -> str:
    """The report; each line shows control characters from the cluster's messages as escapes
    (a `\\r\\n` in a message cannot fake a line of the report) unless `raw`."""
    lines = []
    for f in findings:
        lines.append(f"STUCK {f.api_kind} {f.ref.namespace}/{f.ref.name}")
        for d in f.diagnoses:
            lines.append(f"  - {d.message}" + (f" (since {d.since.isoformat()})" if d.since else ""))
        if f.runbook:
            note = "" if f.runbook_exists else " (not generated yet: run `ticketgen runbooks`)"
            lines.append(f'  runbook: {f.runbook}{note}, step "{f.step}"')
        else:
            lines.append(f'  runbook: none generated for it (template {f.ref.kind}.md.j2 covers it), step "{f.step}"')
        if f.tickets:
            lines.append(f"  tickets: {', '.join(f.tickets)}")
        if f.kind_tickets:
            lines.append(f"  tickets about {f.api_kind}s: {', '.join(f.kind_tickets)}")
    lines.append(f"{len(findings)} of {checked} resources stuck")
    return "\n".join(lines if raw else map(printable, lines)) + "\n"


def render_json(checked: int, findings: list[Finding]) -> str:
    rows = [
        {
            "kind": f.api_kind,
            "namespace": f.ref.namespace,
            "name": f.ref.name,
            "resource": str(f.ref),
            "diagnoses": [
                {"code": d.code, "message": d.message, "since": d.since.isoformat() if d.since else None}
                for d in f.diagnoses
            ],
            "runbook": f.runbook,
            "runbook_exists": f.runbook_exists,
            "step": f.step,
            "tickets": f.tickets,
            "kind_tickets": f.kind_tickets,
        }
        for f in findings
    ]
    return json.dumps({"checked": checked, "stuck": rows}, indent=2) + "\n"
