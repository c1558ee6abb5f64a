"""The roles a world simulates: their specs, looked up by service or name, and their usage models."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from slr_fsm.errors import UsageError
from slr_fsm.shown import shown
from slr_fsm.specs import RoleSpec
from slr_fsm.usage import DEFAULT_USAGE_MODELS, UsageModel

__all__ = ["Catalogue"]


class Catalogue:
    """Role specs by service principal and by (case-insensitive) role name, each with its usage
    model: the one given, else the library's default for that spec, else the base
    :class:`~slr_fsm.usage.UsageModel` (never in use)."""

    def __init__(self, specs: Sequence[RoleSpec], usage_models: Iterable[UsageModel]) -> None:
        if isinstance(specs, RoleSpec):
            specs = (specs,)
        if (
            not isinstance(specs, Sequence)
            or not specs
            or not all(isinstance(s, RoleSpec) for s in specs)
        ):
            raise UsageError(f"specs must be a non-empty sequence of RoleSpec, got {shown(specs)}")
        self.specs: tuple[RoleSpec, ...] = tuple(specs)
        self._by_service = {s.service_principal: s for s in self.specs}
        self._by_role_name = {s.role_name.lower(): s for s in self.specs}
        self._suffixable = tuple(s for s in self.specs if s.allows_custom_suffix)
        if any(s.custom_suffix is not None for s in self.specs):
            raise UsageError(
                "specs are the services' own specs; a role with a CustomSuffix is created "
                "through CreateServiceLinkedRole, not given as a spec."
            )
        if len(self._by_service) != len(self.specs) or len(self._by_role_name) != len(self.specs):
            raise UsageError("Each role spec needs its own service principal and role name.")
        models: dict[RoleSpec, UsageModel] = {
            m.spec: m for m in DEFAULT_USAGE_MODELS if m.spec in self._by_service.values()
        }
        if isinstance(usage_models, UsageModel):
            usage_models = (usage_models,)
        if isinstance(usage_models, str | bytes | Mapping) or not isinstance(
            usage_models, Iterable
        ):
            raise UsageError(
                f"usage_models is a list of UsageModel instances, got {shown(usage_models)}"
            )
        for model in usage_models:
            if not isinstance(model, UsageModel):
                raise UsageError(
                    f"usage_models are UsageModel instances (slr_fsm.usage), got {shown(model)}"
                )
            if model.spec not in self._by_service.values():
                raise UsageError(
                    f"A usage model for {model.spec.role_name}, which this world does not "
                    "simulate: add its spec to specs= too."
                )
            models[model.spec] = model  # given models replace the defaults, spec by spec
        self.usage_models = {spec: models.get(spec) or UsageModel(spec) for spec in self.specs}

    @property
    def allows_suffixes(self) -> bool:
        """Whether any of the world's services takes a CustomSuffix (so roles may be named
        after a spec's name plus a suffix)."""
        return bool(self._suffixable)

    def model_names(self) -> dict[str, str]:
        """Each spec's usage model class, by service principal (``module:qualname``)."""
        return {
            spec.service_principal: f"{type(m).__module__}:{type(m).__qualname__}"
            for spec, m in self.usage_models.items()
        }

    def by_service(self, service_principal: object) -> RoleSpec | None:
        """The spec for a service principal (exact: AWS's are lower-case)."""
        return (
            self._by_service.get(service_principal) if isinstance(service_principal, str) else None
        )

    def by_role_name(self, role_name: object) -> RoleSpec | None:
        """The spec whose role name matches (role names are case-insensitive): one of the
        world's specs, or, for ``<name><separator><suffix>`` of a spec that allows a
        CustomSuffix, that spec with the suffix (the suffix as spelt in ``role_name``)."""
        if not isinstance(role_name, str):
            return None
        lowered = str.lower(role_name)  # str's own: a caller's subclass may override lower()
        found = self._by_role_name.get(lowered)
        if found is not None or len(role_name) > 64:
            return found
        for spec in self._suffixable:
            prefix = (spec.role_name + spec.custom_suffix_separator).lower()
            if lowered.startswith(prefix) and len(lowered) > len(prefix):
                try:
                    return spec.with_custom_suffix(role_name[len(prefix) :])
                except UsageError:  # not a suffix IAM accepts: no such role
                    return None
        return None

    def usage_model(self, spec: RoleSpec) -> UsageModel:
        """The usage model of one of this world's specs (a suffixed role: its service's)."""
        return self.usage_models[spec.base]

    def resolve(self, service: object) -> RoleSpec:
        """A spec given as itself or by service principal; the only spec when ``None``."""
        if service is None:
            if len(self.specs) == 1:
                return self.specs[0]
            raise UsageError(
                f"This world simulates {len(self.specs)} roles; say which: pass service= one of "
                f"{[s.service_principal for s in self.specs]}."
            )
        if isinstance(service, RoleSpec):
            if service.custom_suffix is not None and service.base in self.usage_models:
                return service
            if service not in self.usage_models:
                raise UsageError(f"This world does not simulate {service.role_name}.")
            return service
        found = self.by_service(service)
        if found is None:
            raise UsageError(
                f"No role spec for service {shown(service)} in this world; it simulates "
                f"{[s.service_principal for s in self.specs]}."
            )
        return found
