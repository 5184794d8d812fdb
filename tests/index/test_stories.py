"""Stories: articles grouped by event at index time, kept through updates, scored by B-cubed."""

import gzip
import json
import math
import re
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from bench.stories import bcubed, disagreements
from corpus import Article, make_article
from index import (
    FORMAT_VERSION,
    HashEmbedder,
    IndexDamagedError,
    IndexDirectory,
    build_index,
    open_index,
    update_index,
    verify_index,
)
from index.embedders import Embedder
from index.merge import merge_segments
from index.stories import (
    Grouping,
    Profiles,
    Story,
    StoryConfig,
    StoryMap,
    extend_grouping,
    group,
    group_articles,
    lead,
    normalise_entity,
    profile_articles,
    similarities,
    story_map,
)

DEV_CORPUS = Path(__file__).resolve().parents[3] / "shared" / "data" / "news_cluster_dev.jsonl.gz"


def profiles(
    vectors: list[list[float]], entities: list[set[str]], dates: list[str | None]
) -> Profiles:
    """Hand-made profiles ``p0``, ``p1``...; vectors are normalised."""
    array = np.asarray(vectors, dtype=np.float32)
    array /= np.linalg.norm(array, axis=1, keepdims=True)
    return Profiles(
        tuple(f"p{i}" for i in range(len(vectors))),
        array,
        tuple(frozenset(e) for e in entities),
        tuple(dates),
    )


# B-cubed, worked by hand


def test_bcubed_by_hand() -> None:
    # Clusters A = {0, 1}, B = {2, 3, 4}; classes x = {0, 1, 2}, y = {3, 4}.
    # Precision per item: 2/2, 2/2, 1/3, 2/3, 2/3 -> 11/15.
    # Recall per item: 2/3, 2/3, 1/3, 2/2, 2/2 -> 11/15.
    scores = bcubed(["A", "A", "B", "B", "B"], ["x", "x", "x", "y", "y"])
    assert scores.precision == pytest.approx(11 / 15)
    assert scores.recall == pytest.approx(11 / 15)
    assert scores.f1 == pytest.approx(11 / 15)


def test_bcubed_of_one_big_cluster_and_of_singletons() -> None:
    # One cluster of four over classes x, x, y, z: precision (2+2+1+1)/4/4 = 3/8, recall 1.
    lumped = bcubed([0, 0, 0, 0], ["x", "x", "y", "z"])
    assert (lumped.precision, lumped.recall) == (3 / 8, 1.0)
    assert lumped.f1 == pytest.approx(2 * (3 / 8) / (1 + 3 / 8))
    # Singletons: precision 1, recall (1/2 + 1/2 + 1 + 1) / 4 = 3/4.
    split = bcubed([0, 1, 2, 3], ["x", "x", "y", "z"])
    assert (split.precision, split.recall) == (1.0, 3 / 4)
    assert bcubed([5, 5, 7], ["a", "a", "b"]) == bcubed([0, 0, 1], ["q", "q", "r"])


def test_bcubed_refuses_mismatched_labellings() -> None:
    with pytest.raises(ValueError, match="equally long non-empty labellings, got 2 and 3 items"):
        bcubed([0, 0], ["x", "x", "y"])
    with pytest.raises(ValueError, match="got 0 and 0 items"):
        bcubed([], [])


def test_disagreements_are_items_outside_their_events_majority_story() -> None:
    assert disagreements([0, 0, 1, 1, 1, 2], ["x", "x", "x", "y", "y", "y"]) == [2, 5]


# Profiles


def test_lead_is_the_title_and_first_sentences_without_fragments_or_a_repeated_title() -> None:
    article = make_article(
        "a",
        "Zoo kills gorilla\nPhoto\nA gorilla was shot at the zoo on Saturday. "
        "A boy had fallen into its enclosure. Nobody else was hurt.",
        title="Zoo kills gorilla",
    )
    assert lead(article) == (
        "Zoo kills gorilla\nA gorilla was shot at the zoo on Saturday.\n"
        "A boy had fallen into its enclosure."
    )
    untitled = make_article("b", "Short one.\nA gorilla was shot at the zoo on Saturday.")
    assert untitled.title is None
    assert lead(untitled) == "A gorilla was shot at the zoo on Saturday."
    assert lead(make_article("c", "Short one.")) == "Short one."


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("the Pentagon's", "pentagon"),
        ("Cincinnati  Zoo’s", "cincinnati zoo"),
        ("Chris Jones'", "chris jones"),
        ("The Hague", "hague"),
        ("NASA", "nasa"),
    ],
)
def test_entity_names_are_normalised(name: str, expected: str) -> None:
    assert normalise_entity(name) == expected


