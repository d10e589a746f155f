"""Which team, and which collector in it, takes a case.

Teams are tried in ``(sequence, id)`` order; a case goes to the first whose
skills all match (an empty skill set matches anything). The case then stays
with that team even when nobody in it has room: a full team is a staffing
problem to see, not a reason to hand the case to people without the skill.

Inside the team a collector is picked among the members present with spare
capacity (``load < capacity``), by the team's method:

* ``"least_loaded"``: fewest open cases, then lowest load/capacity, then
  lowest user id;
* ``"round_robin"``: the next member by user id after the last one assigned,
  wrapping around.

>>> team = Team(1, 10, (Member(7, 2), Member(8, 2, load=1)))
>>> case = Case(100, "es_CO", "retail", "early", "CO", Decimal("250"))
>>> assign([case, replace(case, id=101), replace(case, id=102),
...         replace(case, id=103)], [team])
... # doctest: +NORMALIZE_WHITESPACE
[Assignment(case_id=100, team_id=1, user_id=7, why='assigned'),
 Assignment(case_id=101, team_id=1, user_id=7, why='assigned'),
 Assignment(case_id=102, team_id=1, user_id=8, why='assigned'),
 Assignment(case_id=103, team_id=1, user_id=None, why='team_full')]

The result is deterministic: same cases, teams and loads, same assignments.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import NamedTuple

LEAST_LOADED = "least_loaded"
ROUND_ROBIN = "round_robin"
METHODS = (LEAST_LOADED, ROUND_ROBIN)

NO_TEAM = "no_team"
TEAM_FULL = "team_full"
ASSIGNED = "assigned"
KEPT = "kept"

_UNSET = object()


@dataclass(frozen=True, slots=True)
class Member:
    """A collector in a team: ``load`` open cases now, at most ``capacity``."""

    user_id: int
    capacity: int
    absent: bool = False
    load: int = 0


@dataclass(frozen=True, slots=True)
class Team:
    """A team and the cases it is skilled for.

    Every skill set left empty matches any case. ``languages`` holds Odoo
    language codes; a bare language (``"es"``) also matches its regional
    variants (``"es_CO"``). ``reasons`` are escalation reasons (``dispute``,
    ``hardship``...): a team listing some only takes cases escalated for one
    of them. The amount range is ``min_amount <= amount < max_amount``, as in
    the segments of ``collections_automation``.
    """

    id: int
    sequence: int
    members: tuple[Member, ...]
    languages: frozenset[str] = frozenset()
    segments: frozenset[str] = frozenset()
    buckets: frozenset[str] = frozenset()
    countries: frozenset[str] = frozenset()
    reasons: frozenset[str] = frozenset()
    min_amount: Decimal | None = None
    max_amount: Decimal | None = None
    method: str = LEAST_LOADED
    last_assigned_user_id: int | None = None

    def __post_init__(self):
        if self.method not in METHODS:
            raise ValueError(f"Team {self.id} has unknown method {self.method!r}.")

    def matches(self, case: "Case") -> bool:
        """Whether every skill of the team covers the case."""
        return (
            _language_matches(self.languages, case.lang)
            and (not self.segments or case.segment in self.segments)
            and (not self.buckets or case.bucket in self.buckets)
            and (not self.countries or case.country in self.countries)
            and (not self.reasons or case.reason in self.reasons)
            and (self.min_amount is None or case.amount >= self.min_amount)
            and (self.max_amount is None or case.amount < self.max_amount)
        )


@dataclass(frozen=True, slots=True)
class Case:
    """What routing looks at in a case.

    ``reason`` is the escalation reason when the case comes from an
    escalation (the AI agent's ``dispute``, ``hardship``...), else None.
    ``team_id`` is the team the case is in now, if any.
    """

    id: int
    lang: str | None
    segment: str | None
    bucket: str | None
    country: str | None
    amount: Decimal
    reason: str | None = None
    current_user_id: int | None = None
    team_id: int | None = None


class Assignment(NamedTuple):
    """Where a case goes; ``why`` is one of the module's machine codes."""

    case_id: int
    team_id: int | None
    user_id: int | None
    why: str


@dataclass(slots=True)
class Workload:
    """Open cases per collector and round-robin positions, kept up to date
    across one routing run so that later cases see earlier assignments.

    Build it with :meth:`of`; afterwards ``last`` holds each round-robin
    team's new ``last_assigned_user_id``, to write back.
    """

    loads: dict[int, int] = field(default_factory=dict)
    last: dict[int, int | None] = field(default_factory=dict)

    @classmethod
    def of(cls, teams: Iterable[Team]) -> "Workload":
        """Loads as the teams report them; a person in several teams counts
        once, with the highest load reported."""
        workload = cls()
        for team in teams:
            workload.last[team.id] = team.last_assigned_user_id
            for member in team.members:
                known = workload.loads.get(member.user_id, member.load)
                workload.loads[member.user_id] = max(known, member.load)
        return workload


def _language_matches(languages, lang):
    if not languages:
        return True
    if lang is None:
        return False
    return lang in languages or lang.split("_")[0] in languages


def _ordered(teams):
    return sorted(teams, key=lambda team: (team.sequence, team.id))


def _prepare(teams):
    """The teams in order, a person absent in one being absent in all."""
    teams = _ordered(teams)
    absent = {m.user_id for team in teams for m in team.members if m.absent}
    return [
        replace(
            team,
            members=tuple(
                replace(m, absent=True) if m.user_id in absent else m
                for m in team.members
            ),
        )
        for team in teams
    ]


def match_team(case: Case, teams: Iterable[Team]) -> Team | None:
    """The first team by ``(sequence, id)`` skilled for the case, or None."""
    return _first_match(case, _ordered(teams))


def _first_match(case, ordered):
    """:func:`match_team` over teams already in order: a batch of tens of
    thousands of cases sorts them once, not once per case."""
    for team in ordered:
        if team.matches(case):
            return team
    return None


def _available(team, loads):
    """Members present with room, as ``(user_id, load, capacity)``."""
    available = []
    for member in team.members:
        load = loads.get(member.user_id, member.load)
        if not member.absent and load < member.capacity:
            available.append((member.user_id, load, member.capacity))
    return available


def pick_collector(
    team: Team, loads: dict[int, int] | None = None, last_user_id=_UNSET
) -> int | None:
    """The collector of ``team`` to take the next case, or None when the team
    has nobody present with spare capacity.

    Absence is read from this team's members only; :func:`assign` and
    :func:`reassign_absent` first mark a person absent in every team.

    :param loads: open cases per user id, overriding the members' ``load``
    :param last_user_id: the last user assigned in a round-robin team; by
        default the team's ``last_assigned_user_id``

    >>> team = Team(1, 10, (Member(7, 5, load=3), Member(8, 10, load=3),
    ...                     Member(9, 5, load=1, absent=True)))
    >>> pick_collector(team)  # same load, 8 has more room
    8
    >>> rr = replace(team, method="round_robin", last_assigned_user_id=8)
    >>> pick_collector(rr)  # 9 is absent: wraps around to 7
    7
    """
    loads = loads or {}
    available = _available(team, loads)
    if not available:
        return None
    if team.method == LEAST_LOADED:
        # the fewest open cases, then the lowest share of capacity: for
        # equal loads, the most room (no share at all when nobody has a case)
        return min(available, key=lambda m: (m[1], -m[2] if m[1] else 0, m[0]))[0]
    last = team.last_assigned_user_id if last_user_id is _UNSET else last_user_id
    ids = sorted(user_id for user_id, _load, _capacity in available)
    if last is None:
        return ids[0]
    return next((user_id for user_id in ids if user_id > last), ids[0])


def _route(case, team, workload):
    """Pick a collector in ``team`` for ``case`` and book the case on them."""
    user_id = pick_collector(
        team, workload.loads, workload.last.get(team.id, team.last_assigned_user_id)
    )
    if user_id is None:
        return Assignment(case.id, team.id, None, TEAM_FULL)
    workload.loads[user_id] = workload.loads.get(user_id, 0) + 1
    if team.method == ROUND_ROBIN:
        workload.last[team.id] = user_id
    return Assignment(case.id, team.id, user_id, ASSIGNED)


def _release(case, workload):
    """The case leaves its current collector: one open case less for them."""
    if case.current_user_id in workload.loads:
        workload.loads[case.current_user_id] = max(
            workload.loads[case.current_user_id] - 1, 0
        )


def assign(
    cases: Iterable[Case], teams: Sequence[Team], workload: Workload | None = None
) -> list[Assignment]:
    """Route a batch of cases, in the order given: pass the most urgent first,
    since capacity may run out before the end.

    Absence is the person's: a user absent in any team is absent in all.
    A case already owned by a present member of the team it matches stays
    with them (``"kept"``; their load already counts it), so running the
    routing twice changes nothing. Any other case leaves its current owner and
    is routed afresh: ``"assigned"``, ``"team_full"`` (team but no user) or
    ``"no_team"``.

    :param workload: pass one (:meth:`Workload.of`) to read the loads and
        round-robin positions afterwards or to share them with
        :func:`reassign_absent`; it is updated in place
    """
    teams = _prepare(teams)
    if workload is None:
        workload = Workload.of(teams)
    result = []
    for case in cases:
        team = _first_match(case, teams)
        if team is None:
            _release(case, workload)
            result.append(Assignment(case.id, None, None, NO_TEAM))
            continue
        if any(
            member.user_id == case.current_user_id and not member.absent
            for member in team.members
        ):
            result.append(Assignment(case.id, team.id, case.current_user_id, KEPT))
            continue
        _release(case, workload)
        result.append(_route(case, team, workload))
    return result


def reassign_absent(
    cases: Iterable[Case], teams: Sequence[Team], workload: Workload | None = None
) -> list[Assignment]:
    """Move the cases of absent collectors to members of the same team present
    with spare capacity.

    Absence is the person's: a user absent in any team counts as absent. The
    case's team is ``team_id``, or the team it matches when it has none (or
    its team is gone). Cases whose owner is present are left out of the
    result; a case nobody can take stays in its team with no user
    (``"team_full"``).
    """
    teams = _prepare(teams)
    if workload is None:
        workload = Workload.of(teams)
    by_id = {team.id: team for team in teams}
    absent = {m.user_id for team in teams for m in team.members if m.absent}
    result = []
    for case in cases:
        if case.current_user_id is None or case.current_user_id not in absent:
            continue
        team = by_id.get(case.team_id) or _first_match(case, teams)
        _release(case, workload)
        if team is None:
            result.append(Assignment(case.id, None, None, NO_TEAM))
        else:
            result.append(_route(case, team, workload))
    return result
