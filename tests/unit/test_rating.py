import math
import statistics
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.errors import DomainError
from app.domain.rating import (
    DEFAULT_SCALE,
    AxisStats,
    Quadrant,
    QuadrantNames,
    RatingScale,
    aggregate_ratings,
    axis_stats,
    quadrant_of,
    sort_ratings,
    top_rated,
    validate_rating,
)

# --- validation -------------------------------------------------------------------------------


@pytest.mark.parametrize("value", [1, 2, 3, 4])
def test_values_of_the_default_scale_are_accepted(value):
    assert validate_rating(value) == value


def test_je_ne_sais_pas_is_none():
    assert validate_rating(None) is None


@pytest.mark.parametrize("value", [0, 5, -1, 100])
def test_a_rating_outside_the_scale_is_refused(value):
    with pytest.raises(DomainError, match="hors de l'échelle : choisissez de 1 à 4"):
        validate_rating(value)


@pytest.mark.parametrize("value", [True, False, "3", 2.5, 3.0, [3], b"3"])
def test_a_rating_of_the_wrong_type_is_refused(value):
    with pytest.raises(DomainError, match="nombre entier de 1 à 4"):
        validate_rating(value)


def test_a_custom_scale():
    scale = RatingScale(0, 10)
    assert validate_rating(0, scale) == 0
    assert validate_rating(10, scale) == 10
    with pytest.raises(DomainError, match="de 0 à 10"):
        validate_rating(11, scale)
    assert scale.midpoint == 5
    assert DEFAULT_SCALE.midpoint == Fraction(5, 2)
    assert DEFAULT_SCALE.values == (1, 2, 3, 4)


@pytest.mark.parametrize(("low", "high"), [(4, 1), (2, 2), (True, 4), (1, 4.0)])
def test_an_invalid_scale_is_refused(low, high):
    with pytest.raises(DomainError, match="Échelle de notation invalide"):
        RatingScale(low, high)


# --- statistics -------------------------------------------------------------------------------


def test_statistics_by_hand():
    # counted: 1, 2, 2, 4 (two « je ne sais pas » left out)
    # mean = 9 / 4 = 2.25; median = (2 + 2) / 2 = 2
    # population variance = (1.25² + 0.25² + 0.25² + 1.75²) / 4 = 4.75 / 4 = 1.1875
    # inclusive quartiles on positions (n − 1)·p = 0.75 and 2.25:
    #   Q1 = 1 + 0.75·(2 − 1) = 1.75; Q3 = 2 + 0.25·(4 − 2) = 2.5; IQR = 0.75
    stats = axis_stats([4, None, 2, 1, None, 2])
    assert (stats.n, stats.n_unknown) == (4, 2)
    assert stats.mean == 2.25
    assert stats.median == 2.0
    assert stats.stdev == pytest.approx(math.sqrt(1.1875))
    assert stats.iqr == pytest.approx(0.75)


def test_no_counted_answer_gives_no_statistics():
    assert axis_stats([None, None]) == AxisStats(
        n=0, n_unknown=2, mean=None, median=None, stdev=None, iqr=None
    )
    assert axis_stats([]).n == 0


def test_a_single_answer_has_no_spread():
    stats = axis_stats([3])
    assert (stats.mean, stats.median, stats.stdev, stats.iqr) == (3.0, 3.0, 0.0, 0.0)


@given(st.lists(st.one_of(st.none(), st.integers(1, 4)), max_size=40))
def test_je_ne_sais_pas_is_excluded_from_statistics(values):
    counted = [v for v in values if v is not None]
    stats = axis_stats(values)
    assert stats.n == len(counted)
    assert stats.n_unknown == len(values) - len(counted)
    assert stats == axis_stats(counted + [None] * stats.n_unknown)
    if counted:
        assert stats.mean == pytest.approx(statistics.fmean(counted))
        assert stats.median == statistics.median(counted)
        assert stats.stdev == pytest.approx(statistics.pstdev(counted))
        assert 0 <= stats.iqr <= 3
        assert min(counted) <= stats.mean <= max(counted)
    else:
        assert stats.mean is stats.median is stats.stdev is stats.iqr is None


@given(st.integers(-5, 5), st.integers(1, 10), st.data())
def test_validation_accepts_exactly_the_scale(low, width, data):
    scale = RatingScale(low, low + width)
    value = data.draw(st.integers(low - 3, low + width + 3))
    if scale.minimum <= value <= scale.maximum:
        assert validate_rating(value, scale) == value
    else:
        with pytest.raises(DomainError):
            validate_rating(value, scale)


