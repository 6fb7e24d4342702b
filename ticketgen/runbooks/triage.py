"""Decide which objects in a `kubectl get ... -o json` dump need action, why, and what to do first.

Two layers. The generic one (kstatus.py) judges any kind as kstatus does and asks for how long;
the controller layer here refines the Flux and tofu-controller kinds from the fields those
controllers keep (gitops-recovery.md section 13: retry counters, plans, locks, revisions), since
their `Ready` is reset at every attempt. Then root cause first: a controller that is down is
reported before the objects it reconciles, and a failing object whose dependency fails too is
reported under that dependency. What triage cannot judge (a kind with no rule and no condition,
a malformed object, a kind kubectl may not list) is named, and makes the answer incomplete.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, TypeGuard

from ..core.errors import ContentError
from ..core.jsonio import JSONInputError, read_json, read_json_bytes, read_json_stream
from ..core.kinds import KIND_BY_ID, KINDS, ResourceRef, kind_for_api, name_problem
from ..core.terminal import printable
from . import kstatus
from .kstatus import FAILED, NOT_JUDGED, TERMINATING, Malformed, Obj, Verdict, describe, elapsed, has

EXIT_OK, EXIT_ACTION, EXIT_INPUT, EXIT_INCOMPLETE = 0, 1, 2, 3

# Diagnosis code -> the heading of the runbook step that handles it, per kind (see the templates).
# The steps every kind's page has (templates/runbooks, "## Recover", after the numbered steps):
_COMMON_STEPS = {
    "terminating": "Stuck deletion (finalizers)",
    "deletion-blocked": "Stuck deletion (finalizers)",
    "dependency-not-ready": "Dependency not ready",
    "controller-down": "Controller down",
    "generation-not-observed": "Generation not observed",
}
_SOURCE_STEPS = {
    **_COMMON_STEPS,
    "suspended": "3. Resume it",
    "stalled": "1. Fix the cause",
    "retrying": "1. Fix the cause",
    "reconciling": "1. Fix the cause",
    "not-ready": "1. Fix the cause",
}
_KS_FIX = "1. Fix it in Git, then reconcile the source and the Kustomization"
_HR_CAUSE = "1. Find the cause"
RUNBOOK_STEPS: dict[str, dict[str, str]] = {
    "terraform": {
        **_COMMON_STEPS,
        "suspended": "1. Resume it",
        "retrying": "2. Get the fix into the source",
        "revision-behind": "2. Get the fix into the source",
        "not-ready": "2. Get the fix into the source",
        "retry-limit": "4. Clear `RetryLimitReached`",
        "plan-pending": "5. Approve or discard a pending plan",
        "state-locked": "6. Release the state lock",
        "hung": "7. Restart a hung controller (last resort)",
        "artifact-failed": "Source artifact failed",
        "stalled": "Logs",
    },
    "gitrepository": _SOURCE_STEPS,
    "ocirepository": _SOURCE_STEPS,
    "bucket": _SOURCE_STEPS,
    "kustomization": {**_COMMON_STEPS, "suspended": "2. Resume it", "stalled": _KS_FIX, "retrying": _KS_FIX,
                      "reconciling": _KS_FIX, "not-ready": _KS_FIX},
    "helmrelease": {
        **_COMMON_STEPS,
        "suspended": "4. Resume it",
        "retries-exceeded": _HR_CAUSE,
        "stalled": _HR_CAUSE,
        "retrying": _HR_CAUSE,
        "reconciling": _HR_CAUSE,
        "not-ready": _HR_CAUSE,
        "drift": "Drift correction loop",
    },
    "deployment": {**_COMMON_STEPS, "progress-deadline": "1. Fix the cause", "not-ready": "1. Fix the cause",
                   "in-progress": "1. Fix the cause", "failed": "1. Fix the cause",
                   "paused": "2. Resume a paused rollout"},
}  # fmt: skip

# What `--kubectl` reads, one `kubectl get` per resource (fully qualified: no short-name clashes),
# so a missing CRD or a forbidden kind costs that kind only.
EXTRA_RESOURCES = (
    "helmrepositories.source.toolkit.fluxcd.io",
    "helmcharts.source.toolkit.fluxcd.io",
    "imagerepositories.image.toolkit.fluxcd.io",
    "imagepolicies.image.toolkit.fluxcd.io",
    "imageupdateautomations.image.toolkit.fluxcd.io",
)
CLUSTER_RESOURCES = tuple(info.resource for info in KINDS) + EXTRA_RESOURCES
DUMP_RESOURCES = ",".join(CLUSTER_RESOURCES)
_SOURCE_KINDS = {"GitRepository", "OCIRepository", "Bucket", "HelmRepository", "HelmChart"}
_FLUX_KINDS = {"Kustomization", "HelmRelease", "Terraform", "ImageRepository", "ImagePolicy",
               "ImageUpdateAutomation", "Alert", "Provider", "Receiver"} | _SOURCE_KINDS  # fmt: skip

# The controllers, and the kinds each reconciles (Flux's component list; tofu-controller: Terraform).
CONTROLLERS: dict[str, frozenset[str]] = {
    "source-controller": frozenset({"GitRepository", "OCIRepository", "Bucket", "HelmRepository", "HelmChart"}),
    "kustomize-controller": frozenset({"Kustomization"}),
    "helm-controller": frozenset({"HelmRelease"}),
    "notification-controller": frozenset({"Alert", "Provider", "Receiver"}),
    "image-reflector-controller": frozenset({"ImageRepository", "ImagePolicy"}),
    "image-automation-controller": frozenset({"ImageUpdateAutomation"}),
    "tofu-controller": frozenset({"Terraform"}),
}
_CONTROLLER_OF = {kind: name for name, kinds in CONTROLLERS.items() for kind in kinds}
# The kind whose runbook page holds a controller's "Controller down" step.
_CONTROLLER_PAGE = {"source-controller": "gitrepository", "kustomize-controller": "kustomization",
                    "helm-controller": "helmrelease", "tofu-controller": "terraform"}  # fmt: skip
# Pod labels of the installs (Flux: `app`; tofu-controller chart: app.kubernetes.io/name; its
# kustomize install: control-plane; gitops-recovery.md section 1.6).
_CONTROLLER_LABELS = ("app.kubernetes.io/name", "app", "control-plane", "app.kubernetes.io/component")
_BAD_WAIT = {"CrashLoopBackOff", "ImagePullBackOff", "ErrImagePull", "CreateContainerConfigError", "InvalidImageName"}
_RUNNER_RPC_TIMEOUT = dt.timedelta(minutes=30)  # --runner-rpc-timeout default, tofu-controller v0.16.5 (#1838)
_MAX_SPAN = dt.timedelta(days=365 * 100)  # durations are clamped here: no OverflowError from a hostile value


class TriageInputError(Exception):
    """The input is not a usable dump: not JSON, not a List, or an API error instead of objects."""


@dataclass(frozen=True)
class Diagnosis:
    code: str
    message: str
    since: dt.datetime | None = None


@dataclass
class Finding:
    """One object that needs action; `cause` is the key of the finding it is reported under."""

    obj: Obj
    diagnoses: list[Diagnosis]
    ref: ResourceRef | None = None
    page_kind: str | None = None  # the runbook kind whose page has the step
    cause: tuple[str, str, str] | None = None
    cause_why: str = ""
    runbook: str | None = None
    runbook_exists: bool = False
    tickets: list[str] = field(default_factory=list)
    kind_tickets: list[str] = field(default_factory=list)

    @property
    def api_kind(self) -> str:
        return self.obj.kind

    @property
    def key(self) -> tuple[str, str, str]:
        return self.obj.key

    @property
    def step(self) -> str | None:
        if self.page_kind is None:
            return None
        steps = RUNBOOK_STEPS.get(self.page_kind, _COMMON_STEPS)
        return steps.get(self.diagnoses[0].code, "Quick path")

    @property
    def anchor(self) -> str | None:
        return anchor(self.step) if self.step else None


@dataclass(frozen=True)
class Note:
    """A line that is not a finding: `suspended`, `waiting` (not Current, under its threshold),
    `age-unknown`, `warning` (malformed object), `skipped` (kind absent), `forbidden`."""

    kind: str
    text: str


@dataclass
class Report:
    checked: int = 0
    findings: list[Finding] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    not_judged: Counter[str] = field(default_factory=Counter)
    empty: bool = False

    @property
    def incomplete_reasons(self) -> list[str]:
        reasons = []
        if self.empty:
            reasons.append("the dump holds no objects (wrong kube context or namespace?)")
        if self.not_judged:
            reasons.append(f"{sum(self.not_judged.values())} not judged")
        for kind, word in (("warning", "malformed"), ("forbidden", "forbidden"), ("age-unknown", "of unknown age")):
            count = sum(1 for n in self.notes if n.kind == kind)
            if count:
                reasons.append(f"{count} {word}")
        return reasons

    @property
    def exit_code(self) -> int:
        if self.findings:
            return EXIT_ACTION
        return EXIT_INCOMPLETE if self.incomplete_reasons else EXIT_OK


# --- reading ----------------------------------------------------------------------------------------


def _input_error(exc: ContentError) -> TriageInputError:
    if isinstance(exc, JSONInputError) and exc.yaml_like:
        return TriageInputError(f"{exc}: triage reads JSON; dump with `kubectl get ... -o json`, not `-o yaml`")
    return TriageInputError(str(exc))


def load_dump(source: str | IO[bytes] | IO[str] | bytes, name: str | None = None) -> dict[str, Any]:
    """The parsed dump (a v1 List), read through the one JSON reader (size and depth bounded).
    A single object becomes a List of one; a kubectl `Status` (403 Forbidden...) is named."""
    try:
        if isinstance(source, bytes):
            data = read_json_bytes(source, name or "<input>")
        elif isinstance(source, str):
            data = read_json(Path(source), display=Path(name or source))
        else:
            stream = getattr(source, "buffer", source)
            data = read_json_stream(stream, name or "<stdin>")  # type: ignore[arg-type]
    except ContentError as exc:
        raise _input_error(exc) from None
    name = name or (source if isinstance(source, str) else "<stdin>")
    if isinstance(data, dict) and data.get("kind") == "Status":
        raise TriageInputError(f"{name}: {_status_text(data)}")
    if isinstance(data, dict) and "items" not in data and isinstance(data.get("kind"), str) and "metadata" in data:
        data = {"apiVersion": "v1", "kind": "List", "items": [data]}  # `kubectl get KIND NAME -o json`
    if not isinstance(data, dict) or not isinstance(data.get("items"), list):
        raise TriageInputError(
            f"{name}: expected a v1 List with `items` (the output of `kubectl get {DUMP_RESOURCES} -A -o json`)"
        )
    return data


def _status_text(status: dict[str, Any]) -> str:
    """A kubectl/API `Status` object in words, naming the permission a 403 lacks."""
    details = status.get("details")
    if not isinstance(details, dict):
        details = {}
    reason, code = str(status.get("reason") or "Failure"), status.get("code")
    text = f"the API answered {reason}" + (f" ({code})" if isinstance(code, int) else "")
    if status.get("message"):
        text += f": {str(status['message'])[:300]}"
    if reason == "Forbidden" or code == 403:
        what = ".".join(str(p) for p in (details.get("kind"), details.get("group")) if p) or "these objects"
        text += f"; the account needs `list` on {what} (kubectl auth can-i list {what} -A)"
    return text + " - not a dump of objects"


def _since_text(now: dt.datetime, since: dt.datetime | None, source: str) -> str:
    if since is None:
        return "age unknown"
    upper = " at most" if source == "creationTimestamp" else ""
    return f"for{upper} {_age(elapsed(now, since))} (since {since.isoformat()}, {source})"


def _age(delta: dt.timedelta) -> str:
    delta = min(max(delta, dt.timedelta(0)), _MAX_SPAN)
    minutes = int(delta.total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    return " ".join(p for p in (f"{days}d" if days else "", f"{hours}h" if hours else "", f"{mins}m") if p)


# --- durations (Go's time.ParseDuration units) -------------------------------------------------------

_DURATION = re.compile(r"(\d{1,12}(?:\.\d{1,9})?)(ns|us|µs|ms|h|m|s)")
_UNIT = {"h": 3600.0, "m": 60.0, "s": 1.0, "ms": 0.001, "us": 1e-6, "µs": 1e-6, "ns": 1e-9}


def _seconds(obj: Obj, path: str, default: float) -> float:
    """A Go duration (`15s`, `1m30s`) in seconds, bounded; `default` when unset; Malformed when
    it is not a duration (the controller would refuse it too)."""
    value = obj.get(path, str)
    if not value:
        return default
    parts = _DURATION.findall(value)
    if not parts or "".join(n + u for n, u in parts) != value:
        raise Malformed(f"{path}: {value[:40]!r} is not a duration (like 15s or 1m30s)")
    return min(sum(float(n) * _UNIT[u] for n, u in parts), _MAX_SPAN.total_seconds())


def _retried_for(failures: int, obj: Obj) -> dt.timedelta:
    """The least time `failures` retries take: retryInterval (15s when unset) after each, doubled per
    failure under ExponentialBackoff up to maxRetryInterval (24h) (terraform_types.go v0.16.5)."""
    interval = _seconds(obj, "spec.retryInterval", 15.0)
    if obj.text("spec.retryStrategy") != "ExponentialBackoff":
        total = failures * interval
    else:
        cap = _seconds(obj, "spec.maxRetryInterval", 24 * 3600.0)
        doubling = sum(min(cap, interval * 2**n) for n in range(min(failures, 64)))
        total = doubling + max(0, failures - 64) * cap
    return dt.timedelta(seconds=min(total, _MAX_SPAN.total_seconds()))


# --- the controller layer ----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Context:
    now: dt.datetime
    limit: dt.timedelta
    by_key: dict[tuple[str, str, str], Obj]
    runner_pods: frozenset[tuple[str, str]]  # (namespace, terraform name) with a runner pod in the dump


def _old(since: dt.datetime | None, ctx: _Context, limit: dt.timedelta | None = None) -> TypeGuard[dt.datetime]:
    """Whether `since` is known and longer ago than the limit (a type guard: the age can then be told)."""
    return since is not None and elapsed(ctx.now, since) > (limit or ctx.limit)


def _manual_approval(obj: Obj, pending: str) -> bool:
    """A pending plan waits for a person only when approvePlan is empty or does not approve it
    (`shouldApply`: auto, or a prefix of the plan id, applies)."""
    approve = obj.text("spec.approvePlan")
    return approve != "auto" and not (approve and pending.startswith(approve))


def _deps(obj: Obj) -> list[tuple[tuple[str, str, str], str]]:
    """What `obj` waits on: spec.dependsOn (same kind), its source (sourceRef, a HelmRelease's
    chart.spec.sourceRef or chartRef), and for a Terraform being deleted the dependants its
    `tf.dependency.of.<name>` finalizers name (tf_controller.go: deletion waits for them)."""
    found = []
    for position, dep in enumerate(obj.get("spec.dependsOn", list, [])):
        if not isinstance(dep, dict) or not isinstance(dep.get("name"), str):
            raise Malformed(f"spec.dependsOn[{position}]: expected an object with a name")
        namespace = dep.get("namespace") or obj.namespace
        found.append(((obj.kind, str(namespace), dep["name"]), "dependsOn"))
    for path in ("spec.sourceRef", "spec.chart.spec.sourceRef", "spec.chartRef"):
        ref = obj.mapping(path)
        if ref:
            kind, name = ref.get("kind"), ref.get("name")
            if not isinstance(kind, str) or not isinstance(name, str):
                raise Malformed(f"{path}: kind and name must be strings")
            found.append(((kind, str(ref.get("namespace") or obj.namespace), name), path.removeprefix("spec.")))
    if obj.kind == "Terraform" and obj.get("metadata.deletionTimestamp", str):
        for finalizer in obj.get("metadata.finalizers", list, []):
            if isinstance(finalizer, str) and finalizer.startswith("tf.dependency.of."):
                found.append((("Terraform", obj.namespace, finalizer.removeprefix("tf.dependency.of.")), "dependant"))
    return found


def _flux(obj: Obj, verdict: Verdict, ctx: _Context) -> list[Diagnosis]:
    """Flux kinds: kustomize-, helm-, source-, image- and notification-controller objects."""
    found: list[Diagnosis] = []
    cond = obj.conditions
    stalled, ready, reconciling = cond.get("Stalled"), cond.get("Ready"), cond.get("Reconciling")
    if has(stalled, "True"):
        code = "retries-exceeded" if stalled.get("reason") == "RetriesExceeded" else "stalled"
        note = (
            " (fix the cause first: resetting the counters retries the same failing release)"
            if code != "stalled"
            else ""
        )
        found.append(Diagnosis(code, describe(stalled) + note, obj.condition_time(stalled)))
    elif obj.kind == "HelmRelease" and has(ready, "False") and "retries exhausted" in str(ready.get("message", "")):
        # helm-controller before v0.37 (Flux 2.2): no Stalled condition
        found.append(Diagnosis("retries-exceeded", describe(ready), obj.condition_time(ready)))
    if has(ready, "False", "DependencyNotReady"):
        since = obj.condition_time(ready)
        if _old(since, ctx):
            found.append(
                Diagnosis("dependency-not-ready", f"{describe(ready)} ({_since_text(ctx.now, since, 'Ready')})", since)
            )
    drift = _drift(obj, ctx)
    if drift:
        found.append(drift)
    if has(reconciling, "True") and not found:
        since = obj.condition_time(reconciling)
        if _old(since, ctx):
            code = "retrying" if reconciling.get("reason") == "ProgressingWithRetry" else "reconciling"
            why = f"{describe(ready)}; " if ready else ""
            reason = reconciling.get("reason") or ""
            found.append(Diagnosis(code, f"{why}Reconciling=True {reason} for {_age(elapsed(ctx.now, since))}", since))
    elif has(ready, "False") and not has(stalled, "True") and not found:  # a Ready=False no attempt reset
        since = obj.condition_time(ready)
        if _old(since, ctx):
            found.append(Diagnosis("not-ready", f"{describe(ready)} (for {_age(elapsed(ctx.now, since))})", since))
    return found


def _drift(obj: Obj, ctx: _Context) -> Diagnosis | None:
    """helm-controller: `Drifted=True DriftDetected` (internal/reconcile/atomic_release.go
    `actionForState`) and `Ready=Unknown Progressing "correcting cluster drift"`
    (correct_cluster_drift.go `Reconcile`); held past the threshold, something keeps changing
    the release's objects back."""
    if obj.kind != "HelmRelease":
        return None
    drifted, ready = obj.conditions.get("Drifted"), obj.conditions.get("Ready")
    if has(drifted, "True"):
        since = obj.condition_time(drifted)
        if _old(since, ctx):
            return Diagnosis("drift", f"{describe(drifted)[:300]} (for {_age(elapsed(ctx.now, since))})", since)
    if has(ready, "Unknown") and "correcting cluster drift" in str(ready.get("message", "")):
        since = obj.condition_time(ready)
        if _old(since, ctx):
            return Diagnosis("drift", f"{describe(ready)} for {_age(elapsed(ctx.now, since))}", since)
    return None


