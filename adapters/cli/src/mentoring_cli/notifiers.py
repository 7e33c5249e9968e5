"""The reminder notifiers: e-mail over SMTP and signed webhooks (the
:class:`mentoring_core.reminders.Notifier` port). They do I/O, so they live here in the
command-line adapter, not in the core.

Both give the receiver the reminder's stable id on every attempt (an e-mail's
``Message-ID``, a webhook's ``webhook-id``): a reminder sent again after an interrupted
run is the same message under the same id, which the receiver can drop.
"""

from __future__ import annotations

import base64
import email.policy
import hashlib
import hmac
import http.client
import json
import smtplib
import socket
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from contextlib import closing, suppress
from datetime import UTC, datetime
from email.errors import NonASCIILocalPartDefect
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit
from uuid import UUID

import attrs

from mentoring_core import redact
from mentoring_core.reminders import Notice, NotSent

TIMEOUT_SECONDS = 10.0
"""How long a mail server or a webhook receiver is given to answer."""
SEND_SECONDS = 60.0
"""How long one reminder's send may take in all (resolving the server's name, trying its
addresses, and every exchange): a server that trickles its answers, each byte within
:data:`TIMEOUT_SECONDS`, or a name whose addresses do not answer a connection, each
tried for :data:`TIMEOUT_SECONDS`, is cut off then, rather than holding the run (and
the programme's reminder lock) as long as it likes."""


class _Deadline:
    """Bounds one send by :data:`SEND_SECONDS` in all, from entering the block: connecting
    (:meth:`connect`: the name resolved, each of its addresses tried) within the time
    left, and the connections it made cut off once the time is up: their sockets are shut
    down, so whatever waits on them ends with an error; :attr:`passed` then tells why.

    Why not the sockets' timeout: it bounds each read, not the exchange, and smtplib and
    http.client read as long as something arrives; and each address tried, each for as
    long as the timeout."""

    def __init__(self) -> None:
        self.passed = False
        self._seconds = SEND_SECONDS
        self._ends = time.monotonic() + self._seconds
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(self._seconds, self._cut)
        self._timer.daemon = True

    def connect(
        self, address: tuple[str, int], timeout: Any = None, source_address: Any = None
    ) -> socket.socket:
        """``socket.create_connection`` within the time left: each address tried for at
        most ``timeout`` seconds and never past the deadline, the socket then cut off at
        it; once the time is up, :attr:`passed` is set and ``TimeoutError`` raised."""
        given = timeout if isinstance(timeout, int | float) else socket.getdefaulttimeout()
        error: OSError = TimeoutError(f"no connection within {self._seconds:g} s")
        for family, kind, protocol, _, where in self._resolve(*address):
            left = self._left()
            if left <= 0.0:
                break
            sock = socket.socket(family, kind, protocol)
            try:
                sock.settimeout(left if given is None else min(given, left))
                if source_address:
                    sock.bind(source_address)
                sock.connect(where)
            except OSError as failed:
                sock.close()
                error = failed
                continue
            sock.settimeout(given)
            with self._lock:
                self._sockets.append(sock)
                if self.passed:
                    _shut(sock)
            return sock
        if self._left() <= 0.0:
            self._cut()
        raise error

    def _resolve(self, host: str, port: int) -> list[Any]:
        """``host``'s addresses for a connection to ``port``, asked of the resolver in a
        thread of its own, so that a resolver slower than the time left is not waited for
        (the thread ends when the resolver answers); once the time is up, :attr:`passed`
        is set and ``TimeoutError`` raised."""
        found: list[Any] = []

        def look_up() -> None:
            try:
                found.append(socket.getaddrinfo(host, port, 0, socket.SOCK_STREAM))
            except Exception as error:  # raised again below, in the sending thread
                found.append(error)

        resolving = threading.Thread(target=look_up, name="reminder-resolver", daemon=True)
        resolving.start()
        resolving.join(max(self._left(), 0.0))
        if resolving.is_alive():
            self._cut()
            raise TimeoutError(f"{host!r} not resolved within {self._seconds:g} s")
        (answer,) = found
        if isinstance(answer, Exception):
            raise answer
        return list(answer)

    def _left(self) -> float:
        """The seconds left until the deadline (0 or less: none)."""
        return self._ends - time.monotonic()

    def _cut(self) -> None:
        with self._lock:
            self.passed = True
            for sock in self._sockets:
                _shut(sock)

    def __enter__(self) -> _Deadline:
        self._timer.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._timer.cancel()


