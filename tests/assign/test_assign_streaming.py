"""Streaming clusterer: incremental TF-IDF, index-only candidates, time window (fictional texts)."""

from __future__ import annotations

import pickle
from collections import Counter
from datetime import UTC, datetime, timedelta

from storyline.assign.streaming import (
    StreamClusterer,
    TermStats,
    dot,
    pack_vector,
    tfidf,
    unpack_vector,
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


def test_a_pickled_clusterer_keeps_centroids_packed_until_a_cluster_is_used() -> None:
    stats, clusterer = TermStats(), StreamClusterer(0.2, timedelta(days=2))
    dam, _, _ = clusterer.place(vec(stats, DAM), DAY)
    ferry, _, _ = clusterer.place(vec(stats, FERRY), DAY)
    copy = pickle.loads(pickle.dumps(clusterer, protocol=5))
    assert all(c._total is None for c in copy.clusters.values())  # nothing unpacked yet
    later = vec(stats, DAM + " mayor")
    placed, created, score = copy.place(later, DAY + timedelta(hours=1))
    assert (placed, created) == (dam, False) and score > 0.2
    assert copy.clusters[ferry]._total is None  # not a candidate: still packed
    original = clusterer.clusters[dam]
    original.add(later, DAY + timedelta(hours=1))
    assert list(copy.clusters[dam].total.items()) == list(original.total.items())
    assert copy.clusters[dam].sumsq == original.sumsq


def test_term_statistics_pickle_packed_and_read_back_in_every_form() -> None:
    stats = TermStats()
    vec(stats, DAM)
    vec(stats, DAM + " " + FERRY)
    packed = stats.__getstate__()
    assert len(packed) == 3 and isinstance(packed[1], str)  # terms joined, counts as bytes
    back = pickle.loads(pickle.dumps(stats))
    assert back.docs == 2 and list(back.df.items()) == list(stats.df.items())
    odd = TermStats(1, Counter({"a\x00b": 1}))  # a term with the separator: pickled as it is
    assert pickle.loads(pickle.dumps(odd)).df == odd.df
