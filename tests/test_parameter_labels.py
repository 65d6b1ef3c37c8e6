"""Every deployment's run form in Chinese and checked by the server: each parameter (and each field of a
request) has a Chinese title and description, optional values are plain (no "None" to type), schemas are
enforced, ranges and non-blank texts are in the schema, and the daily sweep's weekend schedule says it is
for 调休 make-up days. The backend cannot matter (schemas only; the unit list comes from an empty ledger)."""

import re

import pytest
from prefect.utilities.schema_tools.validation import validate

from deployments.build import build_deployments
from deployments.catalog import SPECS

CHINESE = re.compile(r"[\u4e00-\u9fff]")


def _schema(deployment) -> dict:
    return deployment._parameter_openapi_schema.model_dump(exclude_unset=True)


def _fields(schema: dict):
    yield from schema.get("properties", {}).items()
    for definition in schema.get("definitions", {}).values():
        yield from definition.get("properties", {}).items()


@pytest.fixture(scope="module")
def deployments_backend_cannot_matter():
    return {d.name: d for d in build_deployments(unit_names=["甲校", "乙校"])}


@pytest.mark.parametrize("name", [spec.name for spec in SPECS])
def test_every_parameter_is_titled_and_described_in_chinese(deployments_backend_cannot_matter, name):
    deployment = deployments_backend_cannot_matter[name]
    assert deployment.enforce_parameter_schema is True
    for field, prop in _fields(_schema(deployment)):
        assert CHINESE.search(prop.get("title", "")), f"{name}.{field}: title {prop.get('title')!r}"
        assert CHINESE.search(prop.get("description", "")), f"{name}.{field}: description {prop.get('description')!r}"
        assert {"type": "null"} not in prop.get("anyOf", []), f"{name}.{field} still offers None"


@pytest.mark.parametrize(("request_", "valid"), [
    ({"unit": "甲校", "reason": "校舍局部坍塌"}, True),
    ({"unit": "甲校", "reason": "校舍局部坍塌", "as_of": "2026-05-11", "deadline": "2026-06-30"}, True),
    ({"unit": "甲校", "reason": ""}, False),
    ({"unit": "甲校", "reason": "   "}, False),
    ({"unit": "甲校"}, False),
    ({"unit": "丙校", "reason": "火情"}, False),  # not in the list the form offers
    ({"unit": "甲校", "reason": "火情", "deadline": "2026-02-30"}, False),
])
def test_the_server_schema_refuses_bad_emergency_input_before_a_run(deployments_backend_cannot_matter, request_,
                                                                    valid):
    schema = _schema(deployments_backend_cannot_matter["emergency-inspection"])
    errors = validate({"request": request_}, schema)  # what the server runs on create_flow_run
    assert (not errors) == valid, [e.message for e in errors]


def test_ranges_are_in_the_schema(deployments_backend_cannot_matter):
    plan = _schema(deployments_backend_cannot_matter["annual-plan"])["properties"]
    schema = _schema(deployments_backend_cannot_matter["annual-plan"])
    assert plan["year"]["title"] == "年度"
    assert not validate({"year": 2027}, schema)
    assert validate({"year": -1}, schema) and validate({"year": 99999999999}, schema)


def test_the_weekend_sweep_is_labelled_as_tiaoxiu_make_up_days(deployments_backend_cannot_matter):
    sweep = deployments_backend_cannot_matter["daily-sweep"]
    slugs = {s.schedule.cron: s.slug for s in sweep.schedules}
    assert "调休" in slugs["30 8 * * 0,6"] and "工作日" in slugs["30 8 * * 1-5"]
