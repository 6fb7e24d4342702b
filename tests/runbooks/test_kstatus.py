"""The generic layer: kstatus' rules (cli-utils pkg/kstatus/status) on objects of any kind, with an age."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from ticketgen.runbooks.kstatus import (
    CURRENT,
    FAILED,
    IN_PROGRESS,
    NOT_JUDGED,
    TERMINATING,
    Malformed,
    judge,
    parse_object,
)

NOW = dt.datetime(2026, 11, 26, 9, 0, tzinfo=dt.UTC)


def obj(kind: str, api: str = "v1", status: dict | None = None, spec: dict | None = None, **meta: Any):
    raw = {"apiVersion": api, "kind": kind, "metadata": {"name": "x", "namespace": "ns", **meta}}
    if status is not None:
        raw["status"] = status
    if spec is not None:
        raw["spec"] = spec
    return parse_object(0, raw)


def cond(type_: str, status: str, reason: str = "", when: str = "2026-11-26T08:00:00Z") -> dict:
    return {"type": type_, "status": status, "reason": reason, "message": "m", "lastTransitionTime": when}


@pytest.mark.parametrize(
    ("item", "status", "reason"),
    [
        # generic.go checkGenericProperties, in its order
        (obj("Widget", "example.com/v1", deletionTimestamp="2026-11-26T08:00:00Z"), TERMINATING, "Terminating"),
        (obj("Widget", "example.com/v1", {"observedGeneration": 2}, generation=3), IN_PROGRESS,
         "LatestGenerationNotObserved"),
        (obj("Widget", "example.com/v1", {"observedGeneration": 3, "conditions": [cond("Stalled", "True", "X")]},
             generation=3), FAILED, "X"),
        (obj("Widget", "example.com/v1", {"conditions": [cond("Reconciling", "True", "Y")]}), IN_PROGRESS, "Y"),
        # status.go checkReadyCondition, for kinds without a rule
        (obj("Certificate", "cert-manager.io/v1", {"conditions": [cond("Ready", "False", "DoesNotExist")]}),
         IN_PROGRESS, "DoesNotExist"),
        (obj("Certificate", "cert-manager.io/v1", {"conditions": [cond("Ready", "True", "Ready")]}), CURRENT, "Ready"),
        # no rule, no condition it speaks for: kstatus says Current; triage says it cannot tell
        (obj("NetworkPolicy", "networking.k8s.io/v1", spec={}), NOT_JUDGED, "NoRule"),
        (obj("Widget", "example.com/v1", {"conditions": [cond("Synced", "False")]}), NOT_JUDGED, "NoRule"),
        # core.go legacyTypes
        (obj("ConfigMap"), CURRENT, "AlwaysReady"),
        (obj("Deployment", "apps/v1", {"replicas": 1, "updatedReplicas": 1, "readyReplicas": 1, "availableReplicas": 1,
                                       "conditions": [cond("Progressing", "False", "ProgressDeadlineExceeded")]},
             {"replicas": 1}), FAILED, "ProgressDeadlineExceeded"),
        (obj("Deployment", "apps/v1", {"replicas": 2, "updatedReplicas": 1}, {"replicas": 2}), IN_PROGRESS,
         "LessUpdated"),
        (obj("Pod", status={"phase": "Failed"}), CURRENT, "PodFailed"),  # finished, not in progress
        (obj("Pod", status={"phase": "Running", "containerStatuses": [
            {"name": "c", "state": {"waiting": {"reason": "CrashLoopBackOff"}}}]}), FAILED, "ContainerCrashLooping"),
        (obj("Pod", status={"phase": "Pending", "conditions": [cond("PodScheduled", "False", "Unschedulable")]},
             creationTimestamp="2026-11-26T08:59:50Z"), IN_PROGRESS, "PodNotScheduled"),  # within ScheduleWindow
        (obj("DaemonSet", "apps/v1", {"desiredNumberScheduled": 1}), IN_PROGRESS, "NoGeneration"),
        (obj("PersistentVolumeClaim", status={"phase": "Pending"}), IN_PROGRESS, "NotBound"),
        (obj("Job", "batch/v1", {"conditions": [cond("Failed", "True", "BackoffLimitExceeded")]}), FAILED, "JobFailed"),
        (obj("Service", spec={"type": "LoadBalancer"}), IN_PROGRESS, "NoIPAssigned"),
    ],
)  # fmt: skip
def test_kstatus_rules(item, status: str, reason: str) -> None:
    verdict = judge(item, NOW)
    assert (verdict.status, verdict.result.reason) == (status, reason)


def test_age_comes_from_the_deciding_condition_then_deletion_then_creation() -> None:
    stalled = obj("Widget", "example.com/v1", {"conditions": [cond("Stalled", "True", "X", "2026-11-26T07:00:00Z"),
                                                              cond("Ready", "False", "X", "2026-11-26T08:59:00Z")]})  # fmt: skip
    assert judge(stalled, NOW).since == dt.datetime(2026, 11, 26, 7, 0, tzinfo=dt.UTC)
    deleting = obj("Widget", "example.com/v1", deletionTimestamp="2026-11-26T06:00:00Z")
    assert judge(deleting, NOW).since_source == "deletionTimestamp"
    pending = obj("PersistentVolumeClaim", status={"phase": "Pending"}, creationTimestamp="2026-11-26T05:00:00Z")
    assert judge(pending, NOW).since_source == "creationTimestamp"
    assert judge(obj("PersistentVolumeClaim", status={"phase": "Pending"}), NOW).since is None  # age unknown


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"kind": "Widget", "metadata": {}}, "metadata.name is missing"),
        ({"kind": "Widget", "metadata": {"name": "x"}, "status": {"conditions": {"type": "Ready"}}},
         "status.conditions: expected a list"),
        ({"kind": "Widget", "metadata": {"name": "x"}, "status": {"conditions": [{"type": "Ready", "status": True}]}},
         r"status.conditions\[0\].status: expected a string"),
        ({"kind": "Widget", "metadata": {"name": "x", "generation": "3"}, "status": {"observedGeneration": 2}},
         "metadata.generation: expected a whole number"),
        ({"kind": "Widget", "metadata": {"name": "x"}, "status": {"conditions": [
            {"type": "Ready", "status": "False", "lastTransitionTime": "2026-11-26T08:00:00Z" + "0" * 100}]}},
         "expected an RFC 3339 timestamp"),
        ({"kind": "Widget", "metadata": {"name": "x"}, "status": {"conditions": [
            {"type": "Ready", "status": "False", "lastTransitionTime": "9999-12-31T00:00:00Z"}]}}, "in the future"),
    ],
)  # fmt: skip
def test_a_malformed_field_is_named(raw: dict, message: str) -> None:
    with pytest.raises(Malformed, match=message):
        judge(parse_object(0, raw), NOW)
