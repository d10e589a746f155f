"""Routing cases to teams and collectors: skills, capacity, absence, methods."""

from collections import Counter
from dataclasses import replace
from decimal import Decimal

import pytest
from collections_contact_center_engine.routing import (
    Case,
    Member,
    Team,
    Workload,
    assign,
    match_team,
    pick_collector,
    reassign_absent,
)
from hypothesis import given
from hypothesis import strategies as st


def case(case_id=1, **changes):
    values = {
        "id": case_id,
        "lang": "es_CO",
        "segment": "retail",
        "bucket": "early",
        "country": "CO",
        "amount": Decimal("1000"),
    }
    values.update(changes)
    return Case(**values)


def team(team_id=1, members=(), sequence=10, **changes):
    return Team(id=team_id, sequence=sequence, members=tuple(members), **changes)


def cases(*ids, **changes):
    return [case(i, **changes) for i in ids]


# -- match_team ----------------------------------------------------------------


def test_first_team_by_sequence_then_id():
    teams = [team(3, sequence=20), team(2, sequence=10), team(1, sequence=10)]
    assert match_team(case(), teams).id == 1
    assert match_team(case(), teams[:2]).id == 2


@pytest.mark.parametrize(
    ("skills", "matching", "not_matching"),
    [
        ({"segments": frozenset({"retail"})}, {}, {"segment": "corporate"}),
        ({"buckets": frozenset({"early", "mid"})}, {"bucket": "mid"}, {"bucket": None}),
        ({"countries": frozenset({"CO"})}, {}, {"country": "MX"}),
        ({"reasons": frozenset({"dispute"})}, {"reason": "dispute"}, {}),
        ({"languages": frozenset({"es"})}, {"lang": "es_MX"}, {"lang": "en_US"}),
        ({"languages": frozenset({"es_CO"})}, {}, {"lang": "es_MX"}),
        ({"languages": frozenset({"es"})}, {"lang": "es"}, {"lang": None}),
        # the amount range is min <= amount < max
        ({"min_amount": Decimal("1000")}, {}, {"amount": Decimal("999.99")}),
        ({"max_amount": Decimal("1000.01")}, {}, {"amount": Decimal("1000.01")}),
    ],
)
def test_each_skill_filters(skills, matching, not_matching):
    skilled = team(1, sequence=1, **skills)
    fallback = team(2, sequence=2)
    assert match_team(case(**matching), [fallback, skilled]) is skilled
    assert match_team(case(**not_matching), [fallback, skilled]) is fallback


def test_empty_skills_match_anything():
    anything = case(lang=None, segment=None, bucket=None, country=None, reason="x")
    assert match_team(anything, [team()]).id == 1


def test_all_skills_must_match():
    picky = team(countries=frozenset({"CO"}), buckets=frozenset({"late"}), sequence=1)
    assert match_team(case(bucket="late"), [picky]) is picky
    assert match_team(case(bucket="late", country="PE"), [picky]) is None
    assert match_team(case(), [picky]) is None


def test_unknown_method_is_an_error():
    with pytest.raises(ValueError, match="unknown method"):
        team(method="random")


# -- pick_collector ------------------------------------------------------------


def test_least_loaded_prefers_fewest_open_cases():
    crew = team(members=[Member(1, 50, load=10), Member(2, 5, load=4)])
    # user 2 is fuller as a share of capacity, but has fewer cases
    assert pick_collector(crew) == 2


def test_least_loaded_ties_by_ratio_then_user_id():
    crew = team(members=[Member(3, 10, load=4), Member(2, 5, load=4)])
    assert pick_collector(crew) == 3  # 4/10 < 4/5
    crew = team(members=[Member(3, 8, load=4), Member(2, 8, load=4)])
    assert pick_collector(crew) == 2


def test_absent_and_full_members_are_skipped():
    crew = team(
        members=[
            Member(1, 5, absent=True),
            Member(2, 5, load=5),
            Member(3, 0),
            Member(4, 5, load=4),
        ]
    )
    assert pick_collector(crew) == 4
    assert pick_collector(crew, {4: 5}) is None


def test_loads_override_reported_loads():
    crew = team(members=[Member(1, 5, load=0), Member(2, 5, load=3)])
    assert pick_collector(crew, {1: 4}) == 2


def test_nobody_in_team():
    assert pick_collector(team(members=[])) is None


def rr(last=None, members=None):
    members = members or [Member(7, 5), Member(3, 5), Member(5, 5)]
    return team(members=members, method="round_robin", last_assigned_user_id=last)


def test_round_robin_goes_by_user_id_and_wraps():
    assert pick_collector(rr(None)) == 3
    assert pick_collector(rr(3)) == 5
    assert pick_collector(rr(5)) == 7
    assert pick_collector(rr(7)) == 3