def _shut(sock: socket.socket) -> None:
    with suppress(OSError):  # already closed by its user
        sock.shutdown(socket.SHUT_RDWR)


class _SMTP(smtplib.SMTP):
    """smtplib's client, its connection cut off at ``deadline``."""

    def __init__(self, host: str, port: int, deadline: _Deadline) -> None:
        self._deadline = deadline  # before smtplib's __init__, which connects
        super().__init__(host, port, timeout=TIMEOUT_SECONDS)

    def _get_socket(self, host: str, port: int, timeout: float) -> socket.socket:
        return self._deadline.connect((host, port), timeout, self.source_address)


def message_id(reminder_id: UUID, sender: str) -> str:
    """The e-mail ``Message-ID`` of a reminder: the same on every attempt."""
    domain = parseaddr(sender)[1].rpartition("@")[2] or "mentoring.invalid"
    return f"<reminder-{reminder_id}@{domain}>"


def one_address(text: str, *, utf8: bool = False) -> bool:
    """True when ``text`` is exactly one e-mail address (``a@b.example``, or with a name:
    ``Name <a@b.example>``), as an e-mail's ``From`` or ``To`` header parses it without a
    defect; with ``utf8``, its local part may be UTF-8 (a server taking SMTPUTF8 delivers
    to it: a recipient, whom another reminder may reach though one server cannot)."""
    if any(c in text for c in "\r\n"):
        return False
    try:
        header = email.policy.default.header_factory("From", text)
        addresses = header.addresses
    except Exception:  # the parser fails on some texts ('a@': IndexError; 'a@[b': ...)
        return False
    return (
        all(utf8 and isinstance(d, NonASCIILocalPartDefect) for d in header.defects)
        and len(addresses) == 1
        and bool(addresses[0].username and addresses[0].domain)
    )


def host_fault(host: str) -> str | None:
    """Why the resolver cannot take ``host`` (None: it can): the name's IDNA encoding,
    which the resolver makes first, fails (``UnicodeError``, neither an ``OSError`` nor a
    refused send) on an empty label (``hooks..example``) or one past 63 characters."""
    try:
        host.encode("idna")
    except UnicodeError:
        return (
            f"its host {host!r} is no host name: it has an empty label or one longer than "
            "63 characters, or a character no host name holds"
        )
    return None


def _smtp_host(instance: object, attribute: attrs.Attribute[str], host: str) -> None:
    why = host_fault(host)
    if why is not None:
        raise ValueError(f"{host!r} cannot be a mail server's: {why}")


@attrs.frozen(kw_only=True)
class SmtpNotifier:
    """Sends each reminder as one e-mail to the contact recorded on enrolment (those
    without one e-mail address there, :func:`one_address`, are not reached)."""

    host: str = attrs.field(validator=_smtp_host)
    """A host name the resolver takes, or an address (:func:`host_fault`); another is
    refused with ``ValueError``."""
    port: int
    sender: str

    @property
    def channel(self) -> str:
        return "email"

    def reaches(self, address: str | None) -> bool:
        return address is not None and one_address(address, utf8=True)

    def send(self, notice: Notice) -> None:
        if notice.address is None or not one_address(notice.address, utf8=True):
            raise NotSent(f"no e-mail address recorded for {notice.person_id}")
        message = EmailMessage()
        message["From"] = self.sender
        message["To"] = notice.address
        message["Subject"] = notice.subject
        message["Message-ID"] = message_id(notice.reminder_id, self.sender)
        message["Date"] = format_datetime(datetime.now(UTC))
        message.set_content(notice.text)
        with _Deadline() as deadline:
            try:
                with closing(_SMTP(self.host, self.port, deadline)) as smtp:
                    smtp.send_message(message)
                    with suppress(smtplib.SMTPException, OSError):  # accepted: QUIT changes nothing
                        smtp.quit()
            except (smtplib.SMTPException, OSError) as error:
                if deadline.passed:
                    raise NotSent(
                        f"the mail server {self.host}:{self.port} did not finish taking the "
                        f"e-mail within {SEND_SECONDS:g} s"
                    ) from None
                raise NotSent(
                    f"the mail server {self.host}:{self.port} refused: {_refusal(error)}"
                ) from None


