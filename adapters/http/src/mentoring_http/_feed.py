"""The store's event feed over HTTP: pages with opaque cursors, and a live stream (SSE).

Both are built on the public feed (:meth:`MentoringService.read` and
:meth:`MentoringService.follow`): a cursor stands for a position in the store's log,
so reading on from the last cursor seen skips nothing and repeats nothing. The stream
sends each event as it is recorded, with its cursor as the SSE ``id`` (a reconnecting
client sends it back as ``Last-Event-ID``), and a comment every
:data:`KEEP_ALIVE_SECONDS` while nothing happens. A stream ends when its token expires
(its ``exp`` plus the verifier's leeway), as a request with that token would be refused.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import concurrent.futures
import json
import logging
import threading
import time
from collections.abc import AsyncIterator
from typing import Annotated

from litestar import get
from litestar.di import NamedDependency
from litestar.params import HeaderParameter, QueryParameter
from litestar.response import ServerSentEvent, ServerSentEventMessage

from mentoring_core import Event
from mentoring_core.authorisation import Principal, Read, may_read_event
from mentoring_http.tokens import VerifiedToken

from ._access import Gate
from ._documents import FeedEvent, FeedPage, event_document
from ._problems import Problem, problem_responses

_log = logging.getLogger(__name__)

KEEP_ALIVE_SECONDS = 15.0
TOKEN_EXPIRED = "token expired"
"""The comment a stream ends with when its token is no longer accepted."""
POLL_SECONDS = 0.5
"""How often the stream looks for new events where the store does not push (SQLite)."""
_BACKLOG = 256
_PREFIX = "p:"
_LONGEST = len(_PREFIX) + 20
"""The longest text a cursor stands for: the prefix and a position of 20 digits."""


def cursor(position: int) -> str:
    """The opaque cursor of a log position."""
    return base64.urlsafe_b64encode(f"{_PREFIX}{position}".encode()).decode().rstrip("=")


def position(text: str | None, end: int) -> int:
    """The log position a cursor stands for (None or empty: the start of the log).
    Refused: a text the feed never gives (:func:`cursor` of its position is not that
    text), and a position beyond ``end``, the log's last position now: reading on from
    it would skip whatever is recorded up to it (a store restored from an older copy).
    A client at the end of the log holds ``end`` itself, which stays valid."""
    if not text:
        return 0
    at = _decoded(text)
    if at is None or cursor(at) != text:
        raise _bad_cursor(
            f"{text[:40]!r} is not a cursor this feed gave; read from the start without one"
        )
    if at > end:
        raise _bad_cursor(
            f"{text[:40]!r} is beyond the end of the log: the log ends at {cursor(end)} "
            "(the store may have been restored from an older copy); read on from there, "
            "or from the start without a cursor"
        )
    return at


def _decoded(text: str) -> int | None:
    """The position ``text`` decodes to, spelt as the feed does or not (None: none)."""
    try:
        decoded = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)).decode("ascii")
    except (ValueError, binascii.Error, UnicodeDecodeError):
        return None
    digits = decoded.removeprefix(_PREFIX)
    if digits == decoded or not digits.isdigit() or len(decoded) > _LONGEST:
        return None
    return int(digits)


def _bad_cursor(detail: str) -> Problem:
    return Problem(400, "bad-cursor", "Not a cursor of this feed", detail)


def _log_end(gate: Gate) -> int:
    """The position of the last event in the store's log (0 when there is none)."""
    return gate.service.store.recorder.max_notification_id() or 0


@get(
    "/events",
    sync_to_thread=True,
    operation_id="ReadEvents",
    responses=problem_responses(400, 401, 403),
    tags=["feed"],
)
def read_events(
    principal: NamedDependency[Principal],
    gate: NamedDependency[Gate],
    after: Annotated[
        str | None,
        QueryParameter(description="A cursor from a previous page; none: from the start."),
    ] = None,
    limit: Annotated[
        int, QueryParameter(ge=1, le=1000, description="At most this many events.")
    ] = 100,
) -> FeedPage:
    """The events recorded after a cursor, in the order they were stored."""
    gate.check(principal, Read.FEED)
    last = position(after, _log_end(gate))
    events = []
    for at, event in gate.service.read(after=last, limit=limit):
        last = at  # the cursor moves past events the reader may not see, too
        if may_read_event(principal, event):
            events.append(FeedEvent(cursor=cursor(at), event=event_document(event)))
    return FeedPage(events=tuple(events), next=cursor(last))


