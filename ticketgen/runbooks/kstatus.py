"""The generic layer of triage: judge any Kubernetes object the way kstatus does, then ask for how long.

kstatus is kubernetes-sigs/cli-utils `pkg/kstatus/status` (read at commit 5895ad6): `status.go`
`Compute` runs `generic.go` `checkGenericProperties` (deletionTimestamp -> Terminating;
`checkGeneration`: generation != observedGeneration -> InProgress `LatestGenerationNotObserved`;
`Reconciling=True` -> InProgress; `Stalled=True` -> Failed), then the per-type function from
`core.go` `legacyTypes`, then `status.go` `checkReadyCondition` (Ready True -> Current, False or
Unknown -> InProgress), and otherwise answers Current. Triage departs from it in two places
(gitops-recovery.md section 14): an object that no rule and no condition speaks for is *not
judged* (kstatus' "absence of any known conditions means the resource is current" is an
assumption an all-clear must not rest on), and a snapshot answer gets an age, so "not Current for
longer than the threshold" can be told from "busy right now".

Every field is type-checked as it is read: a malformed object raises `Malformed`, which names the
field, so one bad object becomes a warning and the rest of the dump is still judged.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, TypeGuard

CURRENT, IN_PROGRESS, FAILED, TERMINATING, NOT_JUDGED = "Current", "InProgress", "Failed", "Terminating", "NotJudged"

_MAX_TIMESTAMP = 64  # RFC 3339 with nanoseconds and an offset is 35 characters
# core.go ScheduleWindow: how long a pod may be unschedulable before kstatus calls it Failed.
SCHEDULE_WINDOW = dt.timedelta(seconds=15)


class Malformed(Exception):
    """A field of one object has the wrong type or an unreadable value."""


def parse_time(value: Any, field_name: str) -> dt.datetime | None:
    """An RFC 3339 timestamp (None when absent). Bounded: a 10,000-character "timestamp" or a
    year-0 one is Malformed, never an internal error."""
    if value in (None, ""):
        return None
    if not isinstance(value, str) or len(value) > _MAX_TIMESTAMP:
        raise Malformed(f"{field_name}: expected an RFC 3339 timestamp, got {_show(value)}")
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        raise Malformed(f"{field_name}: {value!r} is not an RFC 3339 timestamp") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def elapsed(now: dt.datetime, since: dt.datetime) -> dt.timedelta:
    """`now - since`, never an OverflowError (offsets at the calendar's ends can overflow)."""
    try:
        return now - since
    except OverflowError:  # pragma: no cover - both are aware datetimes within the calendar
        return dt.timedelta.max if since < now else dt.timedelta(0)


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


@dataclass(frozen=True)
class Obj:
    """One item of a dump, its envelope checked; nested fields are read through the typed getters."""

    index: int
    api_version: str
    kind: str
    name: str
    namespace: str  # "" for a cluster-scoped object
    raw: dict[str, Any]
    conditions: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def group(self) -> str:
        return self.api_version.rpartition("/")[0]

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.kind, self.namespace, self.name)

    @property
    def display(self) -> str:
        return f"{self.kind} {self.namespace}/{self.name}" if self.namespace else f"{self.kind} {self.name}"

    @property
    def where(self) -> str:
        return f"items[{self.index}] ({self.display})"

    def get(self, path: str, kind: type | tuple[type, ...], default: Any = None) -> Any:
        """The value at dotted `path` if it has type `kind`; absent/None -> default; else Malformed.
        Booleans are never accepted as numbers."""
        value: Any = self.raw
        for part in path.split("."):
            if value is None:
                return default
            if not isinstance(value, dict):
                raise Malformed(f"{path}: {part!r} is inside a {type(value).__name__}, not an object")
            value = value.get(part)
        if value is None:
            return default
        bad_bool = isinstance(value, bool) and bool not in (kind if isinstance(kind, tuple) else (kind,))
        if not isinstance(value, kind) or bad_bool:
            expected = " or ".join(k.__name__ for k in (kind if isinstance(kind, tuple) else (kind,)))
            raise Malformed(f"{path}: expected {_TYPE_WORDS.get(expected, expected)}, got {_show(value)}")
        return value

    def text(self, path: str, default: str = "") -> str:
        return self.get(path, str, default)

    def number(self, path: str, default: int | None = None) -> int | None:
        return self.get(path, int, default)

    def mapping(self, path: str) -> dict[str, Any]:
        return self.get(path, dict, {})

    def time(self, path: str) -> dt.datetime | None:
        return parse_time(self.get(path, str), path)

    def condition_time(self, condition: dict[str, Any] | None, key: str = "lastTransitionTime") -> dt.datetime | None:
        if not condition:
            return None
        return parse_time(condition.get(key), f"status.conditions[{condition.get('type')}].{key}")