def _refusal(error: smtplib.SMTPException | OSError) -> str:
    """A mail server's refusal as its answer reads (``550 5.1.1 ...``), the recipient
    named; a permanent one (5xx) says that ``reminders abandon`` gives it up."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        refused = error.recipients.items()
        said = "; ".join(f"{address}: {code} {_text(text)}" for address, (code, text) in refused)
        return said + _for_good(min(code for _, (code, _) in refused))
    if isinstance(error, smtplib.SMTPResponseException):
        return f"{error.smtp_code} {_text(error.smtp_error)}" + _for_good(error.smtp_code)
    return str(error)


def _text(said: bytes | str) -> str:
    """What a server said, as text to show the operator: each character that is not
    printable (an escape sequence's ESC, a bell, a line break) written as Python writes it
    in a string (``\\x1b``), so that a server's words cannot clear or rewrite their
    terminal, and each notice stays one line."""
    text = said.decode("utf-8", "replace") if isinstance(said, bytes) else said
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


def _for_good(code: int) -> str:
    return (
        " (a refusal for good: 'mentoring reminders abandon' gives the reminder up)"
        if 500 <= code < 600
        else ""
    )


# Standard Webhooks (https://www.standardwebhooks.com): the signature is the base64
# HMAC-SHA256, under the secret's bytes, of "<webhook-id>.<webhook-timestamp>.<body>",
# sent as "v1,<signature>". Written here with hmac rather than with the `standardwebhooks`
# package: that package is not in the project's environment, and the scheme is these
# few lines (checked against the specification's example in the tests).

SECRET_PREFIX = "whsec_"


def webhook_key(secret: str) -> bytes:
    """The key bytes of a Standard Webhooks secret (``whsec_`` then base64)."""
    text = secret.strip().removeprefix(SECRET_PREFIX)
    try:
        key = base64.b64decode(text, validate=True)
    except ValueError:
        raise ValueError(
            "a webhook secret is 'whsec_' followed by base64 (at least 24 bytes)"
        ) from None
    if len(key) < 24:
        raise ValueError("a webhook secret is 'whsec_' followed by base64 (at least 24 bytes)")
    return key


def webhook_signature(key: bytes, webhook_id: str, timestamp: int, body: bytes) -> str:
    """The ``webhook-signature`` header's value: ``v1,<base64 HMAC-SHA256>``."""
    signed = f"{webhook_id}.{timestamp}.".encode() + body
    digest = hmac.new(key, signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def read_secret(path: Path) -> bytes:
    """The webhook key from a secret file (one line: ``whsec_...``)."""
    return webhook_key(path.read_text(encoding="utf-8"))


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """Follows no redirect: urllib would follow a 301, 302 or 303 answer to a ``POST``
    as a ``GET`` without the body, elsewhere, and take a 2xx there for delivery."""

    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None  # the answer stays the 3xx, an HTTPError


def _cut_off_at(
    deadline: _Deadline, connection: type[http.client.HTTPConnection]
) -> Callable[..., http.client.HTTPConnection]:
    """http.client's ``connection`` class as urllib makes one, connecting through the
    deadline (its ``_create_connection``, which http.client's connect calls, for HTTP
    and under TLS alike)."""

    def made(host: str, **options: Any) -> http.client.HTTPConnection:
        made = connection(host, **options)
        made._create_connection = deadline.connect  # type: ignore[attr-defined]
        return made

    return made


class _CutOff(urllib.request.HTTPHandler, urllib.request.HTTPSHandler):
    """urllib's handler of ``http`` and ``https`` URLs (in place of both of its own), its
    connections cut off at ``deadline``."""

    def __init__(self, deadline: _Deadline) -> None:
        urllib.request.HTTPSHandler.__init__(self)
        self._deadline = deadline

    def http_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(_cut_off_at(self._deadline, http.client.HTTPConnection), req)

    def https_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(_cut_off_at(self._deadline, http.client.HTTPSConnection), req)


def _opener(deadline: _Deadline) -> urllib.request.OpenerDirector:
    """An opener of ``http`` and ``https`` URLs only (urllib's ``build_opener`` adds its
    file, data and FTP handlers too: a ``file:`` URL would "answer"), following no
    redirect, its connections cut off at ``deadline``; any other URL is refused."""
    opener = urllib.request.OpenerDirector()
    for handler in (
        urllib.request.UnknownHandler(),
        urllib.request.HTTPDefaultErrorHandler(),
        _NoRedirects(),
        _CutOff(deadline),
        urllib.request.HTTPErrorProcessor(),
    ):
        opener.add_handler(handler)
    return opener


def webhook_url_fault(url: object) -> str | None:
    """Why ``url`` cannot be a webhook's (no request could be made to it), or None."""
    why = _url_fault(url) if isinstance(url, str) else ""
    shown = redact(url) if isinstance(url, str) else url
    return None if why is None else f"{shown!r} is not an http(s) URL{why}"


def _url_fault(webhook: str) -> str | None:
    """What keeps ``webhook`` from being an http(s) URL with a host the resolver takes,
    no user name or password (no request would carry them: urllib takes them for part of
    the host), a port from 1 to 65535 and only printable ASCII without spaces (None:
    nothing)."""
    try:
        parts = urlsplit(webhook)
    except ValueError:  # an unclosed '[' (Invalid IPv6 URL)
        return ""
    if parts.scheme not in ("http", "https"):
        return ""
    if not parts.hostname:
        return ": it names no host"
    if "@" in parts.netloc:
        return ": it holds a user name or password (before '@'), which no request carries"
    try:
        port = parts.port
    except ValueError:  # not a number, or past 65535
        port = 0
    if port == 0:
        return ": its port is not a number from 1 to 65535"
    odd = next((c for c in webhook if not (c.isascii() and c.isprintable()) or c == " "), None)
    if odd is not None:
        return f": it holds {odd!r} (a URL is printable ASCII without spaces: percent-encode)"
    why = host_fault(parts.hostname)
    return None if why is None else f": {why}"


def _webhook_url(instance: object, attribute: attrs.Attribute[str], url: str) -> None:
    why = webhook_url_fault(url)
    if why is not None:
        raise ValueError(why)


@attrs.frozen(kw_only=True)
class WebhookNotifier:
    """POSTs each reminder as JSON to one URL, signed by the Standard Webhooks
    convention; any 2xx answer is delivery, whatever its body (a redirect is not
    followed: it is refused)."""

    url: str = attrs.field(validator=_webhook_url)
    """An http(s) URL with a host, printable ASCII without spaces
    (:func:`webhook_url_fault`); another is refused with ``ValueError``."""
    key: bytes = attrs.field(repr=False)

    @property
    def channel(self) -> str:
        return "webhook"

    def reaches(self, address: str | None) -> bool:
        return True  # the receiver maps person ids to people

    def send(self, notice: Notice) -> None:
        body = json.dumps(notice.payload, sort_keys=True, separators=(",", ":")).encode()
        webhook_id = str(notice.reminder_id)
        timestamp = int(time.time())
        request = urllib.request.Request(
            self.url,
            data=body,
            method="POST",
            headers={
                "Content-Type": "application/json",
                "webhook-id": webhook_id,
                "webhook-timestamp": str(timestamp),
                "webhook-signature": webhook_signature(self.key, webhook_id, timestamp, body),
            },
        )
        with _Deadline() as deadline:
            try:
                self._post(request, deadline)
            except NotSent:
                if not deadline.passed:
                    raise
            else:  # a 2xx read whole, not one cut short (its headers ended by the cut)
                if not deadline.passed:
                    return
        raise NotSent(
            f"the webhook receiver {self.url} did not finish answering within {SEND_SECONDS:g} s"
        )

    def _post(self, request: urllib.request.Request, deadline: _Deadline) -> None:
        try:
            _opener(deadline).open(request, timeout=TIMEOUT_SECONDS).close()  # 2xx: body unread
        except urllib.error.HTTPError as error:
            location = error.headers.get("Location")
            moved = "" if location is None else f" (to {_text(location)}: give --webhook that URL)"
            raise NotSent(f"the webhook receiver {self.url} answered {error.code}{moved}") from None
        except (urllib.error.URLError, OSError) as error:
            raise NotSent(
                f"the webhook receiver {self.url} could not be reached: {error}"
            ) from None
        except http.client.HTTPException as error:  # a status line or headers not HTTP's
            raise NotSent(
                f"the webhook receiver {self.url} gave an answer that is not HTTP: {error!r}"
            ) from None