# --- quadrants --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("impact", "maitrise", "quadrant"),
    [
        (4, 1, Quadrant.ANTICIPER),
        (3, 3, Quadrant.LEVIERS),
        (2, 4, Quadrant.SECONDAIRES),
        (1, 2, Quadrant.SURVEILLER),
        (2.5, 2.49, Quadrant.ANTICIPER),  # on the midpoint counts as high
        (2.49, 2.5, Quadrant.SECONDAIRES),
        (2.5, 2.5, Quadrant.LEVIERS),
        (None, 3, None),
        (3, None, None),
    ],
)
def test_quadrant_against_the_midpoint(impact, maitrise, quadrant):
    assert quadrant_of(impact, maitrise) is quadrant


def test_quadrant_on_another_scale():
    scale = RatingScale(1, 5)  # midpoint 3
    assert quadrant_of(3, Fraction(29, 10), scale) is Quadrant.ANTICIPER
    assert quadrant_of(Fraction(29, 10), 3, scale) is Quadrant.SECONDAIRES


def test_aggregate_ratings_by_hand():
    ratings = [
        # item 10: impact 3, 2 → mean 2.5 (= midpoint: high); maitrise 2, 2, ? → mean 2 (low)
        (10, "impact", 3), (10, "impact", 2), (10, "maitrise", 2), (10, "maitrise", 2),
        (10, "maitrise", None),
        # item 20: impact 1, 1 → 1 (low); maitrise 4, 3 → 3.5 (high)
        (20, "impact", 1), (20, "impact", 1), (20, "maitrise", 4), (20, "maitrise", 3),
        # item 30: impact 4; maitrise only « je ne sais pas » → no quadrant
        (30, "impact", 4), (30, "maitrise", None),
    ]
    by_item = {r.item: r for r in aggregate_ratings([10, 20, 30, 40], ratings)}
    assert [r.item for r in aggregate_ratings([10, 20, 30, 40], ratings)] == [10, 20, 30, 40]
    ten = by_item[10]
    assert ten.impact.mean == 2.5 and ten.maitrise.mean == 2.0
    assert (ten.maitrise.n, ten.maitrise.n_unknown) == (2, 1)
    assert ten.quadrant is Quadrant.ANTICIPER
    assert ten.quadrant_name == "enjeux à anticiper"
    assert by_item[20].quadrant is Quadrant.SECONDAIRES
    assert by_item[20].quadrant_name == "actions secondaires"
    assert by_item[30].quadrant is None and by_item[30].quadrant_name is None
    assert by_item[40].impact.n == 0 and by_item[40].quadrant is None


def test_default_and_template_quadrant_names():
    names = QuadrantNames()
    assert [names.of(q) for q in Quadrant] == [
        "enjeux à anticiper", "leviers d'action", "actions secondaires", "à surveiller"
    ]
    custom = QuadrantNames(leviers="nos leviers")
    (result,) = aggregate_ratings(["x"], [("x", "impact", 4), ("x", "maitrise", 4)], names=custom)
    assert result.quadrant is Quadrant.LEVIERS and result.quadrant_name == "nos leviers"


def test_one_axis_rating_has_stats_and_no_quadrant():
    (result,) = aggregate_ratings(["x"], [("x", "impact", 4)], axes=("impact",))
    assert result.impact.mean == 4.0 and result.maitrise is None and result.quadrant is None


@pytest.mark.parametrize(
    ("rating", "message"),
    [
        ((99, "impact", 2), "Élément inconnu"),
        ((True, "impact", 2), "Élément inconnu"),
        ((1, "urgence", 2), "Axe de notation inconnu"),
        ((1, "impact", 7), "hors de l'échelle"),
        ((1, "maitrise", True), "nombre entier"),
        ((1, "maitrise", "2"), "nombre entier"),
    ],
)
def test_aggregate_ratings_refuses_bad_input(rating, message):
    with pytest.raises(DomainError, match=message):
        aggregate_ratings([1, 2], [rating])


@given(
    st.lists(
        st.tuples(st.sampled_from([1, 2, 3]), st.sampled_from(["impact", "maitrise"]),
                  st.one_of(st.none(), st.integers(1, 4))),
        max_size=60,
    )
)
def test_quadrant_follows_the_means(ratings):
    for result in aggregate_ratings([1, 2, 3], ratings):
        if result.impact.n == 0 or result.maitrise.n == 0:
            assert result.quadrant is None
        else:
            assert result.quadrant.high_impact == (result.impact.mean >= 2.5)
            assert result.quadrant.high_maitrise == (result.maitrise.mean >= 2.5)


# --- sorting ----------------------------------------------------------------------------------


