"""Build Prefect RunnerDeployments from the catalog, for `prefect.serve` on one machine."""

from prefect.schedules import Cron
from prefect.utilities.callables import ParameterSchema

from deployments.catalog import SCHEDULE_LABELS, TIMEZONE, DeploymentSpec, load_flow, select_specs
from deployments.parameter_labels import labelled
from deployments.unit_choices import ledger_unit_names, with_unit_choices


def schedules_of(spec: DeploymentSpec) -> list:
    return [Cron(cron, timezone=TIMEZONE, slug=SCHEDULE_LABELS.get(cron)) for cron in spec.crons]


def build_deployment(spec: DeploymentSpec, flow, unit_names: list[str]):
    """One deployment, its parameters titled in Chinese and checked by the server before a run is created
    (an empty reason, an unknown unit, a year out of range never make a run); what only the ledger can
    judge (a past deadline) fails the run at once with one Chinese line."""
    deployment = flow.to_deployment(
        name=spec.name, schedules=schedules_of(spec), description=spec.description, tags=list(spec.tags),
        parameters=dict(spec.parameters), enforce_parameter_schema=True)
    schema = deployment._parameter_openapi_schema.model_dump(exclude_unset=True)
    deployment._parameter_openapi_schema = ParameterSchema(**with_unit_choices(labelled(schema), unit_names))
    return deployment


def build_deployments(names: list[str] | None = None, unit_names: list[str] | None = None) -> list:
    """The deployments named (default: all whose flow exists), units offered from the ledger."""
    units = ledger_unit_names() if unit_names is None else unit_names
    built = []
    for spec in select_specs(names):
        flow = load_flow(spec)
        if flow is not None:
            built.append(build_deployment(spec, flow, units))
    return built
