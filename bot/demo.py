"""`sopbot demo`: the bundled team, sample recommendations and the local web chat, on a
SQLite file, so anyone can see sopbot work in two minutes without Slack or Teams."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import uvicorn
from sqlalchemy import func, select

from bot.config import DEMO_CONFIG_PATH
from bot.runtime import Runtime, build_runtime
from bot.server import create_app
from bot.settings import Settings
from storage.models import Recommendation
from workflows.ingestion import validate_batch

SAMPLES_PATH = Path(__file__).parent / "data" / "demo_recommendations.json"


def demo_settings(data_dir: Path) -> Settings:
    return Settings(
        database_url=f"sqlite:///{data_dir / 'sopbot-demo.db'}",
        config_path=DEMO_CONFIG_PATH,
        api_open_for_demo=True,
        local_chat=True,
        tick_seconds=1.0,
    )


def seed(runtime: Runtime) -> int:
    """Load the sample recommendations through the same path the API uses (once)."""
    with runtime.database.transaction() as session:
        if session.scalar(select(func.count()).select_from(Recommendation)):
            return 0
    raw = json.loads(SAMPLES_PATH.read_text(encoding="utf-8"))
    items = validate_batch(config=runtime.config, raw_items=raw)
    return len(runtime.services.ingestor.ingest(items=items))


def run_demo(*, port: int = 8000, data_dir: Path | None = None) -> None:
    data_dir = data_dir or Path(tempfile.mkdtemp(prefix="sopbot-demo-"))
    data_dir.mkdir(parents=True, exist_ok=True)
    runtime = build_runtime(demo_settings(data_dir))
    count = seed(runtime)
    print(f"sopbot demo: {count} sample recommendations in {data_dir}")
    print(f"open http://127.0.0.1:{port}/chat  (Ctrl+C to stop)")
    uvicorn.run(create_app(runtime), host="127.0.0.1", port=port, log_level="warning")