_TYPE_WORDS = {"str": "a string", "int": "a whole number", "dict": "an object", "list": "a list", "bool": "true/false"}


def parse_object(index: int, raw: Any) -> Obj:
    """Check what every object must have (kind, name; conditions a list of typed objects)."""
    if not isinstance(raw, dict):
        raise Malformed(f"items[{index}]: expected an object, got {type(raw).__name__}")
    kind, api_version = raw.get("kind"), raw.get("apiVersion", "")
    meta = raw.get("metadata")
    name = meta.get("name") if isinstance(meta, dict) else None
    namespace = meta.get("namespace", "") if isinstance(meta, dict) else ""
    if not isinstance(kind, str) or not kind:
        raise Malformed(f"items[{index}]: `kind` is missing or not a string")
    if not isinstance(name, str) or not name:
        raise Malformed(f"items[{index}] ({kind}): metadata.name is missing or not a string")
    if not isinstance(namespace, str) or not isinstance(api_version, str):
        raise Malformed(f"items[{index}] ({kind} {name}): metadata.namespace and apiVersion must be strings")
    obj = Obj(index, api_version, kind, name, namespace or "", raw)
    raw_conditions = obj.get("status.conditions", list, [])
    conditions: dict[str, dict[str, Any]] = {}
    for position, condition in enumerate(raw_conditions):
        if not isinstance(condition, dict):
            raise Malformed(f"status.conditions[{position}]: expected an object")
        for key in ("type", "status", "reason", "message"):
            if condition.get(key) is not None and not isinstance(condition[key], str):
                raise Malformed(f"status.conditions[{position}].{key}: expected a string, got {_show(condition[key])}")
        if isinstance(condition.get("type"), str):
            conditions[condition["type"]] = condition
    return Obj(index, api_version, kind, name, namespace or "", raw, conditions)


def has(condition: dict[str, Any] | None, status: str, reason: str | None = None) -> TypeGuard[dict[str, Any]]:
    """Whether the condition is there with this status (and reason); a type guard, so the
    callers may then read it."""
    return (
        condition is not None
        and condition.get("status") == status
        and (reason is None or condition.get("reason") == reason)
    )


def describe(condition: dict[str, Any]) -> str:
    """`Type=Status Reason: message`, as kubectl shows a condition."""
    text = f"{condition.get('type')}={condition.get('status')}"
    if condition.get("reason"):
        text += f" {condition['reason']}"
    return f"{text}: {condition['message']}" if condition.get("message") else text


@dataclass(frozen=True)
class Result:
    """kstatus' answer for one object: status, reason, message, and the condition that decided it
    (its `lastTransitionTime` is the age of the answer)."""

    status: str
    reason: str
    message: str
    condition: str | None = None


def _in_progress(reason: str, message: str, condition: str | None = None) -> Result:
    return Result(IN_PROGRESS, reason, message, condition)


def _failed(reason: str, message: str, condition: str | None = None) -> Result:
    return Result(FAILED, reason, message, condition)