def test_sort_by_impact_maitrise_and_spread():
    ratings = [
        ("a", "impact", 2), ("a", "impact", 2), ("a", "maitrise", 1), ("a", "maitrise", 4),
        ("b", "impact", 4), ("b", "impact", 3), ("b", "maitrise", 2), ("b", "maitrise", 2),
        ("c", "impact", 2), ("c", "impact", 2), ("c", "maitrise", 3), ("c", "maitrise", 3),
    ]
    # impact means a 2, b 3.5, c 2 (a before c: ties keep the input order)
    # maitrise means a 2.5, b 2, c 3; stdev: a maitrise 1.5, b impact 0.5, c 0
    results = aggregate_ratings(["a", "b", "c", "d"], ratings)
    order = lambda rs: [r.item for r in rs]  # noqa: E731
    assert order(sort_ratings(results, "impact")) == ["b", "a", "c", "d"]
    assert order(sort_ratings(results, "impact", descending=False)) == ["a", "c", "b", "d"]
    assert order(sort_ratings(results, "maitrise")) == ["c", "a", "b", "d"]
    assert order(sort_ratings(results, "spread")) == ["a", "b", "c", "d"]
    assert results[0].spread == 1.5
    with pytest.raises(DomainError, match="Tri inconnu"):
        sort_ratings(results, "n")


def test_sort_by_a_template_axis():
    results = aggregate_ratings(["a", "b"], [("a", "urgence", 1), ("b", "urgence", 3)], axes=("urgence",))
    assert [r.item for r in sort_ratings(results, "urgence")] == ["b", "a"]
    with pytest.raises(DomainError, match="Tri inconnu"):
        sort_ratings(results, "faisabilite")


# --- template axes and quadrant names -------------------------------------------------------------


def test_template_quadrant_keys():
    assert [q.template_key for q in Quadrant] == ["high_low", "high_high", "low_high", "low_low"]
    names = QuadrantNames.from_template({"high_low": "Vigilance", "low_low": "Veille"})
    assert names.anticiper == "Vigilance" and names.surveiller == "Veille"
    assert names.leviers == "leviers d'action"  # not given: the default
    assert QuadrantNames.from_template({}) == QuadrantNames()
    with pytest.raises(DomainError, match="Quadrant inconnu : « high_mid »"):
        QuadrantNames.from_template({"high_mid": "x"})


def test_the_first_axis_plays_impact_and_the_second_maitrise():
    ratings = [("x", "urgence", 4), ("x", "faisabilite", 1), ("y", "urgence", 1), ("y", "faisabilite", 4)]
    names = QuadrantNames.from_template({"high_low": "urgent mais difficile", "low_high": "facile"})
    x, y = aggregate_ratings(["x", "y"], ratings, axes=("urgence", "faisabilite"), names=names)
    assert (x.quadrant, x.quadrant_name) == (Quadrant.ANTICIPER, "urgent mais difficile")
    assert (y.quadrant, y.quadrant_name) == (Quadrant.SECONDAIRES, "facile")
    assert x.axes == ("urgence", "faisabilite") and x.mean("urgence") == 4.0 and x.mean("autre") is None
    # Order matters: swapping the axes swaps the roles.
    (swapped,) = aggregate_ratings(["x"], ratings[:2], axes=("faisabilite", "urgence"))
    assert swapped.quadrant is Quadrant.SECONDAIRES


# --- top N ----------------------------------------------------------------------------------------


def test_top_rated_by_hand_with_every_tie_break():
    ratings = [
        ("a", "impact", 4), ("a", "impact", 2),                      # mean 3, σ 1
        ("b", "impact", 3), ("b", "impact", 3),                      # mean 3, σ 0: before a
        ("c", "impact", 3),                                          # mean 3, σ 0, n 1: after b
        ("d", "impact", 4), ("d", "impact", 4), ("d", "impact", None),  # mean 4: first
        ("e", "impact", None),                                       # no counted answer: never taken
        ("f", "impact", 3), ("f", "impact", 3),                      # same as b: list order, after b
        ("g", "impact", 1),
    ]
    results = aggregate_ratings(list("abcdefg"), ratings, axes=("impact",))
    order = lambda rs: [r.item for r in rs]  # noqa: E731
    assert order(top_rated(results, 10)) == ["d", "b", "f", "c", "a", "g"]
    assert order(top_rated(results, 3)) == ["d", "b", "f"]  # the cut breaks the tie, never widens
    assert order(top_rated(results, 1)) == ["d"]
    two_axes = aggregate_ratings(["p", "q"], [("p", "maitrise", 4), ("q", "impact", 2), ("p", "impact", 1)])
    assert order(top_rated(two_axes, 2)) == ["q", "p"]  # by the first axis, impact
    assert order(top_rated(two_axes, 2, axis="maitrise")) == ["p"]
    for bad in (0, -1, 1.5, True):
        with pytest.raises(DomainError, match="entier positif"):
            top_rated(results, bad)


