"""`sopbot demo`: the bundled team, sample recommendations and the local web chat, on a
SQLite file, so anyone can see sopbot work in two minutes without Slack or Teams."""

from __future__ import annotations

import json
import tempfile
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import uvicorn
from sqlalchemy import func, select

from bot.demo_context import seed_rules
from bot.demo_history import seed_history
from bot.runtime import Runtime, build_runtime
from bot.server import create_app
from bot.settings import Settings
from core.config import DEMO_CONFIG_PATH
from storage.models import Recommendation
from workflows.intake import ingest, validate_batch

SAMPLES_PATH = Path(__file__).parent / "data" / "demo_recommendations.json"
TIME_FIELDS = ("event_time", "recorded_time", "respond_by")
NEWEST_AGE = timedelta(minutes=4)


def demo_settings(data_dir: Path) -> Settings:
    return Settings(
        database_url=f"sqlite:///{data_dir / 'sopbot-demo.db'}",
        config_path=DEMO_CONFIG_PATH,
        api_open_for_demo=True,
        local_chat=True,
        tick_seconds=1.0,
    )


def shifted(raw: list[dict[str, Any]], now: datetime) -> list[dict[str, Any]]:
    """The samples with their times moved so the newest was recorded minutes before
    `now`: the data-freshness lines then read like this morning's feed, whenever the
    demo runs. The file itself stays a valid API payload with fixed times."""
    recorded = [datetime.fromisoformat(r["recorded_time"]) for r in raw if r.get("recorded_time")]
    if not recorded:
        return raw
    shift = now - NEWEST_AGE - max(recorded)
    return [
        {
            k: ((datetime.fromisoformat(v) + shift).isoformat() if k in TIME_FIELDS and v else v)
            for k, v in item.items()
        }
        for item in raw
    ]


def seed(runtime: Runtime) -> int:
    """Load the sample recommendations through the same path the API uses, and the
    demo's decided past with its outcomes (once)."""
    with runtime.database.transaction() as session:
        if session.scalar(select(func.count()).select_from(Recommendation)):
            return 0
    raw = shifted(json.loads(SAMPLES_PATH.read_text(encoding="utf-8")), runtime.clock.now())
    items = validate_batch(config=runtime.config, raw_items=raw, now=runtime.clock.now())
    seed_history(runtime)
    return len(ingest(runtime.services, items=items))


def prepare_demo(data_dir: Path) -> tuple[Runtime, int]:
    """The demo's runtime with its samples loaded: what `run_demo` serves (tests too)."""
    data_dir.mkdir(parents=True, exist_ok=True)
    runtime = build_runtime(demo_settings(data_dir))
    seed_rules(runtime)
    return runtime, seed(runtime)


def run_demo(*, port: int = 8000, data_dir: Path | None = None) -> None:
    data_dir = data_dir or Path(tempfile.mkdtemp(prefix="sopbot-demo-"))
    runtime, count = prepare_demo(data_dir)
    loaded = f"{count} sample recommendations loaded" if count else "reusing the demo data"
    print(f"sopbot demo: {loaded} in {data_dir}")
    print(f"open http://127.0.0.1:{port}/chat  (Ctrl+C to stop)")
    uvicorn.run(create_app(runtime), host="127.0.0.1", port=port, log_level="warning")