def _terraform(obj: Obj, verdict: Verdict, ctx: _Context) -> tuple[list[Diagnosis], list[Note]]:
    """tofu-controller (gitops-recovery.md sections 2.1 and 13; reasons from api/v1alpha2/condition_types.go,
    where they are set: controllers/tf_controller.go `Reconcile`)."""
    found: list[Diagnosis] = []
    notes: list[Note] = []
    cond = obj.conditions
    ready = cond.get("Ready") or {}
    stalled = cond.get("Stalled")
    now = ctx.now
    found.extend(_tf_stalled(obj, stalled))
    ready_since = obj.condition_time(ready) if ready else None
    found.extend(_tf_ready_false(obj, ready, ready_since, stalled, ctx))
    failures = obj.number("status.reconciliationFailures", 0) or 0
    if failures < 0:
        raise Malformed("status.reconciliationFailures: must not be negative")
    attempted = obj.text("status.lastAttemptedRevision") or "(none)"
    applied = obj.text("status.lastAppliedRevision") or "(none)"
    source_key = next((k for k, how in _deps(obj) if how == "sourceRef"), None)
    source = ctx.by_key.get(source_key) if source_key else None
    offered = source.text("status.artifact.revision") if source else ""
    revisions = f"attempted {attempted}, applied {applied}" + (f", source offers {offered}" if offered else "")
    for judged in (_tf_state_lock(obj, ready, ready_since, ctx), _tf_plan_pending(obj, ready_since, ctx)):
        found.extend(judged[0])
        notes.extend(judged[1])
    if failures and not any(d.code in ("retry-limit", "artifact-failed", "dependency-not-ready") for d in found):
        found.extend(_tf_retrying(obj, failures, revisions, ready, ctx))
    if offered and source is not None and offered != obj.text("status.lastAttemptedRevision"):
        found.extend(_tf_revision_behind(source, attempted, offered, ctx))
    behind = any(d.code == "revision-behind" for d in found)
    rpc_limit = max(ctx.limit, _RUNNER_RPC_TIMEOUT)
    runner = (obj.namespace, obj.name) in ctx.runner_pods  # a runner pod: the run is alive, not hung
    if (
        has(ready, "Unknown", "Progressing")
        and not (failures or behind or runner)
        and _old(ready_since, ctx, rpc_limit)
    ):
        found.append(Diagnosis(
            "hung",
            f"{describe(ready)} for {_age(elapsed(now, ready_since))}, longer than the runner RPC timeout "
            "(30m in v0.16.5) and no runner pod in the dump: a hung reconcile",
            ready_since,
        ))  # fmt: skip
    handled = ready.get("reason") in ("LockHeld", "TerraformPlannedWithChanges")  # the lock and plan rules above
    if not found and not handled and has(ready, "False") and _old(ready_since, ctx):
        # Ready is reset at every attempt, so its age is at most the failing time: never a false alarm.
        found.append(Diagnosis("not-ready", f"{describe(ready)} (for {_age(elapsed(now, ready_since))})", ready_since))
    return found, notes