def compute(obj: Obj, now: dt.datetime) -> Result:
    """status.go `Compute`: generic properties, then the type rule, then `Ready`; with neither a
    rule nor a condition it speaks for, NOT_JUDGED (where kstatus says Current)."""
    generic = _generic(obj)
    if generic is not None:
        return generic
    rule = _TYPE_RULES.get(f"{obj.group.split('/')[0]}/{obj.kind}" if obj.group else obj.kind)
    if rule is not None:
        return rule(obj, now)
    ready = obj.conditions.get("Ready")
    if ready is not None:  # status.go checkReadyCondition
        if ready.get("status") == "True":
            return Result(CURRENT, "Ready", "Resource is Ready", "Ready")
        if ready.get("status") in ("False", "Unknown"):
            return _in_progress(ready.get("reason") or "NotReady", describe(ready), "Ready")
    known = ", ".join(sorted(obj.conditions)) or "no conditions"
    return Result(NOT_JUDGED, "NoRule", f"no kstatus rule for {obj.kind} and {known} to go by")


def _generic(obj: Obj) -> Result | None:
    """generic.go `checkGenericProperties` and `checkGeneration`."""
    if obj.get("metadata.deletionTimestamp", str):
        return Result(TERMINATING, "Terminating", "Resource scheduled for deletion")
    generation = obj.number("metadata.generation")
    observed = obj.number("status.observedGeneration")
    if generation is not None and observed is not None and generation != observed:
        return _in_progress(
            "LatestGenerationNotObserved",
            f"{obj.kind} generation is {generation}, but latest observed generation is {observed}",
        )
    for cond in obj.conditions.values():  # in the order the object lists them, as kstatus iterates
        if cond.get("type") == "Reconciling" and cond.get("status") == "True":
            return _in_progress(cond.get("reason") or "Reconciling", describe(cond), "Reconciling")
        if cond.get("type") == "Stalled" and cond.get("status") == "True":
            return _failed(cond.get("reason") or "Stalled", describe(cond), "Stalled")
    return None


def _always_ready(obj: Obj, now: dt.datetime) -> Result:
    """core.go `alwaysReady` (Secret, ConfigMap, batch/CronJob)."""
    return Result(CURRENT, "AlwaysReady", "Resource is always ready")


def _replicas(obj: Obj, *names: str) -> list[int]:
    return [obj.number(n, 1 if n == "spec.replicas" else 0) or 0 for n in names]


def _deployment(obj: Obj, now: dt.datetime) -> Result:
    """core.go `deploymentConditions`."""
    progressing = obj.number("spec.progressDeadlineSeconds", 2**31 - 1) == 2**31 - 1
    available = False
    for cond in obj.conditions.values():
        if cond.get("type") == "Progressing":
            if cond.get("reason") == "ProgressDeadlineExceeded":
                return _failed("ProgressDeadlineExceeded", describe(cond), "Progressing")
            if has(cond, "True", "NewReplicaSetAvailable"):
                progressing = True
        if has(cond, "True") and cond.get("type") == "Available":
            available = True
    spec, status, updated, ready, avail = _replicas(
        obj,
        "spec.replicas",
        "status.replicas",
        "status.updatedReplicas",
        "status.readyReplicas",
        "status.availableReplicas",
    )
    for bad, reason, message in (
        (spec > status, "LessReplicas", f"Replicas: {status}/{spec}"),
        (spec > updated, "LessUpdated", f"Updated: {updated}/{spec}"),
        (status > spec, "ExtraPods", f"Pending termination: {status - spec}"),
        (updated > avail, "LessAvailable", f"Available: {avail}/{updated}"),
        (spec > ready, "LessReady", f"Ready: {ready}/{spec}"),
        (not progressing, "ReplicaSetNotAvailable", "ReplicaSet not Available"),
        (not available, "DeploymentNotAvailable", "Deployment not Available"),
    ):
        if bad:  # replica counts carry no time; judge() then reads Progressing's lastUpdateTime
            return _in_progress(reason, message, "Available" if reason == "DeploymentNotAvailable" else None)
    return Result(CURRENT, "Available", f"Deployment is available. Replicas: {status}")