def test_profiles_hold_the_named_entities_of_the_title_and_lead() -> None:
    article = make_article(
        "obama-1",
        "Barack Obama visited Berlin on Tuesday. He met Angela Merkel at the Chancellery.",
        title="Obama in Germany",
        date="2016-11-16",
    )
    profile = profile_articles([article], HashEmbedder())
    assert profile.doc_ids == ("obama-1",)
    assert profile.dates == ("2016-11-16",)
    assert {"barack obama", "berlin", "angela merkel"} <= profile.entities[0]
    assert profile.vectors.shape == (1, 64)
    assert np.allclose(profile.vectors[0], HashEmbedder().embed([lead(article)])[0])


# Similarity and grouping


def test_the_similarity_of_two_articles_worked_by_hand() -> None:
    config = StoryConfig(
        text_floor=0.2, text_weight=0.7, entity_weight=0.3, date_scale_days=10, date_floor=0.5
    )
    pair = profiles([[1, 0], [0.6, 0.8]], [{"a", "b"}, {"a", "c"}], ["2018-01-01", "2018-01-11"])
    text = (0.6 - 0.2) / (1 - 0.2)
    # IDF over two articles: "a" is in both (ln(1 + 2/2)), "b" and "c" in one (ln(1 + 2/1)).
    shared, alone = math.log(2) ** 2, math.log(3) ** 2
    entities = shared / (shared + alone)
    date_factor = 0.5 + 0.5 * math.exp(-10 / 10)
    expected = (0.7 * text + 0.3 * entities) * date_factor
    matrix = similarities(pair, config)
    assert matrix == pytest.approx(np.array([[0.0, expected], [expected, 0.0]]), abs=1e-6)


def test_two_events_are_told_apart() -> None:
    # Two zoo reports and one space-station report with their own vectors and entities, and a
    # fourth zoo report with an unrelated vector that shares the zoo's rare entities.
    two_events = profiles(
        [[1, 0.1, 0], [0.9, 0.2, 0], [0, 0.1, 1], [0, 1, 0]],
        [
            {"cincinnati zoo", "harambe", "ohio"},
            {"cincinnati zoo", "harambe"},
            {"tiangong-1", "china"},
            {"harambe", "cincinnati zoo", "thane maynard"},
        ],
        ["2016-05-29", "2016-05-30", "2018-01-01", "2016-05-31"],
    )
    assert group(two_events) == [[0, 1, 3], [2]]


def test_shared_rare_entities_group_articles_whatever_their_vectors() -> None:
    # Orthogonal vectors (as the hash embedder gives texts in different words): entities decide.
    three = profiles(
        [[1, 0, 0], [0, 1, 0], [0, 0, 1]],
        [{"tiangong-1", "china"}, {"tiangong-1", "china"}, {"cubs", "world series"}],
        [None, None, None],
    )
    assert group(three) == [[0, 1], [2]]


def test_a_date_gap_splits_articles_that_are_only_somewhat_alike() -> None:
    # Cosine 0.4 (text 0.2 with the defaults) and no shared entity: 0.7 * 0.2 = 0.14 times the
    # date factor; a day apart that clears the 0.125 threshold, a year apart it does not.
    def pair(dates: list[str | None]) -> Profiles:
        return profiles([[1, 0], [0.4, math.sqrt(1 - 0.16)]], [set(), set()], dates)

    assert group(pair(["2017-01-01", "2017-01-02"])) == [[0, 1]]
    assert group(pair(["2017-01-01", "2018-01-01"])) == [[0], [1]]
    assert group(pair([None, "2018-01-01"])) == [[0, 1]]  # an unknown date is no evidence