def _tf_stalled(obj: Obj, stalled: dict[str, Any] | None) -> list[Diagnosis]:
    """`Stalled=True`: final at once. RetryLimitReached gets its own code (a plain reconcile
    request does not clear it); ArtifactFailed is judged with Ready below."""
    if not has(stalled, "True"):
        return []
    reason = stalled.get("reason")
    if reason == "RetryLimitReached":
        note = " (a plain requestedAt annotation does not clear it)"
        return [Diagnosis("retry-limit", describe(stalled) + note, obj.condition_time(stalled))]
    if reason != "ArtifactFailed":
        return [Diagnosis("stalled", describe(stalled), obj.condition_time(stalled))]
    return []


def _tf_ready_false(
    obj: Obj,
    ready: dict[str, Any],
    ready_since: dt.datetime | None,
    stalled: dict[str, Any] | None,
    ctx: _Context,
) -> list[Diagnosis]:
    """The `Ready=False` reasons that name their cause (deletion blocked by dependants, a failed
    source artifact, a dependency not ready), each held past the threshold."""
    found = []
    now = ctx.now
    if has(ready, "False", "DeletionBlockedByDependantsReason"):
        # The reason's value really ends in "Reason" (condition_types.go DeletionBlockedByDependants).
        since = obj.time("metadata.deletionTimestamp") or ready_since
        if _old(since, ctx):
            found.append(
                Diagnosis(
                    "deletion-blocked",
                    f"{describe(ready)} (deleting {_since_text(now, since, 'deletionTimestamp')})",
                    since,
                )
            )
    if has(ready, "False", "ArtifactFailed") and (_old(ready_since, ctx) or has(stalled, "True")):
        found.append(
            Diagnosis("artifact-failed", f"{describe(ready)} ({_since_text(now, ready_since, 'Ready')})", ready_since)
        )
    if has(ready, "False", "DependencyNotReady") and _old(ready_since, ctx):
        found.append(
            Diagnosis(
                "dependency-not-ready", f"{describe(ready)} ({_since_text(now, ready_since, 'Ready')})", ready_since
            )
        )
    return found


