"""GET /api/v1/reports/overrides over the known history: filters, the small-sample
sentence in place of a fraction, fields named on bad input, the bearer token."""

from __future__ import annotations

import httpx

from bot.runtime import Runtime
from tests.support.history import write_history
from tests.support.live import LOOPBACK_TLS


def test_api_report_filters_and_errors(api: httpx.Client, runtime: Runtime) -> None:
    write_history(runtime.database)
    response = api.get(
        "/api/v1/reports/overrides", params={"type": "stockout_risk", "since": "2026-11-30"}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["window"] == {"since": "2026-11-30", "until": None, "type": "stockout_risk"}
    assert body["scopes"]["stockout_risk"]["override_wins"]["win_rate"] == "n too small (n=4)"
    assert (
        api.get("/api/v1/reports/overrides", params={"since": "2026-12-01"}).json()["scopes"][
            "all"
        ]["volume"]["received"]
        == 0
    )
    bad = api.get("/api/v1/reports/overrides", params={"type": "nope"})
    assert bad.status_code == 422 and bad.json()["detail"][0]["field"] == "type"
    bad = api.get("/api/v1/reports/overrides", params={"since": "soon"})
    assert bad.status_code == 422 and bad.json()["detail"][0]["field"] == "since"
    unauthorised = httpx.get(f"{api.base_url}/api/v1/reports/overrides", verify=LOOPBACK_TLS)
    assert unauthorised.status_code == 401
