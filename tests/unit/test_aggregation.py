import app.domain.aggregation as aggregation
import app.domain.ranking as ranking
import app.domain.rating as rating


def test_the_facade_exports_every_public_name_of_rating_and_ranking():
    assert sorted(aggregation.__all__) == sorted([*rating.__all__, *ranking.__all__])
    for name in aggregation.__all__:
        module = rating if name in rating.__all__ else ranking
        assert getattr(aggregation, name) is getattr(module, name)