def _statefulset(obj: Obj, now: dt.datetime) -> Result:
    """core.go `stsConditions`."""
    if obj.text("spec.updateStrategy.type") == "OnDelete":
        return Result(CURRENT, "OnDelete", "StatefulSet is using the ondelete update strategy")
    spec, ready, current, updated, status = _replicas(
        obj,
        "spec.replicas",
        "status.readyReplicas",
        "status.currentReplicas",
        "status.updatedReplicas",
        "status.replicas",
    )
    partition = obj.number("spec.updateStrategy.rollingUpdate.partition", -1)
    if spec > status:
        return _in_progress("LessReplicas", f"Replicas: {status}/{spec}")
    if spec > ready:
        return _in_progress("LessReady", f"Ready: {ready}/{spec}")
    if status > spec:
        return _in_progress("ExtraPods", f"Pending termination: {status - spec}")
    if partition != -1:
        if updated < spec - (partition or 0):
            return _in_progress("PartitionRollout", f"updated: {updated}/{spec - (partition or 0)}")
        return Result(CURRENT, "PartitionRollout", f"Partition rollout complete. updated: {updated}")
    if spec > current:
        return _in_progress("LessCurrent", f"current: {current}/{spec}")
    if obj.text("status.currentRevision") != obj.text("status.updateRevision"):
        return _in_progress("RevisionMismatch", "Waiting for updated revision to match current")
    return Result(CURRENT, "AllReplicas", f"All replicas scheduled as expected. Replicas: {status}")


def _daemonset(obj: Obj, now: dt.datetime) -> Result:
    """core.go `daemonsetConditions` (with `checkGenerationSet`: both generations required)."""
    if obj.number("metadata.generation") is None:
        return _in_progress("NoGeneration", "DaemonSet metadata.generation not found")
    if obj.number("status.observedGeneration") is None:
        return _in_progress("NoObservedGeneration", "DaemonSet status.observedGeneration not found")
    desired = obj.number("status.desiredNumberScheduled", -1)
    if desired == -1:
        return _in_progress("NoDesiredNumber", "Missing .status.desiredNumberScheduled")
    for name, reason, label in (
        ("status.currentNumberScheduled", "LessCurrent", "Current"),
        ("status.updatedNumberScheduled", "LessUpdated", "Updated"),
        ("status.numberAvailable", "LessAvailable", "Available"),
        ("status.numberReady", "LessReady", "Ready"),
    ):
        have = obj.number(name, 0) or 0
        if desired is not None and desired > have:
            return _in_progress(reason, f"{label}: {have}/{desired}")
    return Result(CURRENT, "AllScheduled", f"All replicas scheduled as expected. Replicas: {desired}")


def _replicaset(obj: Obj, now: dt.datetime) -> Result:
    """core.go `replicasetConditions`."""
    failure = obj.conditions.get("ReplicaFailure")
    if has(failure, "True"):
        return _in_progress("ReplicaFailure", "Replica Failure condition. Check Pods", "ReplicaFailure")
    spec, status, ready, avail, labelled = _replicas(
        obj, "spec.replicas", "status.replicas", "status.readyReplicas", "status.availableReplicas",
        "status.fullyLabeledReplicas",
    )  # fmt: skip
    for bad, reason, message in (
        (spec > labelled, "LessLabelled", f"Labelled: {labelled}/{spec}"),
        (spec > avail, "LessAvailable", f"Available: {avail}/{spec}"),
        (spec > ready, "LessReady", f"Ready: {ready}/{spec}"),
        (status > spec, "ExtraPods", f"Pending termination: {status - spec}"),
    ):
        if bad:
            return _in_progress(reason, message)
    return Result(CURRENT, "Available", f"ReplicaSet is available. Replicas: {status}")


