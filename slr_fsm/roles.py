"""The role as the simulation holds it: a frozen value, replaced (never mutated) on each change.

>>> from slr_fsm import Simulation
>>> sim = Simulation.default()
>>> sim.role(sim.organization.management_account).state
<RoleState.ABSENT: 'absent'>
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable, Iterable
from typing import Any

import attrs

from slr_fsm.display import html_table
from slr_fsm.specs import RoleSpec
from slr_fsm.states import RoleState

__all__ = ["MAX_TAGS", "Role", "Tag", "new_role", "tag_problems", "tag_text_problem"]

MAX_TAGS = 50
"""The most tags an IAM role may carry (IAM's quota; ``LimitExceeded`` beyond it)."""
Tag = tuple[str, str]
"""One tag, ``(key, value)``."""
_TAG_SYMBOLS = frozenset("_.:/=+-@")


_PLAIN_TAG_TEXT = re.compile(r"[A-Za-z0-9 _.:/=+\-@]*")
"""ASCII text every character of which is in the tag alphabet (ASCII letters are ``L``, digits
``N``, the space ``Zs``): the usual tag, accepted without a per-character category lookup."""


def _outside_tag_alphabet(text: str) -> bool:
    """Whether some character is neither a letter, separator or number nor one of ``_.:/=+-@``."""
    return any(unicodedata.category(c)[0] not in "LZN" and c not in _TAG_SYMBOLS for c in text)


def plain_tag(key: object, value: object) -> bool:
    """Whether a tag's key and value are plain ``str`` of ASCII tag characters within IAM's
    lengths (key 1 to 128, value up to 256): the usual tag, which :func:`tag_text_problem`
    accepts; ``False`` says only "check it fully"."""
    return (
        type(key) is str
        and type(value) is str
        and 0 < len(key) <= 128
        and len(value) <= 256
        and _PLAIN_TAG_TEXT.fullmatch(key) is not None
        and _PLAIN_TAG_TEXT.fullmatch(value) is not None
    )


def tag_text_problem(text: str, *, key: bool) -> str | None:
    r"""The constraint IAM says a tag key (or value) breaks, in its words, or ``None``: keys are
    1 to 128 characters and values at most 256, of letters, separators (spaces), numbers and
    ``_.:/=+-@``.

    >>> tag_text_problem("Cost Center", key=True) is None
    True
    >>> tag_text_problem("NOWAY!", key=True)
    'must satisfy regular expression pattern: [\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+'
    """
    if key and not text:
        return "must have length greater than or equal to 1"
    if len(text) > (128 if key else 256):
        return f"must have length less than or equal to {128 if key else 256}"
    if _PLAIN_TAG_TEXT.fullmatch(text) is None and _outside_tag_alphabet(text):
        return r"must satisfy regular expression pattern: [\p{L}\p{Z}\p{N}_.:/=+\-@]" + (
            "+" if key else "*"
        )
    return None


def tag_problems(tags: Iterable[Tag]) -> list[str]:
    """Why a role could never carry these tags (for restored snapshots); empty when it could:
    at most :data:`MAX_TAGS`, valid keys and values, no key starting ``aws:``, and no two keys
    that differ only in case (IAM role tag keys are case-insensitive)."""
    found, seen = [], set()
    tags = list(tags)
    if len(tags) > MAX_TAGS:
        found.append(f"{len(tags)} tags, more than the {MAX_TAGS} IAM allows on a role")
    for key, value in tags:
        for text, is_key in ((key, True), (value, False)):
            if (problem := tag_text_problem(text, key=is_key)) is not None:
                found.append(f"tag {key[:130]!r}: {'key' if is_key else 'value'} {problem}")
        if key.lower().startswith("aws:"):
            found.append(f"tag key {key[:130]!r} starts with the reserved prefix aws:")
        if key.lower() in seen:
            found.append(f"tag key {key[:130]!r} twice (IAM role tag keys ignore case)")
        seen.add(key.lower())
    return found


@attrs.frozen
class Role:
    """One service-linked role in one account, at one moment.

    ``role_id`` and ``create_date`` are ``None`` until the role is first created; after a
    deletion they keep the deleted role's values, and ``previous_role_ids`` lists every RoleId
    the role has had before the current one. ``tags`` are ``(key, value)`` pairs in the order
    first added; a re-created role starts with none.
    """

    spec: RoleSpec = attrs.field(repr=False)
    account_id: str
    state: RoleState = RoleState.ABSENT
    role_id: str | None = None
    create_date: dt.datetime | None = None
    description: str | None = None
    previous_role_ids: tuple[str, ...] = ()
    tags: tuple[Tag, ...] = ()

    def __repr__(self) -> str:  # attrs' form, with tags only when there are some
        shown = [
            f"{field.name}={getattr(self, field.name)!r}"
            for field in attrs.fields(Role)
            if field.repr and (field.name != "tags" or self.tags)
        ]
        return f"Role({', '.join(shown)})"

    @property
    def name(self) -> str:
        """The role's name; it never changes."""
        return self.spec.role_name

    @property
    def arn(self) -> str:
        """The role's ARN; the same across deletions and re-creations."""
        return self.spec.role_arn(self.account_id)

    @property
    def path(self) -> str:
        """The role's path, ``/aws-service-role/<service-principal>/``."""
        return self.spec.path

    @property
    def exists(self) -> bool:
        """Whether IAM holds the role now."""
        return self.state.exists

    def with_description(self, description: str | None) -> Role:
        """The role with another description (``attrs.evolve``'s answer, built through the
        slots directly: an edit is the hot path of every UpdateRoleDescription).

        >>> from slr_fsm.specs import MARKETPLACE_PURCHASE_ORDERS as spec
        >>> Role(spec, "111122223333").with_description("billing").description
        'billing'
        """
        if type(self) is not Role:  # a subclass may add fields: attrs copies them all
            return attrs.evolve(self, description=description)
        return _edited(self, self.state, description, self.tags)

    def with_state(self, state: RoleState) -> Role:
        """The role in another state, everything else kept (as :meth:`with_description`)."""
        if type(self) is not Role:
            return attrs.evolve(self, state=state)
        return _edited(self, state, self.description, self.tags)

    def with_tags(self, tags: Iterable[Tag]) -> Role:
        """The role with ``tags`` added. A tag whose key matches one the role has, in any case,
        replaces it in its place, key and value (IAM role tag keys are case-insensitive, and
        the later tag wins: ``Department=finance`` then ``department=hr`` leaves
        ``department=hr``).

        >>> from slr_fsm.specs import MARKETPLACE_PURCHASE_ORDERS as spec
        >>> Role(spec, "111122223333").with_tags([("Team", "a"), ("x", "1"), ("team", "b")]).tags
        (('team', 'b'), ('x', '1'))
        """
        kept = list(self.tags)
        for key, value in tags:
            lowered = key.lower()
            for at, (held, _) in enumerate(kept):
                if held.lower() == lowered:
                    kept[at] = (key, value)
                    break
            else:
                kept.append((key, value))
        if type(self) is not Role:
            return attrs.evolve(self, tags=tuple(kept))
        return _edited(self, self.state, self.description, tuple(kept))

    def without_tags(self, keys: Iterable[str]) -> Role:
        """The role without the tags of these keys (in any case); unknown keys are ignored."""
        gone = {key.lower() for key in keys}
        kept = tuple(t for t in self.tags if t[0].lower() not in gone)
        if type(self) is not Role:
            return attrs.evolve(self, tags=kept)
        return _edited(self, self.state, self.description, kept)

    def _repr_html_(self) -> str:
        created = "-" if self.create_date is None else f"{self.create_date:%Y-%m-%d %H:%M:%S}"
        return html_table(
            ["field", "value"],
            [
                ["name", self.name],
                ["account", self.account_id],
                ["state", self.state.value],
                ["ARN", self.arn],
                ["RoleId", self.role_id or "-"],
                ["created", created],
                ["description", self.description or "-"],
                ["earlier RoleIds", ", ".join(self.previous_role_ids) or "-"],
                *([["tags", ", ".join(f"{k}={v}" for k, v in self.tags)]] if self.tags else []),
            ],
        )

    def to_json_value(self) -> dict[str, Any]:
        """The role as plain JSON data (for snapshots); times as ISO 8601 text."""
        value: dict[str, Any] = {
            "service": self.spec.service_principal,
            "account_id": self.account_id,
            "state": self.state.value,
            "role_id": self.role_id,
            "create_date": None if self.create_date is None else self.create_date.isoformat(),
            "description": self.description,
            "previous_role_ids": list(self.previous_role_ids),
            "tags": [[key, value] for key, value in self.tags],
        }
        if self.spec.custom_suffix is not None:  # the service's plain role needs no name
            value["role_name"] = self.spec.role_name
        return value


def _slot_editor() -> Callable[[Role, RoleState, str | None, tuple[Tag, ...]], Role]:
    """A copy of a role with its state, description and tags replaced, set slot by slot (attrs'
    frozen ``__init__`` looks each field's setter up by name). ``tests/test_hot_path.py`` and
    ``tests/test_hot_path_writes.py`` prove it equal to ``attrs.evolve`` and that it sets
    every field."""
    names = [f.name for f in attrs.fields(Role)]
    assert names == [  # a new field must be copied below too
        "spec",
        "account_id",
        "state",
        "role_id",
        "create_date",
        "description",
        "previous_role_ids",
        "tags",
    ]
    spec, account, state, role_id, created, description, previous, tags = (
        Role.__dict__[name].__set__ for name in names
    )
    new = object.__new__

    def edited(
        role: Role, new_state: RoleState, new_description: str | None, new_tags: tuple[Tag, ...]
    ) -> Role:
        made: Role = new(Role)
        spec(made, role.spec)
        account(made, role.account_id)
        state(made, new_state)
        role_id(made, role.role_id)
        created(made, role.create_date)
        description(made, new_description)
        previous(made, role.previous_role_ids)
        tags(made, new_tags)
        return made

    return edited


_edited = _slot_editor()


def _slot_builder() -> Callable[..., Role]:
    """``Role(...)`` set slot by slot (the slots :func:`_slot_editor` checks), for the kernel,
    which makes two roles a creation. ``tests/test_new_role.py`` proves it equal to
    ``Role(...)`` with every field given or left to its default."""
    spec, account, state, role_id, created, description, previous, tags = (
        Role.__dict__[field.name].__set__ for field in attrs.fields(Role)
    )
    new, absent = object.__new__, RoleState.ABSENT

    def new_role(
        role_spec: RoleSpec,
        account_id: str,
        role_state: RoleState = absent,
        new_role_id: str | None = None,
        create_date: dt.datetime | None = None,
        role_description: str | None = None,
        previous_role_ids: tuple[str, ...] = (),
        role_tags: tuple[Tag, ...] = (),
    ) -> Role:
        made: Role = new(Role)
        spec(made, role_spec)
        account(made, account_id)
        state(made, role_state)
        role_id(made, new_role_id)
        created(made, create_date)
        description(made, role_description)
        previous(made, previous_role_ids)
        tags(made, role_tags)
        return made

    return new_role


new_role = _slot_builder()
"""Make a :class:`Role`, faster than ``Role(...)`` (same arguments, equal result)."""
