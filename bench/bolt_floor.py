"""The floor of `bench.clicks`: a bare Bolt app served the way `sopbot serve` serves,
FastAPI + uvicorn + slack_bolt's starlette request/response conversion, with one listener
that only acks. Bolt's sync dispatch runs in the thread pool, as in sopbot: slack_bolt's
own `SlackRequestHandler.handle` calls it on the event loop, which serialises a burst
behind Bolt's 10 ms ack polling (measured: p50 about 950 ms for 100 concurrent clicks),
a floor far too easy to beat.

Run as `python -m bench.bolt_floor PORT SLACK_API_URL SIGNING_SECRET`; the bench starts it."""

from __future__ import annotations

import re
import sys

import uvicorn
from fastapi import FastAPI, Request, Response
from slack_bolt import Ack, App
from slack_bolt.adapter.starlette.handler import to_bolt_request, to_starlette_response
from slack_sdk import WebClient
from starlette.concurrency import run_in_threadpool


def build(*, api_url: str, signing_secret: str) -> FastAPI:
    bolt = App(
        client=WebClient(token="xoxb-bench-token", base_url=api_url),
        signing_secret=signing_secret,
        token_verification_enabled=False,
        process_before_response=False,
    )

    def only_ack(ack: Ack) -> None:
        ack()

    bolt.action(re.compile(".*"))(only_ack)
    web = FastAPI()

    @web.post("/slack/events")
    async def events(request: Request) -> Response:
        body = await request.body()
        response = await run_in_threadpool(bolt.dispatch, to_bolt_request(request, body))
        return to_starlette_response(response)

    @web.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    return web


if __name__ == "__main__":
    port, api_url, secret = sys.argv[1], sys.argv[2], sys.argv[3]
    uvicorn.run(
        build(api_url=api_url, signing_secret=secret),
        host="127.0.0.1",
        port=int(port),
        log_level="warning",
    )