def _tf_state_lock(
    obj: Obj, ready: dict[str, Any], ready_since: dt.datetime | None, ctx: _Context
) -> tuple[list[Diagnosis], list[Note]]:
    """A held state lock is stuck only when no run holds it and it is old (or has no time to
    judge it by); while a run holds it, or before the threshold, it is a note that it waits."""
    cond = obj.conditions
    lock_id = obj.text("status.lock.pending")
    locked = cond.get("StateLocked")
    if not (lock_id or has(locked, "True") or ready.get("reason") == "LockHeld"):
        return [], []
    since = (
        obj.condition_time(locked)
        if has(locked, "True")
        else (ready_since if ready.get("reason") == "LockHeld" else None)
    )
    run = _run_holds(obj, ctx)
    text = f"state lock held (status.lock.pending={lock_id or '?'}) {_since_text(ctx.now, since, 'StateLocked')}"
    if run:
        return [], [Note("waiting", f"{obj.display}: {text}; {run}: not stuck")]
    if since is None or _old(since, ctx):
        return [Diagnosis("state-locked", text + ("" if since else ": no time to judge it by"), since)], []
    return [], [Note("waiting", f"{obj.display}: {text}; stuck after {_age(ctx.limit)}")]


def _tf_plan_pending(obj: Obj, ready_since: dt.datetime | None, ctx: _Context) -> tuple[list[Diagnosis], list[Note]]:
    """A plan waiting for manual approval: stuck past the threshold (or with no time to judge
    it by), a note that it waits before."""
    pending = obj.text("status.plan.pending")
    if not (pending and _manual_approval(obj, pending)):
        return [], []
    since = obj.time("status.lastPlanAt") or ready_since
    age = f" for {_age(elapsed(ctx.now, since))}" if since else " (age unknown)"
    approve = obj.text("spec.approvePlan") or "(empty)"
    text = f"status.plan.pending={pending} waits{age} for manual approval (spec.approvePlan={approve})"
    if since is None or _old(since, ctx):
        return [Diagnosis("plan-pending", text, since)], []
    return [], [Note("waiting", f"{obj.display}: {text}; stuck after {_age(ctx.limit)}")]


def _tf_retrying(obj: Obj, failures: int, revisions: str, ready: dict[str, Any], ctx: _Context) -> list[Diagnosis]:
    """Reconciliation failures with no named cause: stuck when they have gone on past the
    threshold, counted from the last success or, without one, from the retry backoff."""
    last_ok = obj.time("status.lastSuccessfulReconcileAt")
    span = elapsed(ctx.now, last_ok) if last_ok else _retried_for(failures, obj)
    if span <= ctx.limit:
        return []
    how_long = f"since {last_ok.isoformat()}" if last_ok else f"for at least {_age(span)}"
    reason = f"; {describe(ready)}" if ready.get("status") == "False" else ""
    return [
        Diagnosis(
            "retrying",
            f"status.reconciliationFailures={failures}, failing {how_long} ({revisions}){reason}",
            last_ok,
        )
    ]


