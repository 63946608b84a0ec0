"""The published contract says what the server does: documented statuses, the
project's error shape instead of FastAPI's default, every method of a path in `Allow`."""

from __future__ import annotations

import httpx

from tests.support.data import make_rec

ERROR_REF = "#/components/schemas/ErrorBody"


def test_openapi_documents_the_real_answers_in_the_project_error_shape(api: httpx.Client) -> None:
    spec = api.get("/openapi.json").json()
    paths = spec["paths"]
    expected = {
        ("/api/v1/recommendations", "post"): {"200", "201", "401", "403", "413", "415", "422"},
        ("/api/v1/recommendations", "get"): {"200", "401", "422"},
        ("/api/v1/recommendations/{recommendation_id}", "get"): {"200", "401", "404", "422"},
        ("/api/v1/recommendations/{recommendation_id}/decisions", "post"): {
            "201",
            "401",
            "403",
            "404",
            "409",
            "413",
            "415",
            "422",
        },
        ("/api/v1/outcomes", "post"): {"201", "401", "403", "404", "413", "415", "422"},
        ("/api/v1/reports/overrides", "get"): {"200", "401", "422"},
        ("/api/v1/readiness", "get"): {"200", "401"},
    }
    for (path, method), statuses in expected.items():
        statuses |= {"500", "503"}  # every route works on the database
        answers = paths[path][method]["responses"]
        assert set(answers) == statuses, (path, method)
        assert "Retry-After" in answers["503"]["headers"], (path, method)
        for status in statuses - {"200", "201"}:
            schema = answers[status]["content"]["application/json"]["schema"]
            assert schema == {"$ref": ERROR_REF}, (path, method, status)
    assert "HTTPValidationError" not in spec["components"]["schemas"]
    error = spec["components"]["schemas"]["ErrorItem"]["properties"]
    assert {"field", "message", "index"} <= set(error)


def test_invalid_json_on_decisions_answers_in_the_error_shape(
    api: httpx.Client, decider: httpx.Client
) -> None:
    rec_id = api.post("/api/v1/recommendations", json=make_rec()).json()["id"]
    response = decider.post(
        f"/api/v1/recommendations/{rec_id}/decisions",
        content=b"{nope",
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 422
    [problem] = response.json()["detail"]
    assert problem["field"] == "body" and "not valid JSON" in problem["message"]
    typed = decider.post(f"/api/v1/recommendations/{rec_id}/decisions", json={"action": 3})
    assert typed.status_code == 422
    assert {d["field"] for d in typed.json()["detail"]} == {"actor", "action"}


def test_options_and_405_list_every_method_of_a_path(api: httpx.Client) -> None:
    options = api.options("/api/v1/recommendations")
    assert options.status_code == 204
    assert options.headers["allow"] == "GET, OPTIONS, POST"
    assert api.options("/api/v1/recommendations/7").headers["allow"] == "GET, OPTIONS"
    wrong = api.delete("/api/v1/recommendations")
    assert wrong.status_code == 405 and wrong.headers["allow"] == "GET, OPTIONS, POST"
    assert wrong.json()["detail"][0]["field"] == "method"
    assert api.get("/no/such/path").status_code == 404


def test_openapi_names_the_token_each_operation_takes(api: httpx.Client) -> None:
    spec = api.get("/openapi.json").json()
    schemes = spec["components"]["securitySchemes"]
    assert schemes["ingestToken"] == schemes["ingestToken"] | {"type": "http", "scheme": "bearer"}
    assert schemes["decisionToken"]["scheme"] == "bearer"
    either = [{"ingestToken": []}, {"decisionToken": []}]
    expected = {
        ("/api/v1/recommendations", "post"): [{"ingestToken": []}],
        ("/api/v1/outcomes", "post"): [{"ingestToken": []}],
        ("/api/v1/recommendations/{recommendation_id}/decisions", "post"): [{"decisionToken": []}],
        ("/api/v1/recommendations", "get"): either,
        ("/api/v1/recommendations/{recommendation_id}", "get"): either,
        ("/api/v1/reports/overrides", "get"): either,
        ("/api/v1/readiness", "get"): either,
    }
    for (path, method), security in expected.items():
        assert spec["paths"][path][method]["security"] == security, (path, method)
    assert "security" not in spec["paths"]["/healthz"]["get"]  # the load balancer's, open
    assert "security" not in spec