def test_average_linkage_needs_the_group_on_average_not_one_pair() -> None:
    # p1 is 45 degrees from p0 and from p2, which are unrelated: p1 joins one of them, and the
    # pair it makes averages (0.41 + 0) / 2 with the third, below the threshold. Single linkage
    # would chain all three.
    chain = profiles([[1, 0], [1, 1], [0, 1]], [set(), set(), set()], [None, None, None])
    config = StoryConfig(text_floor=0.5, text_weight=1.0, entity_weight=0.0, threshold=0.3)
    matrix = similarities(chain, config)
    text = (math.sqrt(0.5) - 0.5) / 0.5
    assert matrix == pytest.approx(np.array([[0, text, 0], [text, 0, text], [0, text, 0]]))
    assert group(chain, config) == [[0, 1], [2]]


def test_sparse_average_linkage_is_scipys_average_linkage() -> None:
    hierarchy = pytest.importorskip("scipy.cluster.hierarchy")
    distance = pytest.importorskip("scipy.spatial.distance")
    rng = np.random.default_rng(7)
    centres = rng.normal(size=(6, 16))
    rows = [centres[i % 6] + rng.normal(scale=0.9, size=16) for i in range(60)]
    names = [f"e{i}" for i in range(12)]
    entities = [{names[i % 6], names[int(rng.integers(12))]} for i in range(60)]
    dates = [f"2018-01-{1 + int(rng.integers(28)):02d}" for _ in range(60)]
    random_profiles = profiles([list(r) for r in rows], entities, list(dates))
    config = StoryConfig(min_pair=0.0, max_neighbours=60)
    matrix = similarities(random_profiles, config)
    tree = hierarchy.linkage(distance.squareform(1 - matrix, checks=False), "average")
    labels = hierarchy.fcluster(tree, t=1 - config.threshold, criterion="distance")
    expected: dict[int, list[int]] = {}
    for row, label in enumerate(labels):
        expected.setdefault(int(label), []).append(row)
    found = group(random_profiles, config)
    assert 1 < len(found) < 60
    assert sorted(found) == sorted(expected.values())


def test_config_values_are_checked() -> None:
    with pytest.raises(ValueError, match=r"StoryConfig threshold is 1\.5: not between 0 and 1"):
        StoryConfig(threshold=1.5)
    with pytest.raises(ValueError, match=r"StoryConfig text_floor is 1\.0: not in"):
        StoryConfig(text_floor=1.0)


# Incremental assignment


ZOO = [[1, 0, 0], [0.95, 0.3, 0]]
SPACE = [[0, 0, 1], [0, 0.2, 1]]


def two_stories() -> Grouping:
    existing = profiles(
        ZOO + SPACE,
        [{"harambe"}, {"harambe"}, {"tiangong-1"}, {"tiangong-1"}],
        ["2016-05-29", "2016-05-30", "2018-01-01", "2018-01-02"],
    )
    return Grouping(existing, ("s-p0", "s-p0", "s-p2", "s-p2"))


def added(doc_id: str, vector: list[float], entities: set[str]) -> Profiles:
    one = profiles([vector], [entities], ["2018-01-03"])
    return Profiles((doc_id,), one.vectors, one.entities, one.dates)


def test_an_added_article_joins_the_story_it_is_most_like() -> None:
    extended = extend_grouping(two_stories(), added("new", [0, 0.1, 1], {"tiangong-1"}))
    assert extended.story_ids == ("s-p0", "s-p0", "s-p2", "s-p2", "s-p2")
    assert extended.profiles.doc_ids == ("p0", "p1", "p2", "p3", "new")


def test_an_added_article_unlike_every_story_starts_one() -> None:
    extended = extend_grouping(two_stories(), added("new", [0, 1, 0], {"cubs"}))
    assert extended.story_ids[-1] == "s-new"
    assert extended.story_ids[:4] == two_stories().story_ids


def test_articles_added_together_can_start_a_story_together() -> None:
    first = added("a", [0, 1, 0], {"cubs", "world series"})
    second = added("b", [0, 1, 0.05], {"cubs", "world series"})
    extended = extend_grouping(two_stories(), first + second)
    assert extended.story_ids[-2:] == ("s-a", "s-a")