def _pvc(obj: Obj, now: dt.datetime) -> Result:
    """core.go `pvcConditions`."""
    phase = obj.text("status.phase", "unknown")
    if phase != "Bound":
        return _in_progress("NotBound", f"PVC is not Bound. phase: {phase}")
    return Result(CURRENT, "Bound", "PVC is Bound")


def container_states(obj: Obj) -> list[dict[str, Any]]:
    """Pod container statuses (init containers included), each checked to be an object."""
    found = []
    for path in ("status.initContainerStatuses", "status.containerStatuses"):
        for position, status in enumerate(obj.get(path, list, [])):
            if not isinstance(status, dict):
                raise Malformed(f"{path}[{position}]: expected an object")
            for key in ("state", "lastState"):
                if status.get(key) is not None and not isinstance(status[key], dict):
                    raise Malformed(f"{path}[{position}].{key}: expected an object")
            found.append(status)
    return found


def waiting_reason(status: dict[str, Any]) -> str:
    waiting = (status.get("state") or {}).get("waiting")
    reason = waiting.get("reason") if isinstance(waiting, dict) else None
    return reason if isinstance(reason, str) else ""


def _pod(obj: Obj, now: dt.datetime) -> Result:
    """core.go `podConditions` and `getCrashLoopingContainers`."""
    phase = obj.text("status.phase")
    if phase == "Succeeded":
        return Result(CURRENT, "Succeeded", "Pod has completed successfully")
    if phase == "Failed":
        return Result(CURRENT, "PodFailed", "Pod has completed, but not successfully")
    if phase == "Running":
        if has(obj.conditions.get("Ready"), "True"):
            return Result(CURRENT, "Ready", "Pod is Ready", "Ready")
        looping = [str(s.get("name")) for s in container_states(obj) if waiting_reason(s) == "CrashLoopBackOff"]
        if looping:
            return _failed("ContainerCrashLooping", f"Containers in CrashLoop state: {','.join(looping)}", "Ready")
        return _in_progress("PodRunningNotReady", "Pod is running but is not Ready", "Ready")
    if phase == "Pending":
        scheduled = obj.conditions.get("PodScheduled")
        if has(scheduled, "False", "Unschedulable"):
            created = obj.time("metadata.creationTimestamp")
            if created is not None and elapsed(now, created) <= SCHEDULE_WINDOW:
                return _in_progress("PodNotScheduled", "Pod has not been scheduled", "PodScheduled")
            return _failed("PodUnschedulable", describe(scheduled), "PodScheduled")
        return _in_progress("PodPending", "Pod is in the Pending phase")
    if phase == "":
        return _in_progress("PodNotObserved", "Pod phase not available")
    raise Malformed(f"status.phase: unknown phase {_show(phase)}")


def _job(obj: Obj, now: dt.datetime) -> Result:
    """core.go `jobConditions`."""
    suspended = obj.get("spec.suspend", bool, False)
    for cond in obj.conditions.values():
        kind = cond.get("type")
        if kind == "Complete" and has(cond, "True"):
            return Result(CURRENT, "Complete", "Job Completed", "Complete")
        if kind == "Failed" and has(cond, "True"):
            return _failed("JobFailed", describe(cond), "Failed")
        if kind == "Suspended" and has(cond, "True") and suspended:
            return Result(CURRENT, "Suspended", "Job is suspended", "Suspended")
    if not obj.text("status.startTime"):
        return _in_progress("JobNotStarted", "Job not started")
    return Result(CURRENT, "JobRunning", "Job in progress")


def _service(obj: Obj, now: dt.datetime) -> Result:
    """core.go `serviceConditions`."""
    if obj.text("spec.type", "ClusterIP") == "LoadBalancer" and not obj.text("spec.clusterIP"):
        return _in_progress("NoIPAssigned", "ClusterIP not set. Service type: LoadBalancer")
    return Result(CURRENT, "ServiceReady", "Service is ready")