class Streams:
    """The live streams being served; :meth:`close` ends them all (at shutdown)."""

    def __init__(self) -> None:
        self._stops: set[threading.Event] = set()

    def open(self) -> threading.Event:
        stop = threading.Event()
        self._stops.add(stop)
        return stop

    def release(self, stop: threading.Event) -> None:
        stop.set()
        self._stops.discard(stop)

    def close(self) -> None:
        for stop in list(self._stops):
            stop.set()


async def _messages(
    gate: Gate, token: VerifiedToken, after: int, streams: Streams
) -> AsyncIterator[ServerSentEventMessage]:
    """Each event from ``after`` on that the token's principal may read, as SSE messages,
    until the client leaves or the token expires."""
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[tuple[int, Event] | None] = asyncio.Queue(_BACKLOG)
    stop = streams.open()

    def hand_over(item: tuple[int, Event] | None) -> bool:
        """Queue ``item`` for the client; False once the client has left."""
        handed = asyncio.run_coroutine_threadsafe(queue.put(item), loop)
        while not stop.is_set():
            try:
                handed.result(timeout=POLL_SECONDS)
                return True
            except concurrent.futures.TimeoutError:  # a slow client: the queue is full
                continue
        handed.cancel()
        return False

    def pump() -> None:  # in a thread: follow blocks
        try:
            for item in gate.service.follow(after, stop=stop, poll_interval=POLL_SECONDS):
                if not hand_over(item):
                    return
        except Exception:  # the store failed, or the loop is gone: the stream ends
            _log.warning("a live stream ended: its feed failed", exc_info=True)
        if not stop.is_set() and not loop.is_closed():
            hand_over(None)

    threading.Thread(target=pump, name="mentoring-sse", daemon=True).start()
    try:
        async for message in _delivered(queue, token):
            yield message
    finally:
        streams.release(stop)


async def _delivered(
    queue: asyncio.Queue[tuple[int, Event] | None], token: VerifiedToken
) -> AsyncIterator[ServerSentEventMessage]:
    """Each event handed over on ``queue`` that the token's principal may read, and a
    comment every :data:`KEEP_ALIVE_SECONDS` while nothing happens; until the feed ends
    (None) or the token is no longer accepted (then a last comment says so): the token
    is the stream's authority, as it is a request's."""
    while (left := token.expires_at - time.time()) > 0:
        try:
            item = await asyncio.wait_for(queue.get(), min(KEEP_ALIVE_SECONDS, left))
        except TimeoutError:
            if time.time() < token.expires_at:
                yield ServerSentEventMessage(comment="keep-alive", data=None)
            continue
        if item is None:
            return
        at, event = item
        if time.time() < token.expires_at and may_read_event(token.principal, event):
            yield ServerSentEventMessage(
                id=cursor(at), event=type(event).__name__, data=json.dumps(event_document(event))
            )
    yield ServerSentEventMessage(comment=TOKEN_EXPIRED, data=None)


@get(
    "/events/stream",
    operation_id="StreamEvents",
    responses=problem_responses(400, 401, 403),
    tags=["feed"],
)
async def stream_events(
    verified_token: NamedDependency[VerifiedToken],
    gate: NamedDependency[Gate],
    streams: NamedDependency[Streams],
    after: Annotated[
        str | None, QueryParameter(description="A cursor; none: from the start of the log.")
    ] = None,
    last_event_id: Annotated[
        str | None,
        HeaderParameter(
            name="Last-Event-ID", description="Sent by a reconnecting client.", required=False
        ),
    ] = None,
) -> ServerSentEvent:
    """Server-Sent Events: every event from the cursor on, then each new one as it is
    recorded, until the token expires."""
    gate.check(verified_token.principal, Read.FEED)
    # the log's end is read off the event loop: a slow store must not hold up the others
    end = await asyncio.to_thread(_log_end, gate)
    start = position(last_event_id or after, end)
    return ServerSentEvent(_messages(gate, verified_token, start, streams))