def test_removed_articles_leave_their_story_and_an_emptied_story_disappears() -> None:
    nothing = Profiles((), np.zeros((0, 3), dtype=np.float32), (), ())
    smaller = extend_grouping(two_stories(), nothing, remove=["p0"])
    assert smaller.profiles.doc_ids == ("p1", "p2", "p3")
    assert smaller.story_ids == ("s-p0", "s-p2", "s-p2")  # the story keeps its id
    gone = extend_grouping(two_stories(), nothing, remove=["p2", "p3"])
    assert set(gone.story_ids) == {"s-p0"}


def test_a_new_story_never_takes_an_id_still_in_use() -> None:
    # p0 started story s-p0 and was removed; an unrelated new article called p0 starts s-p0-2.
    extended = extend_grouping(two_stories(), added("p0", [0, 1, 0], {"cubs"}), remove=["p0"])
    assert extended.story_ids == ("s-p0", "s-p2", "s-p2", "s-p0-2")


# Records


def test_story_records_are_titled_by_the_most_typical_article_and_list_outlets() -> None:
    articles = {
        "p0": make_article("p0", "First report.", title="Gorilla shot", source="NPR"),
        "p1": make_article("p1", "Second report.", title="Zoo gorilla killed", source="BBC"),
        "p2": make_article("p2", "Third report.", title="Station falls", source="NPR"),
        "p3": make_article("p3", "Fourth report.", source=None),
    }
    stories = story_map(two_stories(), articles)
    assert [s.id for s in stories.stories] == ["s-p0", "s-p2"]
    zoo = stories.story_of("p1")
    assert zoo.articles == ("p0", "p1")
    assert zoo.outlets == ("NPR", "BBC")
    assert zoo.title in {"Gorilla shot", "Zoo gorilla killed"}
    assert stories.story_of("p3") == Story("s-p2", "Station falls", ("p2", "p3"), ("NPR",))
    with pytest.raises(KeyError, match="no article 'p9' in any story"):
        stories.story_of("p9")


def test_a_story_map_refuses_an_article_in_two_stories() -> None:
    with pytest.raises(ValueError, match="article 'a' is in stories 's-a' and 's-b'"):
        StoryMap((Story("s-a", "A", ("a",), ()), Story("s-b", "B", ("b", "a"), ())))
    with pytest.raises(ValueError, match="two stories have the id 's-a'"):
        StoryMap((Story("s-a", "A", ("a",), ()), Story("s-a", "B", ("b",), ())))


# In the index


ZOO_TEXT = (
    "Harambe, a gorilla at the Cincinnati Zoo, was shot dead on Saturday after a boy fell into "
    "its enclosure. Zoo director Thane Maynard said the Cincinnati Zoo made the right call."
)
SPACE_TEXT = (
    "China's space station Tiangong-1 will fall to Earth in March, the China Manned Space "
    "Agency said in Beijing. Most of Tiangong-1 will burn up, the China Manned Space Agency said."
)


def corpus_of_two_events() -> list[Article]:
    return [
        make_article(
            "zoo-1",
            ZOO_TEXT,
            title="Cincinnati Zoo shoots gorilla Harambe",
            source="NPR",
            date="2016-05-29",
        ),
        make_article(
            "zoo-2",
            ZOO_TEXT.replace("Saturday", "the weekend"),
            title="Harambe killed at Cincinnati Zoo",
            source="BBC",
            date="2016-05-30",
        ),
        make_article(
            "space-1",
            SPACE_TEXT,
            title="Tiangong-1 to fall to Earth",
            source="The Guardian",
            date="2018-01-01",
        ),
        make_article(
            "space-2",
            SPACE_TEXT.replace("in March", "this spring"),
            title="China says Tiangong-1 will burn up",
            source="NPR",
            date="2018-01-02",
        ),
    ]


@pytest.fixture
def built(tmp_path: Path) -> Path:
    build_index(corpus_of_two_events(), tmp_path, HashEmbedder())
    return tmp_path


