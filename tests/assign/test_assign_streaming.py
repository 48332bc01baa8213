"""Streaming clusterer: incremental TF-IDF, index-only candidates, time window (fictional texts)."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from storyline.assign.columns import StateError
from storyline.assign.streaming import (
    StreamClusterer,
    TermStats,
    dot,
    pack_vector,
    tfidf,
    unpack_vector,
    vectors_from_state,
    vectors_to_state,
    words,
)

DAY = datetime(2031, 3, 4, 12, tzinfo=UTC)
DAM = "Corvenhydro dam spillway cracks engineers inspection reservoir Lake Saltmere evacuation"
FERRY = "ferry strike harbour unions wages Kestria port workers walkout sailings cancelled"


def vec(stats: TermStats, text: str) -> dict[str, float]:
    counts = Counter(words(text))
    stats.observe(counts)
    return tfidf(counts, stats)


def test_words_drop_stop_words_numbers_and_tokeniser_artefacts() -> None:
    assert words("The 2 ferries -LRB- said -RRB- were Kestria’s") == ["ferries", "kestria's"]


def test_tfidf_vectors_are_unit_length_and_rare_terms_weigh_more() -> None:
    stats = TermStats()
    for _ in range(5):
        vec(stats, "harbour harbour news")
    vector = vec(stats, "harbour spillway")
    assert abs(sum(v * v for v in vector.values()) - 1.0) < 1e-9
    assert vector["spillway"] > vector["harbour"]


def test_similar_articles_share_a_cluster_and_other_topics_do_not() -> None:
    stats, clusterer = TermStats(), StreamClusterer(0.2, timedelta(days=2))
    first, created, _ = clusterer.place(vec(stats, DAM), DAY)
    second, again, score = clusterer.place(vec(stats, DAM + " mayor"), DAY + timedelta(hours=3))
    other, new_other, _ = clusterer.place(vec(stats, FERRY), DAY + timedelta(hours=4))
    assert created and not again and second == first and score > 0.2
    assert new_other and other != first


def test_a_cluster_past_its_window_takes_no_new_articles_and_leaves_the_index() -> None:
    stats, clusterer = TermStats(), StreamClusterer(0.2, timedelta(days=2))
    first, _, _ = clusterer.place(vec(stats, DAM), DAY)
    later, created, _ = clusterer.place(vec(stats, DAM), DAY + timedelta(days=5))
    assert created and later != first
    assert first not in clusterer.clusters
    assert all(first not in posting for posting in clusterer._postings.values())


def test_decay_lowers_the_score_of_an_older_cluster() -> None:
    stats = TermStats()
    near, far = vec(stats, DAM), vec(stats, DAM)
    plain, decayed = (
        StreamClusterer(0.1, timedelta(days=2)),
        StreamClusterer(0.1, timedelta(days=2), decay=0.5),
    )
    for clusterer in (plain, decayed):
        clusterer.place(near, DAY)
    _, plain_score = plain.best(far, DAY + timedelta(days=1))
    _, decayed_score = decayed.best(far, DAY + timedelta(days=1))
    assert abs(plain_score - dot(near, far)) < 1e-9
    assert abs(decayed_score - (plain_score - 0.25)) < 1e-9


def test_candidates_come_from_the_index_not_from_every_cluster() -> None:
    stats, clusterer = TermStats(), StreamClusterer(0.3, timedelta(days=30))
    for i in range(200):  # 200 unrelated clusters, each with its own vocabulary
        clusterer.place(vec(stats, f"topic{i}alpha topic{i}beta topic{i}gamma"), DAY)
    before = clusterer.candidates_scored
    clusterer.place(vec(stats, DAM), DAY)
    assert clusterer.candidates_scored - before == 0  # nothing shares its terms: nothing scored
    clusterer.place(vec(stats, "topic7alpha topic7beta"), DAY)
    assert clusterer.candidates_scored - before == 1


def test_a_packed_vector_comes_back_with_the_same_terms_order_and_values() -> None:
    stats = TermStats()
    vector = vec(stats, DAM + " " + FERRY)
    back = unpack_vector(pack_vector(vector))
    assert list(back.items()) == list(vector.items())
    assert unpack_vector(pack_vector({})) == {}
    odd = {"a\x00b": 1.0, "c": 2.0}  # a term with the separator in it: left as it is
    assert pack_vector(odd) is odd and unpack_vector(odd) is odd


def _saved(clusterer: StreamClusterer) -> StreamClusterer:
    """The clusterer built back from its saved state."""
    return StreamClusterer.from_state(clusterer.to_state(), 0.2, timedelta(days=2))


def test_a_saved_clusterer_keeps_centroids_packed_until_a_cluster_is_used() -> None:
    stats, clusterer = TermStats(), StreamClusterer(0.2, timedelta(days=2))
    dam, _, _ = clusterer.place(vec(stats, DAM), DAY)
    ferry, _, _ = clusterer.place(vec(stats, FERRY), DAY)
    copy = _saved(clusterer)
    assert all(c._total is None for c in copy.clusters.values())  # nothing unpacked yet
    later = vec(stats, DAM + " mayor")
    placed, created, score = copy.place(later, DAY + timedelta(hours=1))
    assert (placed, created) == (dam, False) and score > 0.2
    assert copy.clusters[ferry]._total is None  # not a candidate: still packed
    original = clusterer.clusters[dam]
    original.add(later, DAY + timedelta(hours=1))
    assert list(copy.clusters[dam].total.items()) == list(original.total.items())
    assert copy.clusters[dam].sumsq == original.sumsq


def test_a_saved_clusterer_rebuilds_its_index_in_the_order_clusters_were_indexed() -> None:
    """Postings are not saved: they come back from each cluster's keys, listed in the order the
    clusters were last indexed, which decides which clusters a common term offers first."""
    stats, clusterer = TermStats(), StreamClusterer(0.2, timedelta(days=2), max_postings=2)
    shared = "lighthouse keepers"
    for n in range(1, 5):
        clusterer.join(n, vec(stats, f"{shared} topic{n}alpha topic{n}beta"), DAY)
    first = 1
    clusterer.join(first, vec(stats, f"{shared} topic1alpha topic1gamma"), DAY)  # re-indexed
    assert list(clusterer._postings["lighthouse"]) == [2, 3, 4, 1]
    copy = _saved(clusterer)
    assert {t: list(p) for t, p in copy._postings.items()} == {
        t: list(p) for t, p in clusterer._postings.items()
    }
    probe = vec(stats, shared)
    copy.max_postings = clusterer.max_postings  # (a parameter, not state: the settings give it)
    assert copy.candidates(probe) == clusterer.candidates(probe) == {4, first}
    assert (copy._next_id, copy.clock) == (clusterer._next_id, clusterer.clock)


def test_a_saved_clusterer_refuses_a_state_that_does_not_fit() -> None:
    stats, clusterer = TermStats(), StreamClusterer(0.2, timedelta(days=2))
    clusterer.place(vec(stats, DAM), DAY)
    clusterer.place(vec(stats, FERRY), DAY)
    wrong: list[tuple[str, object]] = [
        ("ids", np.array([1, 1], dtype=np.int64)),  # one cluster twice
        ("ids", np.array([1, 2], dtype=np.int32)),
        ("sumsq", np.array([1.0, np.inf])),
        ("indexed", np.array([1, 7], dtype=np.int64)),  # a cluster it does not have
        ("next_id", 2),  # would hand out an id in use
        ("candidates_scored", True),
        ("clock", "2031-03-04"),
        ("first", np.array([np.iinfo(np.int64).max, 0], dtype=np.int64)),  # past year 9999
    ]
    for key, value in wrong:
        state = clusterer.to_state()
        state[key] = value
        with pytest.raises(StateError):
            _saved_from(state)
    state = clusterer.to_state()
    state["extra"] = 1
    with pytest.raises(StateError, match="extra"):
        _saved_from(state)


def _saved_from(state: dict[str, object]) -> StreamClusterer:
    return StreamClusterer.from_state(state, 0.2, timedelta(days=2))


def test_saved_vectors_come_back_packed_and_refuse_terms_that_do_not_match_values() -> None:
    stats = TermStats()
    vector = vec(stats, DAM)
    odd = {"a\x00b": 1.0, "c": 2.0}  # a term with the separator: kept apart, as JSON
    accented = {"café": 0.5, "@zürich": 0.25, "ünïcode": 0.125}  # more bytes than characters
    state = vectors_to_state([vector, pack_vector({}), odd, pack_vector(accented)])
    back = vectors_from_state(state, 4)
    assert [unpack_vector(v) for v in back] == [vector, {}, odd, accented]
    assert isinstance(back[0], tuple) and back[2] == odd
    short = dict(state, sizes=state["sizes"] + np.array([0, 1, 0, -1]))  # a term moved over
    with pytest.raises(StateError):
        vectors_from_state(short, 4)
    with pytest.raises(StateError):
        vectors_from_state(state, 3)


def test_term_statistics_saved_as_columns_and_read_back_in_every_form() -> None:
    stats = TermStats()
    vec(stats, DAM)
    vec(stats, DAM + " " + FERRY)
    state = stats.to_state()
    assert "text" in state["terms"] and state["counts"].dtype == np.int64  # one text, int64
    back = TermStats.from_state(state)
    assert back.docs == 2 and list(back.df.items()) == list(stats.df.items())
    odd = TermStats(1, Counter({"a\x00b": 1}))  # a term with the separator: a JSON list
    assert TermStats.from_state(odd.to_state()).df == odd.df
    negative = dict(state, counts=-state["counts"])
    with pytest.raises(StateError):
        TermStats.from_state(negative)