def _tf_revision_behind(source: Obj, attempted: str, offered: str, ctx: _Context) -> list[Diagnosis]:
    """The source offers a revision the controller has not attempted, and has for longer than
    the threshold (or since an unknown time)."""
    updated = source.time("status.artifact.lastUpdateTime")
    if not (updated is None or _old(updated, ctx)):
        return []
    return [Diagnosis(
        "revision-behind",
        f"lastAttemptedRevision {attempted} trails {source.display} artifact {offered}"
        + (f" (available for {_age(elapsed(ctx.now, updated))})" if updated else ""),
        updated,
    )]  # fmt: skip


def _run_holds(obj: Obj, ctx: _Context) -> str:
    """Why a run holds the lock right now, or "": `Ready=Unknown` with a progressing reason
    (tf_controller.go marks Progressing before each run), or a `<name>-tf-runner` pod in the dump."""
    ready = obj.conditions.get("Ready")
    if has(ready, "Unknown", "Progressing"):
        return "a run is in progress (Ready=Unknown Progressing)"
    if (obj.namespace, obj.name) in ctx.runner_pods:
        return f"runner pod {obj.namespace}/{obj.name}-tf-runner is in the dump"
    return ""


# --- the generic layer's findings ----------------------------------------------------------------------


def _generic(obj: Obj, verdict: Verdict, ctx: _Context) -> tuple[list[Diagnosis], list[Note]]:
    """Findings from kstatus' answer: Failed at once when the state is final (Stalled, a progress
    deadline, a crash loop, a failed Job), every other not-Current answer past the threshold."""
    result, since = verdict.result, verdict.since
    when = _since_text(ctx.now, since, verdict.since_source)
    text = f"kstatus {result.status} {result.reason}: {result.message} ({when})"
    if result.status == TERMINATING:
        finalizers = [str(f) for f in obj.get("metadata.finalizers", list, [])]
        text = f"deletion pending {when}; finalizers: {', '.join(finalizers) or '(none)'}"
        return (
            ([Diagnosis("terminating", text, since)], [])
            if _old(since, ctx)
            else ([], [Note("waiting", f"{obj.display}: {text}")])
        )
    code = {
        "ProgressDeadlineExceeded": "progress-deadline",
        "LatestGenerationNotObserved": "generation-not-observed",
        "ContainerCrashLooping": "crashloop",
    }.get(result.reason, "failed" if result.status == FAILED else "in-progress")
    if code == "in-progress" and verdict.since_source.startswith("Ready"):
        code = "not-ready"
    progressing = obj.conditions.get("Progressing")
    deadline = obj.number("spec.progressDeadlineSeconds") if obj.kind == "Deployment" else None
    if result.status != FAILED and has(progressing, "True") and deadline is not None and deadline < 2**31 - 1:
        # The Deployment controller sets Progressing=False ProgressDeadlineExceeded when no progress is
        # made for progressDeadlineSeconds: while it is True, that deadline is the better judge.
        return [], [Note("waiting", f"{obj.display}: {text}; Progressing=True, progress deadline {deadline}s")]
    final = result.status == FAILED and result.reason not in ("PodUnschedulable",)
    if final or _old(since, ctx):
        return [Diagnosis(code, text, since)], []
    if since is None:
        return [], [Note("age-unknown", f"{obj.display}: {text}: cannot tell busy from stuck")]
    return [], [Note("waiting", f"{obj.display}: {text}; stuck after {_age(ctx.limit)}")]


def _controller_name(obj: Obj) -> str | None:
    """Which Flux controller or tofu-controller a Deployment or Pod runs, from its labels or name."""
    if obj.kind not in ("Deployment", "Pod"):
        return None
    labels = obj.mapping("metadata.labels")
    if obj.kind == "Deployment":
        labels = {**labels, **obj.mapping("spec.template.metadata.labels")}
    values = [str(labels[k]) for k in _CONTROLLER_LABELS if isinstance(labels.get(k), str)]
    values.append(obj.name)
    for value in values:
        value = value.replace("tf-controller", "tofu-controller")
        for name in CONTROLLERS:
            if value == name or (obj.kind == "Deployment" and value.endswith("-" + name)):
                return name
    if obj.kind == "Pod":  # a Deployment's pod: <deployment>-<replicaset hash>-<pod hash>
        base = obj.name.rsplit("-", 2)[0].replace("tf-controller", "tofu-controller")
        return next((n for n in CONTROLLERS if base == n or base.endswith("-" + n)), None)
    return None


def _controller_health(obj: Obj, verdict: Verdict, ctx: _Context) -> list[Diagnosis]:
    """A controller Pod crash-looping, OOM-killed, unable to pull its image; its Deployment not
    Available past the threshold. kstatus calls a crash-looped pod Failed but an OOM restart that
    runs again Current: for a controller, the restart count matters (section 14)."""
    found = []
    if obj.kind == "Pod" and obj.text("status.phase") not in ("Succeeded", "Failed"):  # a finished pod runs nothing
        for status in kstatus.container_states(obj):
            name = str(status.get("name"))
            waiting = kstatus.waiting_reason(status)
            terminated = (status.get("lastState") or {}).get("terminated")
            if not isinstance(terminated, dict):
                terminated = {}
            last = terminated.get("reason")
            restarts = status.get("restartCount") if isinstance(status.get("restartCount"), int) else 0
            ended = (
                kstatus.parse_time(terminated.get("finishedAt"), "lastState.terminated.finishedAt") if last else None
            )
            if waiting in _BAD_WAIT:
                extra = f"; last exit {last}" if last else ""
                found.append(
                    Diagnosis(
                        "controller-down", f"container {name} is waiting: {waiting} (restarts {restarts}){extra}", ended
                    )
                )
            elif last == "OOMKilled" and (status.get("ready") is not True or (ended and not _old(ended, ctx))):
                found.append(
                    Diagnosis("controller-down", f"container {name} was OOMKilled (restarts {restarts})", ended)
                )
    elif obj.kind == "Deployment":
        available = obj.conditions.get("Available")
        if verdict.status == FAILED or (has(available, "False") and _old(obj.condition_time(available), ctx)):
            since = obj.condition_time(available) if has(available, "False") else verdict.since
            found.append(
                Diagnosis(
                    "controller-down",
                    f"{describe(available) if has(available, 'False') else verdict.result.message} "
                    f"({_since_text(ctx.now, since, 'Available')})",
                    since,
                )
            )
    return found