def test_round_robin_ignores_load_but_not_capacity_or_absence():
    members = [Member(3, 5, load=4), Member(5, 5, load=5), Member(7, 5, absent=True)]
    # 5 is full and 7 absent: after 3 comes 3 again
    assert pick_collector(rr(3, members)) == 3


def test_round_robin_after_someone_who_left_the_team():
    assert pick_collector(rr(4)) == 5
    assert pick_collector(rr(99)) == 3


def test_round_robin_position_can_be_given():
    assert pick_collector(rr(3), last_user_id=7) == 3
    assert pick_collector(rr(3), last_user_id=None) == 3


# -- assign --------------------------------------------------------------------


def test_assign_spreads_by_load_as_it_goes():
    crew = team(members=[Member(1, 3, load=2), Member(2, 3, load=0)])
    result = assign(cases(10, 11, 12, 13, 14), [crew])
    # loads 2/0 -> 2; 2/1 -> 2; 2/2 -> 1 (id); 3/2 -> 2 (1 full); 3/3 -> full
    assert [(a.case_id, a.user_id, a.why) for a in result] == [
        (10, 2, "assigned"),
        (11, 2, "assigned"),
        (12, 1, "assigned"),
        (13, 2, "assigned"),
        (14, None, "team_full"),
    ]
    assert result[-1].team_id == 1


def test_a_full_team_does_not_hand_its_cases_to_the_next_team():
    full = team(1, [Member(1, 1, load=1)], sequence=1, countries=frozenset({"CO"}))
    other = team(2, [Member(2, 10)], sequence=2)
    assert assign([case()], [full, other])[0][1:] == (1, None, "team_full")


def test_no_team():
    result = assign([case(country="AR")], [team(countries=frozenset({"CO"}))])
    assert result == [(1, None, None, "no_team")]


def test_round_robin_batch_and_position_to_write_back():
    crew = rr(5)
    workload = Workload.of([crew])
    result = assign(cases(1, 2, 3, 4), [crew], workload)
    assert [a.user_id for a in result] == [7, 3, 5, 7]
    assert workload.last[crew.id] == 7
    assert workload.loads == {3: 1, 5: 1, 7: 2}


def test_case_kept_by_its_present_owner_without_capacity_check():
    crew = team(members=[Member(1, 2, load=2), Member(2, 2)])
    result = assign([case(current_user_id=1)], [crew])
    assert result == [(1, 1, 1, "kept")]


def test_case_leaving_its_owner_frees_their_capacity():
    # case 1 is Ana's (user 9) but now belongs to the Peru team; Ana was full
    colombia = team(1, [Member(9, 1, load=1)], sequence=1, countries=frozenset({"CO"}))
    peru = team(2, [Member(5, 10)], sequence=2, countries=frozenset({"PE"}))
    batch = [case(1, country="PE", current_user_id=9), case(2, country="CO")]
    result = assign(batch, [colombia, peru])
    assert result == [(1, 2, 5, "assigned"), (2, 1, 9, "assigned")]


def test_case_of_absent_owner_is_routed_again():
    crew = team(members=[Member(1, 5, absent=True), Member(2, 5)])
    assert assign([case(current_user_id=1)], [crew]) == [(1, 1, 2, "assigned")]


def test_absent_in_another_team_is_absent_here_too():
    away = team(1, [Member(1, 5, absent=True)], sequence=1, segments=frozenset({"x"}))
    crew = team(2, [Member(1, 5), Member(2, 5, load=4)], sequence=2)
    assert assign([case(current_user_id=1)], [away, crew]) == [(1, 2, 2, "assigned")]
    assert assign([case(2)], [away, crew]) == [(2, 2, 2, "assigned")]


def test_a_person_in_two_teams_counts_their_load_once():
    first = team(1, [Member(1, 3, load=2)], sequence=1, segments=frozenset({"a"}))
    second = team(2, [Member(1, 3, load=2)], sequence=2)
    result = assign([case(1, segment="a"), case(2, segment="b")], [first, second])
    assert result == [(1, 1, 1, "assigned"), (2, 2, None, "team_full")]


def test_least_loaded_balances_equal_collectors():
    crew = team(members=[Member(u, 100) for u in (4, 5, 6)])
    result = assign(cases(*range(20)), [crew])
    per_user = Counter(a.user_id for a in result)
    assert per_user == {4: 7, 5: 7, 6: 6}


def test_assign_twice_changes_nothing():
    crew = team(members=[Member(1, 3), Member(2, 3, load=1)])
    first = assign(cases(1, 2, 3), [crew])
    loads = Counter(a.user_id for a in first)
    settled = team(
        members=[Member(1, 3, load=loads[1]), Member(2, 3, load=1 + loads[2])]
    )
    again = [case(a.case_id, current_user_id=a.user_id) for a in first]
    assert [a.user_id for a in assign(again, [settled])] == [a.user_id for a in first]
    assert {a.why for a in assign(again, [settled])} == {"kept"}


