"""Build Prefect RunnerDeployments from the catalog, for `prefect.serve` on one machine."""

from prefect.schedules import Cron

from deployments.catalog import TIMEZONE, DeploymentSpec, load_flow, select_specs
from deployments.unit_choices import ledger_unit_names, offer_units


def schedules_of(spec: DeploymentSpec) -> list:
    return [Cron(cron, timezone=TIMEZONE) for cron in spec.crons]


def build_deployment(spec: DeploymentSpec, flow, unit_names: list[str]):
    """One deployment. Manual ones leave parameter checks to the flow, so bad input fails the run visibly."""
    deployment = flow.to_deployment(
        name=spec.name, schedules=schedules_of(spec), description=spec.description, tags=list(spec.tags),
        parameters=dict(spec.parameters), enforce_parameter_schema=bool(spec.crons))
    offer_units(deployment, unit_names)
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
