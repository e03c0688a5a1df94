from django.test import Client


def test_healthz_answers_any_host_without_the_database():
    # No db fixture: any query here would raise. The host is an address, as a load balancer probes.
    response = Client(HTTP_HOST="10.0.0.5").get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok"


def test_other_paths_still_check_the_host(db):
    assert Client(HTTP_HOST="10.0.0.5").get("/articles/").status_code == 400


def test_readyz_answers_any_host_once_the_database_answers(db):
    response = Client(HTTP_HOST="10.0.0.5").get("/readyz")
    assert response.status_code == 200
    assert response.content == b"ready"