# -- reassign_absent -----------------------------------------------------------


def test_absent_collectors_cases_move_within_their_team():
    crew = team(
        1,
        [Member(1, 5, absent=True, load=3), Member(2, 2, load=1), Member(3, 1)],
    )
    other = team(2, [Member(8, 100)], sequence=99)
    owned = [
        case(10, current_user_id=1, team_id=1),
        case(11, current_user_id=1, team_id=1),
        case(12, current_user_id=1, team_id=1),
        case(13, current_user_id=2, team_id=1),
    ]
    result = reassign_absent(owned, [crew, other])
    # 2 has room for 1 more, 3 for 1; the third stays in the team, unassigned;
    # case 13's owner is present and is not touched
    assert result == [
        (10, 1, 3, "assigned"),
        (11, 1, 2, "assigned"),
        (12, 1, None, "team_full"),
    ]


def test_absence_is_the_persons_in_every_team():
    first = team(1, [Member(1, 5, absent=True)], sequence=1)
    second = team(2, [Member(1, 5), Member(2, 5)], sequence=2)
    result = reassign_absent([case(1, current_user_id=1, team_id=2)], [first, second])
    assert result == [(1, 2, 2, "assigned")]


def test_case_without_team_uses_the_matching_team():
    crew = team(7, [Member(1, 5, absent=True), Member(2, 5)])
    assert reassign_absent([case(current_user_id=1)], [crew]) == [(1, 7, 2, "assigned")]
    gone = case(current_user_id=1, team_id=99, country="US")
    picky = replace(crew, countries=frozenset({"CO"}))
    assert reassign_absent([gone], [picky]) == [(1, None, None, "no_team")]


def test_reassign_shares_the_workload_with_assign():
    crew = team(members=[Member(1, 5, absent=True), Member(2, 1)])
    workload = Workload.of([crew])
    assert assign([case(1)], [crew], workload) == [(1, 1, 2, "assigned")]
    moved = reassign_absent([case(2, current_user_id=1, team_id=1)], [crew], workload)
    assert moved == [(2, 1, None, "team_full")]


# -- properties ----------------------------------------------------------------

USERS = st.integers(1, 6)
SMALL_SET = st.frozensets(st.sampled_from(["a", "b"]), max_size=1)

members = st.lists(
    st.builds(Member, USERS, st.integers(0, 4), st.booleans(), st.integers(0, 3)),
    max_size=4,
    unique_by=lambda m: m.user_id,
)
teams = st.lists(
    st.builds(
        Team,
        id=st.integers(1, 100),
        sequence=st.integers(0, 3),
        members=members.map(tuple),
        segments=SMALL_SET,
        buckets=SMALL_SET,
        method=st.sampled_from(["least_loaded", "round_robin"]),
        last_assigned_user_id=st.none() | USERS,
    ),
    max_size=3,
    unique_by=lambda t: t.id,
)
batch = st.lists(
    st.builds(
        Case,
        id=st.integers(1, 1000),
        lang=st.none(),
        segment=st.sampled_from(["a", "b"]),
        bucket=st.sampled_from(["a", "b"]),
        country=st.none(),
        amount=st.just(Decimal(1)),
        current_user_id=st.none() | USERS,
    ),
    max_size=25,
    unique_by=lambda c: c.id,
)


@given(teams, batch)
def test_assignments_respect_skills_capacity_and_absence(teams, batch):
    result = assign(batch, teams)
    assert result == assign(batch, teams)  # deterministic
    assert [a.case_id for a in result] == [c.id for c in batch]
    absent = {m.user_id for t in teams for m in t.members if m.absent}
    # replay: open cases per person, as the batch goes
    loads = Workload.of(teams).loads
    for c, a in zip(batch, result, strict=True):
        chosen = match_team(c, teams)
        assert a.team_id == (chosen.id if chosen else None)
        if a.why == "kept":
            assert a.user_id == c.current_user_id and a.user_id not in absent
            continue
        # the case leaves its owner, if it had one
        if c.current_user_id in loads:
            loads[c.current_user_id] = max(loads[c.current_user_id] - 1, 0)
        if a.why == "no_team":
            assert chosen is None and a.user_id is None
            continue
        member = {m.user_id: m for m in chosen.members}.get(a.user_id)
        if a.why == "team_full":
            assert a.user_id is None
            assert all(
                m.user_id in absent or loads[m.user_id] >= m.capacity
                for m in chosen.members
            )
            continue
        assert a.why == "assigned"
        assert a.user_id not in absent
        assert loads[a.user_id] < member.capacity
        loads[a.user_id] += 1
