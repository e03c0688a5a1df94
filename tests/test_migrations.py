"""Migrations keep what is stored: free-text source names become sources, nothing is lost."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("annotate", "0003_claim_unique_per_annotator"), ("corpus", "0001_initial")]
AFTER = [("annotate", "0006_drop_claim_source_name")]


def migrated(target):
    """The database migrated to `target` (a list of (app, migration)), and the models as they are there."""
    executor = MigrationExecutor(connection)
    executor.migrate(target)
    return executor.loader.project_state(target).apps


@pytest.fixture(autouse=True)
def back_to_the_latest():
    """Every test leaves the database as the others expect it, whether or not it passed."""
    yield
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_source_names_become_sources_and_claims_keep_them():
    old = migrated(BEFORE)
    Article, Claim = old.get_model("corpus", "Article"), old.get_model("annotate", "Claim")
    Kind, User = old.get_model("annotate", "ProvenanceKind"), old.get_model("auth", "User")
    article = Article.objects.create(slug="a", title="A", text="KCNA said turnout was 99.63%.", text_sha256="x")
    user = User.objects.create(username="rita")
    # Get-or-create: an earlier transactional test may have flushed the seeded kinds.
    state = Kind.objects.get_or_create(slug="state_media", defaults={"label": "State media", "colour": "#D55E00"})[0]
    agency = Kind.objects.get_or_create(slug="news_agency", defaults={"label": "News agency", "colour": "#56B4E9"})[0]
    rows = [(0, 4, state, "KCNA"), (5, 9, agency, " kcna "), (10, 17, state, "Rodong Sinmun"), (18, 21, state, "")]
    for start, end, kind, name in rows:
        Claim.objects.create(
            article=article,
            start=start,
            end=end,
            exact=article.text[start:end],
            kind=kind,
            source_name=name,
            annotator=user,
            note=f"note {start}",
        )

    new = migrated(AFTER)
    Claim, Source = new.get_model("annotate", "Claim"), new.get_model("annotate", "Source")
    assert sorted(Source.objects.values_list("name", "kind__slug")) == [
        ("KCNA", "state_media"),
        ("Rodong Sinmun", "state_media"),
    ]
    claims = {c.start: c for c in Claim.objects.select_related("source")}
    assert claims[0].source.name == claims[5].source.name == "KCNA"
    assert claims[10].source.name == "Rodong Sinmun" and claims[18].source is None
    assert [claims[s].note for s in (0, 5, 10, 18)] == ["note 0", "note 5", "note 10", "note 18"]


@pytest.mark.django_db(transaction=True)
def test_names_get_their_key_and_two_that_now_compare_equal_both_stay():
    before, after = [("annotate", "0008_review_statuses")], [("annotate", "0009_name_keys_and_proposals")]
    old = migrated(before)
    Kind, Source, Fact = (old.get_model("annotate", name) for name in ("ProvenanceKind", "Source", "Fact"))
    state = Kind.objects.get_or_create(slug="state_media", defaults={"label": "State media", "colour": "#D55E00"})[0]
    # lower() told these apart; the new key (NFKC, case-folded) does not: full-width letters are letters.
    Source.objects.create(name="Kim Chol", kind=state)
    Source.objects.create(name="Ｋｉｍ Chol", kind=state)
    Fact.objects.create(statement="Turnout was 99.63%", slug="turnout")

    new = migrated(after)
    Source, Fact = new.get_model("annotate", "Source"), new.get_model("annotate", "Fact")
    keys = dict(Source.objects.values_list("name", "key"))
    assert keys["Kim Chol"] == "kim chol" and keys["Ｋｉｍ Chol"].startswith("kim chol #")
    assert Fact.objects.get().key == "turnout was 99.63%"


@pytest.mark.django_db(transaction=True)
def test_a_facts_address_that_holds_a_name_protected_since_loses_it():
    before, after = (
        [("annotate", "0018_relay_chain_on_claim")],
        [("annotate", "0019_fact_slugs_without_protected_names")],
    )
    old = migrated(before)
    Kind, Source, SourceAlias, Fact = (
        old.get_model("annotate", name) for name in ("ProvenanceKind", "Source", "SourceAlias", "Fact")
    )
    kind = Kind.objects.get_or_create(slug="in_country_informant", defaults={"label": "Informant", "colour": "#009E73"})
    source = Source.objects.create(name="Hyesan resident", key="hyesan resident", kind=kind[0], sensitive=True)
    SourceAlias.objects.create(source=source, name="Choe Myong-hui", key="choe myong-hui")
    Source.objects.create(name="Kim Il", key="kim il", kind=kind[0])  # public: its name stays
    rows = {
        "choe-myong-hui-confirmed-the-figures": "Choe Myong-hui confirmed the figures",
        "confirmed-the-figures": "The figures were confirmed",
        "kim-il-spoke": "Kim Il spoke",
        "choel-report": "The Choel report",
    }
    for slug, statement in rows.items():
        Fact.objects.create(slug=slug, statement=statement, key=statement.lower())

    Fact = migrated(after).get_model("annotate", "Fact")
    assert dict(Fact.objects.values_list("statement", "slug")) == {
        "Choe Myong-hui confirmed the figures": "confirmed-the-figures-2",
        "The figures were confirmed": "confirmed-the-figures",
        "Kim Il spoke": "kim-il-spoke",
        "The Choel report": "choel-report",
    }


@pytest.mark.django_db(transaction=True)
def test_protected_sources_keep_the_pseudonyms_they_had():
    before, after = [("annotate", "0019_fact_slugs_without_protected_names")], [("annotate", "0020_source_pseudonym")]
    old = migrated(before)
    Kind, Source = old.get_model("annotate", "ProvenanceKind"), old.get_model("annotate", "Source")
    kind = Kind.objects.get_or_create(slug="in_country_informant", defaults={"label": "Informant", "colour": "#009E73"})
    names = [("Kim", True), ("KCNA", False), ("Pak", True), ("Ri", True)]
    for name, sensitive in names:
        Source.objects.create(name=name, key=name.lower(), kind=kind[0], sensitive=sensitive)

    Source = migrated(after).get_model("annotate", "Source")
    assert dict(Source.objects.values_list("name", "pseudonym")) == {"Kim": 1, "KCNA": None, "Pak": 2, "Ri": 3}


@pytest.mark.django_db(transaction=True)
def test_claims_tagged_after_a_revision_point_into_the_text_they_were_tagged_on():
    before, after = [("annotate", "0020_source_pseudonym")], [("annotate", "0021_claim_revision_of_its_text")]
    old = migrated(before)
    Article, Revision = old.get_model("corpus", "Article"), old.get_model("corpus", "Revision")
    Claim, Kind = old.get_model("annotate", "Claim"), old.get_model("annotate", "ProvenanceKind")
    user = old.get_model("auth", "User").objects.create(username="rita")
    kind = Kind.objects.get_or_create(slug="state_media", defaults={"label": "State media", "colour": "#D55E00"})[0]
    texts = {1: "KCNA said turnout was high.", 2: "Rodong said turnout was high.", 3: "Turnout was high, said KCNA."}
    article = Article.objects.create(slug="a", title="A", text=texts[3], text_sha256="3", revision=3)
    for number in (1, 2):
        Revision.objects.create(article=article, number=number, text=texts[number], text_sha256=str(number))

    def claim(text, exact, **fields):  # stored as the default had it: revision 1
        start = text.index(exact)
        return Claim.objects.create(
            article=article, start=start, end=start + len(exact), exact=exact, kind=kind, annotator=user, **fields
        ).pk

    anchored = claim(texts[3], "said KCNA")
    tagged_on_two = claim(texts[2], "Rodong", orphaned=True)
    of_the_first = claim(texts[1], "KCNA", orphaned=True)
    nowhere = claim(texts[1], "KCNA said", orphaned=True)
    Claim.objects.filter(pk=nowhere).update(exact="Pyon said")  # a quote of the same length

    Claim = migrated(after).get_model("annotate", "Claim")
    revisions = dict(Claim.objects.values_list("pk", "revision"))
    assert revisions == {anchored: 3, tagged_on_two: 2, of_the_first: 1, nowhere: 1}


@pytest.mark.django_db(transaction=True)
def test_a_facts_address_that_spells_a_name_run_together_loses_it():
    before, after = (
        [("annotate", "0021_claim_revision_of_its_text")],
        [("annotate", "0022_fact_slugs_under_the_wider_rule")],
    )
    old = migrated(before)
    Kind, Source, Fact = (old.get_model("annotate", name) for name in ("ProvenanceKind", "Source", "Fact"))
    kind = Kind.objects.get_or_create(slug="in_country_informant", defaults={"label": "Informant", "colour": "#009E73"})
    Source.objects.create(name="Kim Chol-su", key="kim chol-su", kind=kind[0], sensitive=True, pseudonym=1)
    rows = {"kim-cholsu-confirmed-it": "Kim Cholsu confirmed it", "turnout-was-high": "Turnout was high"}
    for slug, statement in rows.items():
        Fact.objects.create(slug=slug, statement=statement, key=statement.lower())

    Fact = migrated(after).get_model("annotate", "Fact")
    assert dict(Fact.objects.values_list("statement", "slug")) == {
        "Kim Cholsu confirmed it": "confirmed-it",
        "Turnout was high": "turnout-was-high",
    }