@given(
    st.lists(st.tuples(st.integers(0, 7), st.one_of(st.none(), st.integers(1, 4))), max_size=60),
    st.integers(1, 10),
)
def test_top_rated_takes_the_best_means(ratings, n):
    items = list(range(8))
    results = aggregate_ratings(items, [(i, "impact", v) for i, v in ratings], axes=("impact",))
    top = top_rated(results, n)
    rated = [r for r in results if r.impact.n]
    assert len(top) == min(n, len(rated))
    means = [r.impact.exact_mean for r in top]
    assert means == sorted(means, reverse=True)
    if top:
        left_out = [r for r in rated if r not in top]
        assert all(r.impact.exact_mean <= means[-1] for r in left_out)


# --- the matrix as drawn (app.screens.rating) ---------------------------------------------------

from app.domain.french import figure as fr  # noqa: E402
from app.screens.rating import MARKER_RADIUS, build_view, layout_markers  # noqa: E402
from app.services.ratings import Axis, RatingSettings  # noqa: E402


def test_french_figures():
    assert (fr(2.25), fr(3.0), fr(3.0, trim=True), fr(2.5, trim=True), fr(None)) == (
        "2,3", "3,0", "3", "2,5", "—")
    assert fr(0.75, 2, trim=True) == "0,75" and fr(-1.0) == "−1,0"


def test_markers_of_the_same_point_fan_out_and_lonely_ones_stay():
    placed = layout_markers([(500, 500), (500, 500), (500, 500), (200, 200)])
    assert placed[3] == (200, 200)
    for i in range(3):
        for j in range(i + 1, 3):
            (x1, y1), (x2, y2) = placed[i], placed[j]
            assert ((x1 - x2) ** 2 + (y1 - y2) ** 2) ** 0.5 >= 2 * MARKER_RADIUS


@given(st.lists(st.tuples(st.integers(150, 950), st.integers(50, 850)), max_size=12))
def test_markers_never_overlap_and_stay_in_the_plot(points):
    placed = layout_markers([(float(x), float(y)) for x, y in points])
    for i, (x1, y1) in enumerate(placed):
        assert 120 + MARKER_RADIUS - 0.1 <= x1 <= 984 - MARKER_RADIUS + 0.1
        assert 16 + MARKER_RADIUS - 0.1 <= y1 <= 880 - MARKER_RADIUS + 0.1
        for x2, y2 in placed[i + 1:]:
            assert ((x1 - x2) ** 2 + (y1 - y2) ** 2) ** 0.5 >= 2 * MARKER_RADIUS - 0.5


class FakeItem:
    def __init__(self, id_: int, text: str) -> None:
        self.id, self.text = id_, text


def test_the_view_places_items_at_their_means():
    settings = RatingSettings(axes=(Axis("impact", "Impact"), Axis("maitrise", "Maîtrise")),
                              scale=DEFAULT_SCALE, allow_unknown=True,
                              names=QuadrantNames.from_template({"high_high": "Nos leviers"}))
    items = [FakeItem(1, "haut gauche"), FakeItem(2, "bas droite"), FakeItem(3, "sans note")]
    results = aggregate_ratings([1, 2, 3], [(1, "impact", 4), (1, "maitrise", 1), (2, "impact", 1),
                                            (2, "maitrise", 3), (2, "maitrise", 4)])
    view = build_view(settings, list(zip(items, results, strict=True)))
    one, two, three = view.rows
    assert (one.number, one.quadrant, two.quadrant, three.quadrant) == (1, "anticiper", "secondaires", None)
    assert one.point.x < view.mid_x < two.point.x and one.point.y < view.mid_y < two.point.y
    assert one.point.rx == 0 and two.point.rx > 0 and two.point.ry == 0  # σ maîtrise 0.5, σ impact 0
    assert three.point is None and view.unplotted == [three]
    assert [c.lines for c in view.corners][1] == ["Nos leviers"]
    assert [t.value for t in view.ticks_x] == [1, 2, 3, 4]
    assert [r.number for r in view.by_first_axis] == [1, 2, 3]
    assert two.cells[1].mean_text == "3,5" and two.cells[1].median_text == "3,5" and two.spread_text == "0,5"
    assert one.sort_value("impact") == "4.0" and three.sort_value("spread") == ""


def test_one_axis_has_a_strip_not_a_matrix():
    settings = RatingSettings(axes=(Axis("urgence", "Urgence"),), scale=RatingScale(0, 5),
                              allow_unknown=False, names=QuadrantNames())
    results = aggregate_ratings([1], [(1, "urgence", 5)], RatingScale(0, 5), axes=("urgence",))
    view = build_view(settings, [(FakeItem(1, "x"), results[0])])
    assert not view.corners and view.rows[0].point is None
    assert [t.value for t in view.strip_ticks] == [0, 1, 2, 3, 4, 5]
    assert view.sx(0) < view.sx(5) and view.sx(99) == view.sx(10)