def story_articles(index_dir: Path) -> dict[str, tuple[str, ...]]:
    index = open_index(index_dir, HashEmbedder())
    return {story.id: story.articles for story in index.stories.stories}


def merged_story_articles(index_dir: Path) -> dict[str, tuple[str, ...]]:
    """The stories after the segments are merged into a new base."""
    assert merge_segments(index_dir, HashEmbedder()) is not None
    assert IndexDirectory(index_dir).live_state().segments == ()
    return story_articles(index_dir)


def test_a_build_stores_the_stories_and_loading_exposes_them(built: Path) -> None:
    index = open_index(built, HashEmbedder())
    assert story_articles(built) == {
        "s-zoo-1": ("zoo-1", "zoo-2"),
        "s-space-1": ("space-1", "space-2"),
    }
    assert len(index.stories) == 2
    space = index.stories.story_of("space-2")
    assert space.outlets == ("The Guardian", "NPR")
    assert space.title in {"Tiangong-1 to fall to Earth", "China says Tiangong-1 will burn up"}
    articles = corpus_of_two_events()
    expected = story_map(group_articles(articles, HashEmbedder()), {a.doc_id: a for a in articles})
    assert index.stories.stories == expected.stories
    with pytest.raises(KeyError, match="no article 'zoo-9' in any story"):
        index.stories.story_of("zoo-9")


@pytest.mark.parametrize(
    ("sql", "message"),
    [
        pytest.param(
            "UPDATE stories SET articles = '[\"zoo-1\", ' WHERE id = 's-zoo-1'",
            "the stored story 's-zoo-1' is malformed",
            id="articles not JSON",
        ),
        pytest.param(
            "UPDATE stories SET outlets = '7' WHERE id = 's-space-1'",
            "the stored story 's-space-1' is malformed",
            id="outlets not a list",
        ),
        pytest.param(
            'UPDATE stories SET articles = \'["zoo-1", "zoo-2", "space-1"]\' '
            "WHERE id = 's-zoo-1'",
            "article 'space-1' is in stories",
            id="an article in two stories",
        ),
        pytest.param(
            "DELETE FROM stories WHERE id = 's-space-1'",
            "places 2 of 4 articles in stories",
            id="articles in no story",
        ),
        pytest.param(
            'UPDATE stories SET articles = \'["zoo-1", "zoo-2", "zoo-9"]\' WHERE id = \'s-zoo-1\'',
            "places 5 of 4 articles in stories",
            id="a story of an unknown article",
        ),
    ],
)
def test_stories_damaged_in_the_store_are_refused_by_verifying_at_the_latest(
    built: Path, change_store: Callable[..., None], sql: str, message: str
) -> None:
    change_store(built, sql)
    hint = "crosscheck index --rebuild"
    try:
        open_index(built, HashEmbedder())
    except IndexDamagedError as error:  # found on loading, or else left to verifying
        assert re.search(f"{message}.*{hint}", str(error)), error
    with pytest.raises(IndexDamagedError, match=f"{message}.*{hint}"):
        verify_index(built)


def test_the_store_keeps_the_profiles_the_articles_were_grouped_by(built: Path) -> None:
    index = open_index(built, HashEmbedder())
    profiled = profile_articles(corpus_of_two_events(), HashEmbedder())
    stored = index.articles.store.profiles(index.upto, profiled.doc_ids)
    assert stored.doc_ids == profiled.doc_ids == ("zoo-1", "zoo-2", "space-1", "space-2")
    assert np.array_equal(stored.vectors, profiled.vectors)
    assert stored.entities == profiled.entities and stored.dates == profiled.dates


def test_a_damaged_profile_is_refused_by_the_update_that_reads_it(
    built: Path, change_store: Callable[..., None]
) -> None:
    change_store(
        built, "UPDATE articles SET profile = substr(profile, 1, 16) WHERE doc_id = 'zoo-1'"
    )
    with pytest.raises(IndexDamagedError):
        update_index(built, HashEmbedder(), remove=["zoo-2"])