def _pdb(obj: Obj, now: dt.datetime) -> Result:
    """core.go `pdbConditions`."""
    return Result(CURRENT, "Computed", "AllowedDisruptions has been computed.")


def _crd(obj: Obj, now: dt.datetime) -> Result:
    """core.go `CRDConditions`."""
    for cond in obj.conditions.values():
        if cond.get("type") == "NamesAccepted" and has(cond, "False"):
            return _failed(cond.get("reason") or "NamesNotAccepted", describe(cond), "NamesAccepted")
        if cond.get("type") == "Established":
            if has(cond, "False") and cond.get("reason") != "Installing":
                return _failed(cond.get("reason") or "NotEstablished", describe(cond), "Established")
            if has(cond, "True"):
                return Result(CURRENT, "Established", "CRD is established", "Established")
    return _in_progress("Installing", "Install in progress")


# core.go `legacyTypes`, keyed as kstatus keys them: "group/Kind", or "Kind" for the core group.
_TYPE_RULES = {
    "Service": _service,
    "Pod": _pod,
    "Secret": _always_ready,
    "PersistentVolumeClaim": _pvc,
    "apps/StatefulSet": _statefulset,
    "apps/DaemonSet": _daemonset,
    "extensions/DaemonSet": _daemonset,
    "apps/Deployment": _deployment,
    "extensions/Deployment": _deployment,
    "apps/ReplicaSet": _replicaset,
    "extensions/ReplicaSet": _replicaset,
    "policy/PodDisruptionBudget": _pdb,
    "batch/CronJob": _always_ready,
    "ConfigMap": _always_ready,
    "batch/Job": _job,
    "apiextensions.k8s.io/CustomResourceDefinition": _crd,
}


@dataclass(frozen=True)
class Verdict:
    """kstatus' answer plus how long it has held: `since` from the deciding condition's
    `lastTransitionTime` (else `Reconciling`'s, then `Ready`'s), the `deletionTimestamp`, or
    the `creationTimestamp` (an upper bound: `since_source` says which); None = age unknown."""

    result: Result
    since: dt.datetime | None
    since_source: str

    @property
    def status(self) -> str:
        return self.result.status


_FUTURE = dt.timedelta(days=1)  # clock skew is minutes; a time further ahead cannot be an age


def judge(obj: Obj, now: dt.datetime) -> Verdict:
    verdict = _judge(obj, now)
    if verdict.since is not None and verdict.since - now > _FUTURE:
        raise Malformed(f"{verdict.since_source or 'timestamp'}: {verdict.since.isoformat()} is in the future")
    return verdict


def _judge(obj: Obj, now: dt.datetime) -> Verdict:
    result = compute(obj, now)
    if result.status == TERMINATING:
        return Verdict(result, obj.time("metadata.deletionTimestamp"), "deletionTimestamp")
    deciding = [result.condition] if result.condition else []
    if has(obj.conditions.get("Reconciling"), "True"):
        deciding.append("Reconciling")
    if obj.conditions.get("Ready") is not None and not has(obj.conditions.get("Ready"), "True"):
        deciding.append("Ready")
    for name in deciding:
        since = obj.condition_time(obj.conditions.get(name))
        if since is not None:
            return Verdict(result, since, f"{name} lastTransitionTime")
    if result.condition is None and obj.kind == "Deployment" and "Progressing" in obj.conditions:
        since = obj.condition_time(obj.conditions["Progressing"], "lastUpdateTime")
        if since is not None:  # the last progress the controller saw: what progressDeadlineSeconds counts
            return Verdict(result, since, "Progressing lastUpdateTime")
    created = obj.time("metadata.creationTimestamp")
    return Verdict(result, created, "creationTimestamp" if created else "")