def _suspended(obj: Obj, now: dt.datetime) -> str | None:
    """`spec.suspend: true` (Argo CD's `Suspended`, Flux and tofu-controller's pause): info, with how
    long, from the managedFields entry that owns spec.suspend (its time is the manager's last write
    of its fields, so the suspension is at least that old)."""
    if obj.kind == "Job" or obj.get("spec.suspend", bool, False) is not True:
        return None
    latest = None
    for entry in obj.get("metadata.managedFields", list, []):
        fields = entry.get("fieldsV1") if isinstance(entry, dict) else None
        spec = fields.get("f:spec") if isinstance(fields, dict) else None
        if isinstance(spec, dict) and "f:suspend" in spec:
            when = kstatus.parse_time(entry.get("time"), "metadata.managedFields[].time")
            latest = max(latest, when) if latest and when else (when or latest)
    if latest is None:
        return f"{obj.display}: spec.suspend is true (for how long is unknown: no managedFields entry owns it)"
    age = _age(elapsed(now, latest))
    return f"{obj.display}: spec.suspend is true, for at least {age} (last set {latest.isoformat()})"


# --- putting it together ------------------------------------------------------------------------------------


def triage_dump(data: dict[str, Any], *, now: dt.datetime | None = None, stuck_after_minutes: int = 30) -> Report:
    """Judge every item of a dump; a malformed one becomes a warning, the rest is judged."""
    now = now or dt.datetime.now(dt.UTC)
    limit = dt.timedelta(minutes=min(stuck_after_minutes, int(_MAX_SPAN.total_seconds() // 60)))
    report = Report(empty=not data["items"])
    objects = _parse_items(data["items"], report)
    by_key = {o.key: o for o in objects}
    runners = frozenset(
        (o.namespace, o.name.removesuffix("-tf-runner"))
        for o in objects
        if o.kind == "Pod" and o.name.endswith("-tf-runner")
    )
    ctx = _Context(now, limit, by_key, runners)
    findings: dict[tuple[str, str, str], Finding] = {}
    controllers: dict[tuple[str, str], Finding] = {}  # (namespace, controller) -> its finding
    for obj in objects:
        try:
            judged = _judge(obj, ctx, report)
        except Malformed as exc:
            report.notes.append(Note("warning", f"{obj.where}: {exc}; not judged"))
            continue
        if judged is None:
            continue
        report.checked += 1
        diagnoses, controller = judged
        if not diagnoses:
            continue
        finding = Finding(obj, diagnoses, _ref(obj), _page_kind(obj, controller, diagnoses))
        if controller and diagnoses[0].code == "controller-down":
            merged = controllers.get((obj.namespace, controller))
            if merged is None:
                controllers[(obj.namespace, controller)] = finding
            else:  # the Deployment and its Pods: one finding, the Deployment named
                if obj.kind == "Deployment":
                    finding.diagnoses += merged.diagnoses
                    controllers[(obj.namespace, controller)] = finding
                else:
                    merged.diagnoses += [Diagnosis(d.code, f"Pod {obj.name}: {d.message}", d.since) for d in diagnoses]
            continue
        findings[obj.key] = finding
    report.findings = _root_cause_first(controllers, findings, set(by_key))
    return report


def _parse_items(items: list[Any], report: Report) -> list[Obj]:
    """The dump's items as objects; a Status item (a list the cluster refused) and a malformed
    item are named in the report's notes, never dropped silently."""
    objects: list[Obj] = []
    for index, raw in enumerate(items):
        if isinstance(raw, dict) and raw.get("kind") == "Status":
            report.notes.append(Note("forbidden", f"items[{index}]: {_status_text(raw)}"))
            continue
        try:
            objects.append(kstatus.parse_object(index, raw))
        except Malformed as exc:
            report.notes.append(Note("warning", f"{exc}; not judged"))
    return objects


def _judge(obj: Obj, ctx: _Context, report: Report) -> tuple[list[Diagnosis], str | None] | None:
    """(diagnoses, controller the object runs) or None when not judged (counted by kind)."""
    suspended = _suspended(obj, ctx.now)
    if suspended and not obj.get("metadata.deletionTimestamp", str):
        report.notes.append(Note("suspended", suspended))
        return [], None
    if obj.kind == "Deployment" and obj.get("spec.paused", bool, False) is True:
        report.notes.append(Note("suspended", f"{obj.display}: spec.paused is true: the rollout is paused"))
    verdict = kstatus.judge(obj, ctx.now)
    controller = _controller_name(obj)
    if controller:
        health = _controller_health(obj, verdict, ctx)
        if health:
            return health, controller
    if obj.kind == "Terraform":
        diagnoses, notes = _terraform(obj, verdict, ctx)
        generic, _ = (
            _generic(obj, verdict, ctx)
            if verdict.status in (TERMINATING,) or verdict.result.reason == "LatestGenerationNotObserved"
            else ([], [])
        )
        report.notes.extend(notes)
        return _ordered(generic + diagnoses), None
    if obj.kind in _FLUX_KINDS:
        return _judge_flux(obj, verdict, ctx, report, controller)
    if verdict.status == NOT_JUDGED:
        report.not_judged[obj.kind] += 1
        return None
    if verdict.status == kstatus.CURRENT:
        return [], controller
    diagnoses, notes = _generic(obj, verdict, ctx)
    report.notes.extend(notes)
    return diagnoses, controller


def _judge_flux(
    obj: Obj, verdict: Verdict, ctx: _Context, report: Report, controller: str | None
) -> tuple[list[Diagnosis], str | None] | None:
    """A Flux object: its conditions' own findings, plus kstatus' for a deletion or an
    unobserved generation (and its waiting notes when the conditions found nothing)."""
    diagnoses = _flux(obj, verdict, ctx)
    if verdict.status == TERMINATING or verdict.result.reason == "LatestGenerationNotObserved":
        generic, notes = _generic(obj, verdict, ctx)
        diagnoses = generic + diagnoses
        report.notes.extend(notes)
    elif not diagnoses and verdict.status not in (kstatus.CURRENT, NOT_JUDGED):
        _, notes = _generic(obj, verdict, ctx)
        report.notes.extend(notes)
    if verdict.status == NOT_JUDGED and not diagnoses:
        report.not_judged[obj.kind] += 1
        return None
    return _ordered(diagnoses), controller


_ORDER = ("terminating", "deletion-blocked", "retry-limit", "retries-exceeded", "stalled", "artifact-failed",
          "dependency-not-ready", "drift", "state-locked", "plan-pending", "retrying", "revision-behind",
          "generation-not-observed", "reconciling", "not-ready", "hung")  # fmt: skip


def _ordered(diagnoses: list[Diagnosis]) -> list[Diagnosis]:
    """The diagnosis that decides the step first: a deletion, then a final state, then the rest."""
    rank = {code: i for i, code in enumerate(_ORDER)}
    return sorted(diagnoses, key=lambda d: rank.get(d.code, len(rank)))


def _ref(obj: Obj) -> ResourceRef | None:
    info = kind_for_api(obj.kind)
    if info is None or not obj.namespace or name_problem(info, obj.namespace, obj.name):
        return None
    return ResourceRef(info.kind, obj.namespace, obj.name)


def _page_kind(obj: Obj, controller: str | None, diagnoses: list[Diagnosis]) -> str | None:
    if controller and diagnoses[0].code == "controller-down":
        return _CONTROLLER_PAGE.get(controller, "deployment")
    info = kind_for_api(obj.kind)
    return info.kind if info else None


def _name_missing_dependencies(
    finding: Finding, deps: list[tuple[tuple[str, str, str], str]], known: set[tuple[str, str, str]]
) -> None:
    """A DependencyNotReady whose dependencies do not fail in the dump: say which are absent from
    it (the dependency itself may be missing) and which look healthy there."""
    first = next((i for i, d in enumerate(finding.diagnoses) if d.code == "dependency-not-ready"), None)
    if first is None:
        return
    named = [k for k, how in deps if how == "dependsOn"]
    absent = [f"{k[0]} {k[1]}/{k[2]}" for k in named if k not in known]
    present = [f"{k[0]} {k[1]}/{k[2]}" for k in named if k in known]
    extra = f"; not in the dump (missing, or not dumped): {', '.join(absent)}" if absent else ""
    extra += f"; not failing in the dump: {', '.join(present)}" if present else ""
    old = finding.diagnoses[first]
    finding.diagnoses[first] = Diagnosis(old.code, old.message + extra, old.since)


def _assign_causes(
    down: dict[str, Finding], findings: dict[tuple[str, str, str], Finding], known: set[tuple[str, str, str]]
) -> None:
    """Each finding's cause: the controller reconciling it when that is down, else the first of
    its dependencies that fails too; with neither, its missing dependencies are named."""
    for finding in findings.values():
        controller = _CONTROLLER_OF.get(finding.obj.kind)
        if controller in down:
            finding.cause = down[controller].key
            finding.cause_why = f"reconciled by {controller}, which is down"
            continue
        try:
            deps = _deps(finding.obj)
        except Malformed:
            deps = []
        for key, how in deps:
            if key in findings and key != finding.key:
                finding.cause, finding.cause_why = key, f"its {how} {key[0]} {key[1]}/{key[2]} fails too"
                break
        else:
            _name_missing_dependencies(finding, deps, known)


def _root_cause_first(
    controllers: dict[tuple[str, str], Finding],
    findings: dict[tuple[str, str, str], Finding],
    known: set[tuple[str, str, str]],
) -> list[Finding]:
    """Controllers that are down first, each followed by the failing objects it reconciles; then
    each failing object whose dependencies are healthy, followed by the failing objects that
    depend on it (a cycle is broken where it is entered). A dependency the dump lacks is named."""
    down = {name: f for (_, name), f in controllers.items()}
    _assign_causes(down, findings, known)
    children: dict[tuple[str, str, str] | None, list[Finding]] = {}
    everything = {**{f.key: f for f in down.values()}, **findings}
    for finding in everything.values():
        children.setdefault(finding.cause if finding.cause in everything else None, []).append(finding)
    ordered: list[Finding] = []
    seen: set[tuple[str, str, str]] = set()

    def visit(finding: Finding) -> None:
        if finding.key in seen:
            return
        seen.add(finding.key)
        ordered.append(finding)
        for child in children.get(finding.key, []):
            visit(child)

    for finding in list(down.values()) + children.get(None, []):
        visit(finding)
    for finding in everything.values():  # members of a dependency cycle: nothing outside leads to them
        if finding.key not in seen:
            finding.cause, finding.cause_why = None, finding.cause_why + " (a dependency cycle)"
            visit(finding)
    return ordered


@functools.cache
def anchor(heading: str) -> str:
    """The id the site gives `heading`: Python-Markdown's toc extension, as mkdocs.yml configures it
    (`toc` without a `slugify` option: markdown.extensions.toc.slugify on the rendered text)."""
    import markdown

    md = markdown.Markdown(extensions=["toc"])
    md.convert(f"### {heading}")
    tokens = md.toc_tokens  # type: ignore[attr-defined]
    return str(tokens[0]["id"]) if tokens else ""


# --- reading a live cluster ----------------------------------------------------------------------------------


@dataclass
class ClusterRead:
    items: list[Any]
    notes: list[Note]


def read_cluster(timeout: float = 120) -> ClusterRead:
    """One read-only `kubectl get RESOURCE -A -o json` per kind, so a kind whose CRD is absent is
    skipped with a note and a forbidden kind is reported as not judged, instead of the whole read
    failing; then the Pods in the controllers' namespaces and the tf-runner pods. TriageInputError
    when kubectl is missing or the cluster cannot be read at all (kubectl's own message)."""
    import shutil

    kubectl = shutil.which("kubectl")
    if kubectl is None:
        raise TriageInputError("--kubectl: kubectl is not on PATH")
    get = functools.partial(_kubectl_get, kubectl, timeout)
    items: list[Any] = []
    notes: list[Note] = []
    read_any = False
    for resource in CLUSTER_RESOURCES:
        found, error = get(resource, "-A")
        if found is not None:
            items.extend(found)
            read_any = True
        else:
            notes.append(_unread_kind(resource, error))
    if not read_any and not any(n.kind == "forbidden" for n in notes):
        raise TriageInputError("--kubectl: no kind could be read")
    namespaces = sorted({str(o.get("metadata", {}).get("namespace")) for o in items
                         if isinstance(o, dict) and o.get("kind") == "Deployment" and _is_controller(o)})  # fmt: skip
    for namespace in namespaces:
        found, error = get("pods", "-n", namespace)
        if found is None:
            notes.append(
                Note("forbidden", f"pods in {namespace}: {error.splitlines()[0][:300]}; controller pods not judged")
            )
        else:
            items.extend(found)
    found, error = get("pods", "-A", "-l", "app.kubernetes.io/name=tf-runner")
    if found is None:
        first = error.splitlines()[0][:300] if error else "failed"
        notes.append(Note("skipped", f"tf-runner pods: {first}; a lock held by a running apply cannot be told apart"))
    seen = {
        (p.get("metadata", {}).get("namespace"), p.get("metadata", {}).get("name"))
        for p in items
        if isinstance(p, dict) and p.get("kind") == "Pod"
    }
    items.extend(
        p
        for p in found or []
        if isinstance(p, dict)
        and (p.get("metadata", {}).get("namespace"), p.get("metadata", {}).get("name")) not in seen
    )
    return ClusterRead(items, notes)


def _kubectl_get(kubectl: str, timeout: float, *args: str) -> tuple[list[Any] | None, str]:
    """One read-only `kubectl get ... -o json`: (its items, its stderr), or (None, the error) when
    kubectl refused; no answer within `timeout` is a TriageInputError."""
    import subprocess

    command = [kubectl, "get", *args, "-o", "json"]
    try:
        done = subprocess.run(command, capture_output=True, timeout=timeout, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        raise TriageInputError(
            f"--kubectl: `kubectl get {' '.join(args)}` did not answer within {timeout:.0f}s"
        ) from None
    error = done.stderr.decode("utf-8", "replace").strip()
    if done.returncode != 0:
        return None, error or f"exit {done.returncode}"
    data = load_dump(done.stdout, f"kubectl get {' '.join(args)}")
    return data["items"], error


def _unread_kind(resource: str, error: str) -> Note:
    """Why a kind could not be listed, as a note: not served (CRD absent) or forbidden; any other
    failure is a TriageInputError, never a kind quietly left out."""
    if "doesn't have a resource type" in error or "the server could not find the requested resource" in error:
        return Note("skipped", f"{resource}: not served by this cluster (CRD absent); skipped")
    if "Forbidden" in error or "forbidden" in error:
        return Note(
            "forbidden",
            f"{resource}: forbidden ({error.splitlines()[0][:300]}); not judged - needs `list` on it",
        )
    raise TriageInputError(f"--kubectl: kubectl get {resource} failed: {error}")


def _is_controller(raw: dict[str, Any]) -> bool:
    try:
        return _controller_name(kstatus.parse_object(0, raw)) is not None
    except Malformed:
        return False


def link_findings(findings: list[Finding], project) -> list[Finding]:
    """Fill in each finding's runbook (the resource's own page, else its kind's) and tickets."""
    for finding in findings:
        if finding.page_kind is not None:
            finding.runbook = f"runbooks/{finding.page_kind}.md"
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
        if finding.page_kind is None:
            continue
        ref = finding.ref if finding.ref and finding.ref.kind == finding.page_kind else None
        exact = by_ref.get(ref) if ref else None
        kind_level = by_ref.get(ResourceRef.kind_level(finding.page_kind))
        named = exact.ticket_ids if exact else []
        finding.tickets = shown(named)
        finding.kind_tickets = shown([t for t in (kind_level.ticket_ids if kind_level else []) if t not in named])
        path = (paths.get(ref) if ref else None) or paths.get(ResourceRef.kind_level(finding.page_kind))
        path = path or runbooks_dir / f"{finding.page_kind}.md"
        finding.runbook = project.display(path).as_posix()
        finding.runbook_exists = path.is_file()
    return findings


def _depth(finding: Finding, by_key: dict[tuple[str, str, str], Finding]) -> int:
    depth, seen, current = 0, set(), finding
    while current.cause in by_key and current.key not in seen:
        seen.add(current.key)
        current = by_key[current.cause]
        depth += 1
    return depth


def render_text(report: Report, *, raw: bool = False) -> str:
    """Root causes first, each symptom indented under its cause; then suspended, waiting and
    not-judged objects, warnings and notes; then the count, which says when it is incomplete.
    Control characters from the cluster's messages are shown as escapes unless `raw`."""
    lines: list[str] = []
    by_key = {f.key: f for f in report.findings}
    for f in report.findings:
        lines.extend(_finding_lines(f, by_key))
    labels = {"suspended": "SUSPENDED", "waiting": "WAITING", "age-unknown": "AGE UNKNOWN", "warning": "WARNING",
              "forbidden": "FORBIDDEN", "skipped": "SKIPPED"}  # fmt: skip
    for kind in labels:
        lines.extend(f"{labels[kind]} {n.text}" for n in report.notes if n.kind == kind)
    if report.not_judged:
        listed = ", ".join(f"{kind} x{count}" for kind, count in sorted(report.not_judged.items()))
        lines.append(f"NOT JUDGED {listed}: no kstatus rule for the kind and no Ready/Reconciling/Stalled condition")
    summary = f"{len(report.findings)} of {report.checked} judged resources stuck"
    reasons = report.incomplete_reasons
    if reasons:
        summary += f"; INCOMPLETE: {', '.join(reasons)}"
    lines.append(summary)
    return "\n".join(lines if raw else map(printable, lines)) + "\n"


def _finding_lines(f: Finding, by_key: dict[tuple[str, str, str], Finding]) -> list[str]:
    """One finding as text, indented under its cause: what is stuck and why, its runbook step
    (or that there is none for the kind), and the tickets about it."""
    pad = "    " * _depth(f, by_key)
    head = f"{pad}STUCK {f.obj.display}"
    if f.diagnoses[0].code == "controller-down":
        head += " (controller down: fix it first)"
    elif f.cause in by_key:
        head += f" (symptom: {f.cause_why})"
    lines = [head]
    for d in f.diagnoses:
        lines.append(f"{pad}  - {d.message}")
    if f.step is None:
        kinds = ", ".join(k.api_kind for k in KINDS)
        lines.append(f"{pad}  runbook: none for {f.obj.kind} (ticketgen writes runbooks for {kinds})")
    else:
        note = "" if f.runbook_exists else " (not generated yet: run `ticketgen runbooks`)"
        page = f.runbook or f"runbooks/{f.page_kind}.md"
        lines.append(f'{pad}  runbook: {page}#{f.anchor}{note}, step "{f.step}"')
    if f.tickets:
        lines.append(f"{pad}  tickets: {', '.join(f.tickets)}")
    if f.kind_tickets:
        about = KIND_BY_ID[f.page_kind].api_kind if f.page_kind in KIND_BY_ID else f.obj.kind
        lines.append(f"{pad}  tickets about {about}s: {', '.join(f.kind_tickets)}")
    return lines


def render_json(report: Report) -> str:
    rows = [
        {
            "kind": f.obj.kind,
            "namespace": f.obj.namespace,
            "name": f.obj.name,
            "resource": str(f.ref) if f.ref else f"{f.obj.kind}/{f.obj.namespace}/{f.obj.name}",
            "cause": "/".join(f.cause) if f.cause in {g.key for g in report.findings} else None,
            "cause_why": f.cause_why or None,
            "diagnoses": [
                {"code": d.code, "message": d.message, "since": d.since.isoformat() if d.since else None}
                for d in f.diagnoses
            ],
            "runbook": f.runbook,
            "anchor": f.anchor,
            "runbook_exists": f.runbook_exists,
            "step": f.step,
            "tickets": f.tickets,
            "kind_tickets": f.kind_tickets,
        }
        for f in report.findings
    ]
    notes = [{"kind": n.kind, "text": n.text} for n in report.notes]
    document = {
        "checked": report.checked,
        "stuck": rows,
        "notes": notes,
        "not_judged": dict(sorted(report.not_judged.items())),
        "incomplete": report.incomplete_reasons,
        "exit_code": report.exit_code,
    }
    return json.dumps(document, indent=2) + "\n"