def test_an_index_of_an_older_format_is_refused_with_the_rebuild_hint(built: Path) -> None:
    manifest = IndexDirectory(built).live_generation() / "manifest.json"
    record = json.loads(manifest.read_text())
    record["format_version"] = FORMAT_VERSION - 1
    manifest.write_text(json.dumps(record))
    with pytest.raises(
        IndexDamagedError,
        match=rf"format version {FORMAT_VERSION - 1}; this crosscheck reads version "
        rf"{FORMAT_VERSION}.*crosscheck index --rebuild",
    ):
        open_index(built, HashEmbedder())


def test_an_update_keeps_stories_and_places_added_articles(built: Path) -> None:
    joining = make_article(
        "zoo-3",
        "The Cincinnati Zoo reopened its gorilla exhibit weeks after Harambe was shot. "
        "Thane Maynard said the Cincinnati Zoo built a higher barrier.",
        title="Cincinnati Zoo reopens after Harambe shooting",
        source="AP",
        date="2016-06-07",
    )
    starting = make_article(
        "cubs-1",
        "The Chicago Cubs beat the Cleveland Indians to win the World Series, their first title "
        "since 1908. Kris Bryant made the last throw at Progressive Field.",
        title="Chicago Cubs win the World Series",
        source="BBC",
        date="2016-11-03",
    )
    report = update_index(built, HashEmbedder(), add=[joining, starting])
    expected = {
        "s-zoo-1": ("zoo-1", "zoo-2", "zoo-3"),
        "s-space-1": ("space-1", "space-2"),
        "s-cubs-1": ("cubs-1",),
    }
    assert {s.id: s.articles for s in report.index.stories.stories} == expected
    assert report.index.stories.story_of("zoo-3").outlets == ("NPR", "BBC", "AP")
    assert story_articles(built) == expected
    assert merged_story_articles(built) == expected
    merged = open_index(built, HashEmbedder())
    assert merged.stories.story_of("zoo-3") == report.index.stories.story_of("zoo-3")


def test_removed_articles_leave_their_story_and_an_emptied_story_goes(built: Path) -> None:
    update_index(built, HashEmbedder(), remove=["zoo-1"])
    assert story_articles(built) == {"s-zoo-1": ("zoo-2",), "s-space-1": ("space-1", "space-2")}
    index = update_index(built, HashEmbedder(), remove=["space-1", "space-2"]).index
    assert story_articles(built) == {"s-zoo-1": ("zoo-2",)}
    for gone in ["zoo-1", "space-1"]:
        with pytest.raises(KeyError, match=f"no article '{gone}' in any story"):
            index.stories.story_of(gone)
    assert merged_story_articles(built) == {"s-zoo-1": ("zoo-2",)}


def test_a_replaced_article_stays_in_its_story(built: Path) -> None:
    replaced = make_article(
        "zoo-2",
        ZOO_TEXT.replace("Saturday", "Sunday"),
        title="Harambe killed at Cincinnati Zoo",
        source="BBC",
        date="2016-05-30",
    )
    update_index(built, HashEmbedder(), add=[replaced])
    expected = {"s-zoo-1": ("zoo-1", "zoo-2"), "s-space-1": ("space-1", "space-2")}
    assert story_articles(built) == expected
    assert merged_story_articles(built) == expected


# With the real model, on labelled news


@pytest.mark.model
def test_the_model_groups_labelled_news_by_event(minilm_embedder: Embedder) -> None:
    if not DEV_CORPUS.is_file():
        pytest.skip(f"{DEV_CORPUS} is not here")
    events = {
        "Apple_removed_Telegram",
        "cubs_win_championship",
        "russian_space_experts_regain_control_of_1st_angola_satellite",
        "tourist_boat_hits_bridge_in_germany",
        "harambe",
    }
    articles, labels = [], []
    with gzip.open(DEV_CORPUS, "rt", encoding="utf-8") as handle:
        for line in handle:
            record = json.loads(line)
            if record["event"] in events:
                articles.append(
                    make_article(
                        record["doc_id"],
                        record["text"],
                        source=record["source"],
                        date=record["date"],
                        title=record["title"],
                    )
                )
                labels.append(record["event"])
    grouping = group_articles(articles, minilm_embedder)
    scores = bcubed(grouping.story_ids, labels)
    assert scores.precision == 1.0
    assert scores.f1 >= 0.9
