"""The sources API: what reviewers and editors read, editors' changes, and the rules they keep."""

import pytest

from annotate.chains import set_affiliation
from annotate.models import Source
from annotate.services import register_source

from .factories import kind, make_user
from .test_api import bearer

pytestmark = pytest.mark.django_db


@pytest.fixture
def registry():
    state = register_source(name="North Korean state", kind=kind("state_media"))
    kcna = register_source(name="KCNA", kind=kind("state_media"))
    kcna.aliases.create(name="Korean Central News Agency")
    set_affiliation(source=kcna, affiliation=state)
    informant = register_source(name="Kim Informant", kind=kind("in_country_informant"), sensitive=True)
    informant.aliases.create(name="Hyesan resident")
    network = register_source(name="Reporting network", kind=kind("outlet_reporting"))
    set_affiliation(source=network, affiliation=informant)
    return {"state": state, "kcna": kcna, "informant": informant, "network": network}


def test_reviewers_list_public_sources_with_masked_affiliations(registry):
    body = bearer(make_user("rita")).get("/api/sources").json()
    by_name = {item["name"]: item for item in body["results"]}
    assert set(by_name) == {"KCNA", "North Korean state", "Reporting network"}
    assert by_name["KCNA"] | {"id": 0} == {
        "id": 0,
        "name": "KCNA",
        "kind": "state_media",
        "aliases": ["Korean Central News Agency"],
        "sensitive": False,
        "affiliation": "North Korean state",
    }
    assert by_name["Reporting network"]["affiliation"] == "Protected source 1"
    assert "Kim Informant" not in str(body) and "Hyesan" not in str(body)


def test_a_protected_source_is_as_missing_as_one_that_does_not_exist(registry):
    client = bearer(make_user("rita"))
    hidden = client.get(f"/api/sources/{registry['informant'].pk}")
    missing = client.get("/api/sources/999999")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json()["detail"].replace(str(registry["informant"].pk), "N") == missing.json()["detail"].replace(
        "999999", "N"
    )


def test_editors_see_and_change_every_source(registry):
    client = bearer(make_user("ed", role="editor"))
    informant = client.get(f"/api/sources/{registry['informant'].pk}").json()
    assert (informant["name"], informant["aliases"], informant["sensitive"]) == (
        "Kim Informant",
        ["Hyesan resident"],
        True,
    )
    response = client.patch(
        f"/api/sources/{registry['kcna'].pk}",
        {"kind": "news_agency", "aliases": ["KCNA Watch"], "affiliation": None},
        "application/json",
    )
    assert response.status_code == 200, response.content
    assert response.json() | {"id": 0} == {
        "id": 0,
        "name": "KCNA",
        "kind": "news_agency",
        "aliases": ["KCNA Watch"],
        "sensitive": False,
        "affiliation": None,
    }


def test_an_affiliation_circle_or_unknown_name_is_refused_and_nothing_changes(registry):
    client = bearer(make_user("ed", role="editor"))
    circle = client.patch(f"/api/sources/{registry['state'].pk}", {"affiliation": "KCNA"}, "application/json")
    assert circle.status_code == 400 and "circle" in circle.json()["errors"]["affiliation"][0]
    itself = client.patch(
        f"/api/sources/{registry['state'].pk}", {"affiliation": "North Korean state"}, "application/json"
    )
    assert itself.status_code == 400 and "cannot belong to itself" in str(itself.json()), itself.json()
    unknown = client.patch(f"/api/sources/{registry['state'].pk}", {"affiliation": "Nobody"}, "application/json")
    assert unknown.json()["errors"] == {"affiliation": ["No source is called “Nobody”."]}
    taken = client.patch(f"/api/sources/{registry['state'].pk}", {"aliases": ["kcna"]}, "application/json")
    assert taken.status_code == 400
    assert Source.objects.get(pk=registry["state"].pk).affiliation_id is None
    assert not registry["state"].aliases.exists()


def test_reviewers_cannot_change_sources(registry):
    response = bearer(make_user("rita")).patch(
        f"/api/sources/{registry['kcna'].pk}", {"name": "Renamed"}, "application/json"
    )
    assert response.status_code == 403
    assert Source.objects.get(pk=registry["kcna"].pk).name == "KCNA"
