"""The pytest plugin: one emulator per test session, reset before each test that asks for it.

pytest loads this module through the `pytest11` entry point wherever paragon-emulator is
installed, so every pytest run of every project that has the package imports it. Importing it
must stay cheap: the emulator, uvicorn, httpx and starlette are imported only inside fixtures.

Fixtures (see docs/pytest-plugin.md):

- `paragon_emulator`: the session's emulator, reset for this test. `base_url` (the HTTP server on
  127.0.0.1 starts on first use), `emulator` (the `Emulator` control object), `requests` (what
  reached the app in this test), and `advance`, `set_clock`, `load_scenario`, `change_upstream`,
  `size_upstream`, `token`, `headers`, `client`, `trigger`, `configure_webhooks`, `webhook_log`,
  `events`, `inject_sync_fault`, `inject_api_fault`, `clear_faults`, `contract_report`, `reset`.
- `paragon_token`: a factory of Paragon User Tokens.
- `paragon_client` / `paragon_client_for`: httpx clients with the base URL and a user's token.
- `paragon_webhooks`: a signature-checking webhook receiver with `wait_for(event, sync_id, timeout)`.
- `paragon_asgi_client` / `paragon_async_client`: the same API with no socket (ASGI transport).

Options: `--paragon-seed`, `--paragon-clock-mode`, `--paragon-clock-start`, `--paragon-strict-client`
(and the ini keys `paragon_seed`, `paragon_clock_mode`, `paragon_clock_start`,
`paragon_strict_client`); the `paragon_settings` fixture for any other setting; the markers
`@pytest.mark.paragon_scenario("crm")` and `@pytest.mark.paragon_allow_invalid_requests`.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, Callable, Iterator, NamedTuple

import pytest

if TYPE_CHECKING:
    import ssl

    import httpx
    from starlette.testclient import TestClient

    from .emulator import Emulator

DEFAULT_USER = "alice"
CLOCK_MODES = ("manual", "real", "accelerated")
ASGI_BASE_URL = "http://testserver"
# The receiver's signing secret (Standard Webhooks form); any test may read it from the fixture.
WEBHOOK_SECRET = "whsec_cGFyYWdvbi1lbXVsYXRvci1weXRlc3QtcmVjZWl2ZXI="


# -- options and markers -----------------------------------------------------------------------
def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("paragon", "paragon-emulator (the Paragon Managed Sync emulator)")
    group.addoption(
        "--paragon-seed", dest="paragon_seed", default=None, metavar="N",
        help="seed of every id and generated datum of the session's emulator (ini: paragon_seed; default 0)",
    )
    group.addoption(
        "--paragon-clock-mode", dest="paragon_clock_mode", default=None, choices=CLOCK_MODES,
        help="the emulator's clock: manual (default; time moves only when a test advances it), real or accelerated "
        "(ini: paragon_clock_mode)",
    )
    group.addoption(
        "--paragon-clock-start", dest="paragon_clock_start", default=None, metavar="ISO8601",
        help="emulated time at the start of every test (ini: paragon_clock_start; default: the session's start time)",
    )
    group.addoption(
        "--paragon-strict-client", dest="paragon_strict_client", action="store_true", default=None,
        help="fail a test whose client sent the emulator an invalid request, naming the violations "
        "(ini: paragon_strict_client; opt a test out with @pytest.mark.paragon_allow_invalid_requests)",
    )
    parser.addini("paragon_seed", "seed of the paragon-emulator session (default 0)", default="0")
    parser.addini("paragon_clock_mode", "paragon-emulator clock mode: manual, real or accelerated", default="manual")
    parser.addini("paragon_clock_start", "emulated time each test starts at (ISO 8601)", default="")
    parser.addini("paragon_strict_client", "fail tests whose client sent invalid requests", type="bool", default=False)


@dataclass(frozen=True)
class Options:
    seed: int
    clock_mode: str
    clock_start: datetime
    strict_client: bool = False


_OPTIONS = pytest.StashKey[Options]()
_USED = pytest.StashKey["ParagonEmulator"]()


def _read_options(config: pytest.Config) -> Options:
    def value(name: str) -> str:
        given = config.getoption(name)
        return str(given) if given is not None else str(config.getini(name)).strip()

    seed_text, mode, start_text = value("paragon_seed"), value("paragon_clock_mode"), value("paragon_clock_start")
    try:
        seed = int(seed_text)
        if seed < 0:
            raise ValueError
    except ValueError:
        raise pytest.UsageError(f"--paragon-seed / paragon_seed must be an integer >= 0, not {seed_text!r}") from None
    if mode not in CLOCK_MODES:
        raise pytest.UsageError(f"--paragon-clock-mode / paragon_clock_mode must be one of {', '.join(CLOCK_MODES)}, not {mode!r}")
    if start_text:
        try:
            start = datetime.fromisoformat(start_text.replace("Z", "+00:00"))
        except ValueError:
            raise pytest.UsageError(
                f"--paragon-clock-start / paragon_clock_start must be an ISO 8601 time, not {start_text!r}"
            ) from None
        if start.tzinfo is None:
            start = start.replace(tzinfo=timezone.utc)
    else:
        start = datetime.now(timezone.utc).replace(microsecond=0)
    strict = config.getoption("paragon_strict_client")
    strict_client = bool(strict if strict is not None else config.getini("paragon_strict_client"))
    return Options(seed, mode, start, strict_client)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "paragon_scenario(name, ...): load these paragon-emulator scenarios (bundled names or .yaml paths) "
        "into the emulator before the test",
    )
    config.addinivalue_line(
        "markers",
        "paragon_allow_invalid_requests: this test sends invalid requests on purpose (--paragon-strict-client "
        "does not fail it)",
    )
    config.stash[_OPTIONS] = _read_options(config)


# -- the request log ---------------------------------------------------------------------------
class LoggedRequest(NamedTuple):
    method: str
    path: str
    status: int | None  # None when the app raised before answering
    query: str


class _RequestLog:
    """ASGI middleware: records each HTTP request's method, path, query and response status."""

    def __init__(self, app: Any, log: list[LoggedRequest]):
        self.app = app
        self.log = log

    async def __call__(self, scope: dict, receive: Callable, send: Callable) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        status: int | None = None
        logged = False

        def note() -> None:
            nonlocal logged
            logged = True
            query = scope.get("query_string", b"").decode("latin-1")
            self.log.append(LoggedRequest(scope["method"], scope["path"], status, query))

        async def send_and_note(message: dict) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            elif message["type"] == "http.response.body" and not message.get("more_body") and not logged:
                note()  # before the last byte leaves: a client that has its answer sees the entry
            await send(message)

        try:
            await self.app(scope, receive, send_and_note)
        finally:
            if not logged:
                note()


# -- the session's emulator ----------------------------------------------------------------------
class ParagonEmulator:
    """The session's emulator as a test sees it: control from Python, and its HTTP server."""

    def __init__(self, emulator: "Emulator", options: Options):
        from .app import create_app

        self.emulator = emulator
        self.options = options
        self.requests: list[LoggedRequest] = []
        self.app = _RequestLog(create_app(emulator), self.requests)
        self.scenarios: tuple[str, ...] = ()
        self._after_reset: list[Callable[[], None]] = []
        self._server: Any = None
        self._thread: threading.Thread | None = None
        self._sock: Any = None
        self._base_url: str | None = None
        self._start_lock = threading.Lock()
        self._ssl_context: "ssl.SSLContext | None" = None

    # -- the HTTP server (started on first use, so ASGI-only sessions open no socket) ----------
    @property
    def base_url(self) -> str:
        """http://127.0.0.1:<port> of the session's server."""
        if self._base_url is None:
            with self._start_lock:
                if self._base_url is None:
                    self._start_server()
        assert self._base_url is not None
        return self._base_url

    @property
    def listening(self) -> bool:
        """Whether the HTTP server has been started (ASGI-only tests never start it)."""
        return self._base_url is not None

    @property
    def port(self) -> int:
        return int(self.base_url.rsplit(":", 1)[1])

    def url(self, path: str) -> str:
        return self.base_url + path

    def _start_server(self) -> None:
        import uvicorn

        from .listening import listening_socket

        sock = listening_socket("127.0.0.1", 0)
        port = sock.getsockname()[1]
        config = uvicorn.Config(
            self.app, log_config=None, log_level="warning", access_log=False, lifespan="on",
            timeout_graceful_shutdown=1,
        )
        server = uvicorn.Server(config)
        thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name="paragon-emulator", daemon=True)
        thread.start()
        deadline = time.monotonic() + 10
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                server.should_exit = True
                sock.close()
                raise RuntimeError("the paragon-emulator server did not start (see the captured log)")
            time.sleep(0.001)
        self._server, self._thread, self._sock = server, thread, sock
        self._base_url = f"http://127.0.0.1:{port}"

    def close(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
            assert self._thread is not None
            self._thread.join(timeout=5)
            self._sock.close()
            self._server = self._thread = self._base_url = None
        self.emulator.close()

    # -- the per-test reset -----------------------------------------------------------------------
    def reset(self) -> None:
        """Back to the state the test started in: no syncs, no events, the clock at its start.

        The test's `paragon_scenario` markers are applied again and the webhook receiver stays
        configured, so a reset mid-test returns to the test's own starting point.
        """
        emulator = self.emulator
        with emulator.batch():
            # Every test starts at the same emulated instant and mode, whatever ran before.
            emulator.reset(restart_clock=True)
            self.requests.clear()
            for scenario in self.scenarios:
                emulator.load_scenario(scenario)
            for hook in list(self._after_reset):
                hook()

    # -- control from Python (the operations of /_emulator/) -------------------------------------
    def advance(self, seconds: float | None = None, duration: str | None = None) -> int:
        """Move emulated time forward (`seconds=90` or `duration="1h30m"`); returns the timers run."""
        return self.emulator.advance(seconds, duration)

    def set_clock(self, mode: str | None = None, rate: float | None = None, now: datetime | None = None) -> int:
        return self.emulator.set_clock(mode, rate, now)

    def clock_state(self) -> dict[str, Any]:
        return self.emulator.clock_state()

    @property
    def now(self) -> datetime:
        """The emulated time."""
        return self.emulator.clock_state()["now"]

    def load_scenario(self, name_or_path: str) -> dict[str, Any]:
        """Apply a bundled scenario (empty, shared-drive, crm) or a scenario YAML file."""
        return self.emulator.load_scenario(name_or_path)

    def size_upstream(self, user: str, integration: str, kind: str, size: int, *, project: str | None = None) -> None:
        """Set the number of items of a user's upstream account (before its first sync)."""
        self.emulator.size_upstream(project or self.project_id, user, integration, kind, size)

    def change_upstream(
        self,
        user: str,
        integration: str,
        kind: str,
        action: str,
        external_id: str | None = None,
        fields: dict[str, Any] | None = None,
        *,
        project: str | None = None,
    ) -> dict[str, Any] | None:
        """create / update / delete / share / unshare an upstream item; the next sync that looks sees it.

        `grant` / `revoke` with fields {type, email or domain, role} share the item with someone
        or stop sharing it (what the Permissions API answers after the next sync).
        """
        return self.emulator.change_upstream(
            project or self.project_id, user, integration, kind, action, external_id, fields
        )

    def set_upstream_group(
        self, user: str, integration: str, group: str, members: list[str], *, project: str | None = None
    ) -> dict[str, Any]:
        """Set a group's members ('user:<email>' or 'group:<email>') in a user's file account."""
        return self.emulator.set_upstream_group(project or self.project_id, user, integration, "files", group, members)

    def upstream_directory(self, user: str, integration: str, *, project: str | None = None) -> dict[str, Any]:
        """The people and groups of a user's file account (who its items can be shared with)."""
        return self.emulator.upstream_directory(project or self.project_id, user, integration, "files")

    def trigger(self, sync_id: str, event: str, record_id: str | None = None, message: str | None = None) -> Any:
        """Make a sync emit a webhook event now (like `stripe trigger`)."""
        return self.emulator.trigger(sync_id, event, record_id, message)

    def configure_webhooks(self, url: str | None = None, secret: str | None = None, project: str | None = None) -> Any:
        return self.emulator.configure_webhooks(project, url, secret)

    @property
    def webhook_log(self) -> list[Any]:
        """Every webhook delivery of this test (event, status, attempts), oldest first."""
        return self.emulator.webhook_log()

    @property
    def events(self) -> list[Any]:
        """Every domain event the syncs emitted in this test, oldest first."""
        return self.emulator.event_log()

    def info(self) -> dict[str, Any]:
        return self.emulator.info()

    # -- syncs of a user, from Python --------------------------------------------------------------
    def enable_sync(self, user: str, integration: str, pipeline: str, **options: Any) -> Any:
        """Enable a sync as the Sync API would (options: configuration, configuration_name, credential_id, project_id)."""
        return self.emulator.enable_sync(user, integration, pipeline, **options)

    def list_syncs(self, user: str, project_id: str | None = None) -> Any:
        return self.emulator.list_syncs(user, project_id)

    def delete_sync(self, user: str, sync_id: str, project_id: str | None = None) -> Any:
        return self.emulator.delete_sync(user, sync_id, project_id)

    # -- faults and the contract report ------------------------------------------------------------
    def inject_sync_fault(self, sync_id: str, kind: str, once: bool = True, **options: Any) -> Any:
        """What the sync's next run meets: credential_revoked, root_missing, rate_limited, record_error
        (options: backoff_ms, record_id, message)."""
        return self.emulator.inject_sync_fault(sync_id, kind, once, **options)

    def inject_api_fault(
        self,
        operations: list[str] | None = None,
        status: int | None = None,
        delay_ms: int = 0,
        count: int | None = None,
        fraction: float | None = None,
        retry_after: int = 1,
    ) -> Any:
        """Make API operations (operationIds, or all) answer `status` (429, 500, 502, 503) and/or late."""
        return self.emulator.inject_api_fault(operations, status, delay_ms, count, fraction, retry_after)

    def clear_faults(self) -> int:
        return self.emulator.clear_faults()

    def contract_report(self) -> dict[str, Any]:
        """The client's requests in this test: violations by operation, field and rule, and coverage."""
        return self.emulator.contract_report()

    # -- tokens and clients --------------------------------------------------------------------
    @property
    def project_id(self) -> str:
        """The default project (the one tokens are for unless they name another)."""
        return self.emulator.settings.default_project_id

    def token(
        self,
        user: str = DEFAULT_USER,
        project: str | None = None,
        expires_in: int = 3600,
        claims: dict[str, Any] | None = None,
        audience_host: str | None = None,
    ) -> str:
        """A Paragon User Token the emulator accepts (signed with the bundled development key)."""
        return self.emulator.token(user, project, expires_in, audience_host, claims)[0]

    def headers(self, user: str = DEFAULT_USER, project: str | None = None) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(user, project)}"}

    def client(self, user: str | None = DEFAULT_USER, project: str | None = None, **kwargs: Any) -> "httpx.Client":
        """An httpx.Client on the server with `user`'s token (none when user is None); close it."""
        import httpx

        headers = dict(kwargs.pop("headers", None) or {})
        if user is not None:
            headers.update(self.headers(user, project))
        kwargs.setdefault("trust_env", False)  # a proxy from the environment must not catch 127.0.0.1
        # One SSL context for the session: httpx builds a new one (loading the CA bundle, ~20-30 ms)
        # for every client otherwise, though the emulator is plain http://.
        kwargs.setdefault("verify", self.ssl_context)
        return httpx.Client(base_url=self.base_url, headers=headers, **kwargs)

    # -- the Nango-compatible front end (docs/nango.md) ------------------------------------------
    def nango_secret_key(self, project: str | None = None) -> str:
        """The project's Nango secret key (a UUID v4): `new Nango({host: nango_url, secretKey})`."""
        from .nango.keys import secret_keys

        return secret_keys(self.emulator.settings)[project or self.project_id]

    @property
    def nango_url(self) -> str:
        """The Nango front end's base URL (the SDK's `host`), e.g. http://127.0.0.1:PORT/nango."""
        prefix = self.emulator.settings.nango_prefix
        if prefix == "off":
            raise RuntimeError("the Nango front end is off (nango_prefix=off)")
        return self.base_url + prefix

    def nango_client(self, project: str | None = None, **kwargs: Any) -> "httpx.Client":
        """An httpx.Client on the Nango front end with the project's secret key; close it."""
        import httpx

        headers = {"Authorization": f"Bearer {self.nango_secret_key(project)}", **(kwargs.pop("headers", None) or {})}
        kwargs.setdefault("trust_env", False)
        kwargs.setdefault("verify", self.ssl_context)
        return httpx.Client(base_url=self.nango_url, headers=headers, **kwargs)

    @property
    def ssl_context(self) -> "ssl.SSLContext":
        """The session's one default SSL context, made on first use and shared by the clients it makes."""
        if self._ssl_context is None:
            import ssl

            self._ssl_context = ssl.create_default_context()
        return self._ssl_context

    def __repr__(self) -> str:
        where = self._base_url or "not listening yet"
        return f"<ParagonEmulator {where} seed={self.options.seed} clock={self.emulator.clock_state()['mode']}>"


@pytest.fixture(scope="session")
def paragon_settings() -> dict[str, Any]:
    """Extra `paragon_emulator.Settings` for the session's emulator: override it in a conftest.py.

    e.g. `return {"account_size": 5, "webhook_retry_schedule": [1, 2]}`.
    """
    return {}


@pytest.fixture(scope="session")
def _paragon_session(pytestconfig: pytest.Config, paragon_settings: dict[str, Any]) -> Iterator[ParagonEmulator]:
    from .emulator import Emulator
    from .settings import Settings

    options = pytestconfig.stash[_OPTIONS]
    values: dict[str, Any] = {"seed": options.seed, "clock_mode": options.clock_mode, "clock_start": options.clock_start}
    values.update(paragon_settings)
    handle = ParagonEmulator(Emulator(Settings(**values)), options)
    yield handle
    handle.close()


def _scenarios(request: pytest.FixtureRequest) -> tuple[str, ...]:
    # Module or class markers first, then the test's own: the closest one is applied last.
    names: list[str] = []
    for marker in reversed(list(request.node.iter_markers("paragon_scenario"))):
        if not marker.args:
            pytest.fail("@pytest.mark.paragon_scenario needs a scenario name, e.g. paragon_scenario('crm')", pytrace=False)
        names.extend(str(a) for a in marker.args)
    return tuple(names)


@pytest.fixture
def paragon_emulator(_paragon_session: ParagonEmulator, request: pytest.FixtureRequest) -> ParagonEmulator:
    """The session's emulator, reset for this test (and with the test's scenarios loaded)."""
    _paragon_session.scenarios = _scenarios(request)
    _paragon_session.reset()
    request.node.stash[_USED] = _paragon_session
    return _paragon_session


@pytest.fixture(autouse=True)
def _paragon_scenario_marker(request: pytest.FixtureRequest) -> None:
    # A test marked paragon_scenario gets the emulator even if it names no paragon fixture.
    if request.node.get_closest_marker("paragon_scenario") is not None:
        request.getfixturevalue("paragon_emulator")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[Any]:
    report = yield
    # Strict client validation: a test that passed fails if its client sent an invalid request.
    if call.when == "call" and report.passed and item.config.stash[_OPTIONS].strict_client:
        handle = item.stash.get(_USED, None)
        if handle is not None and item.get_closest_marker("paragon_allow_invalid_requests") is None:
            problem = _invalid_requests(handle.contract_report())
            if problem:
                report.outcome = "failed"
                report.longrepr = problem
    return report


def _invalid_requests(report: dict[str, Any]) -> str | None:
    if not report.get("invalidRequests"):
        return None
    lines = [
        f"paragon-emulator (strict client): the client sent {report['invalidRequests']} invalid request(s) "
        f"of {report['requests']} in this test:"
    ]
    for v in report.get("violations", []):
        example = v.get("firstExample", {})
        times = f" ({v['count']}x)" if v.get("count", 1) > 1 else ""
        lines.append(
            f"  {example.get('method')} {example.get('path')} [{v['operation']}] {v['location']} {v['field']}: "
            f"{v['rule']}{times}: {example.get('message')}"
        )
    lines.append("(mark the test @pytest.mark.paragon_allow_invalid_requests if it sends them on purpose)")
    return "\n".join(lines)


@pytest.fixture
def paragon_token(_paragon_session: ParagonEmulator) -> Callable[..., str]:
    """`paragon_token(user="alice", project=None, expires_in=3600, claims=None)` -> a token string."""
    return _paragon_session.token


@pytest.fixture
def paragon_client_for(paragon_emulator: ParagonEmulator) -> Iterator[Callable[..., "httpx.Client"]]:
    """`paragon_client_for("bob", project=None)` -> an httpx.Client with bob's token (closed after the test)."""
    opened: list[httpx.Client] = []

    def make(user: str | None = DEFAULT_USER, project: str | None = None, **kwargs: Any) -> "httpx.Client":
        client = paragon_emulator.client(user, project, **kwargs)
        opened.append(client)
        return client

    yield make
    for client in opened:
        client.close()


@pytest.fixture
def paragon_client(paragon_client_for: Callable[..., "httpx.Client"]) -> "httpx.Client":
    """An httpx.Client on the emulator's base URL with alice's token."""
    return paragon_client_for(DEFAULT_USER)


@pytest.fixture
def nango_secret_key(_paragon_session: ParagonEmulator) -> str:
    """The default project's Nango secret key."""
    return _paragon_session.nango_secret_key()


@pytest.fixture
def nango_client(paragon_emulator: ParagonEmulator) -> Iterator["httpx.Client"]:
    """An httpx.Client on the Nango front end (base URL .../nango) with the default project's secret key."""
    client = paragon_emulator.nango_client()
    yield client
    client.close()


@pytest.fixture
def paragon_asgi_client(paragon_emulator: ParagonEmulator) -> Iterator["TestClient"]:
    """A sync client over the ASGI app, no socket (starlette's TestClient), with alice's token."""
    from starlette.testclient import TestClient

    with TestClient(paragon_emulator.app, base_url=ASGI_BASE_URL, headers=paragon_emulator.headers()) as client:
        yield client


@pytest.fixture
def paragon_async_client(paragon_emulator: ParagonEmulator) -> "httpx.AsyncClient":
    """An httpx.AsyncClient over httpx.ASGITransport (no socket), with alice's token."""
    import httpx

    transport = httpx.ASGITransport(app=paragon_emulator.app)
    return httpx.AsyncClient(transport=transport, base_url=ASGI_BASE_URL, headers=paragon_emulator.headers())


# -- webhooks ----------------------------------------------------------------------------------
@dataclass
class ReceivedWebhook:
    body: bytes
    headers: dict[str, str]
    verified: bool
    error: str | None = None  # why the signature was refused
    payload: dict[str, Any] = field(default_factory=dict)

    @property
    def event(self) -> str:
        return str(self.payload.get("event", "?"))

    @property
    def sync_id(self) -> str | None:
        return self.payload.get("syncInstanceId")


class WebhookReceiver:
    """A webhook receiver on 127.0.0.1 that checks each delivery's signatures.

    Deliveries with a bad signature are answered 400 and kept in `rejected`; good ones are
    answered `status_code` (200; set 500 to make the emulator retry) and kept in `received`.
    """

    def __init__(self, paragon: ParagonEmulator, secret: str = WEBHOOK_SECRET):
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        from .webhooks.signing import InvalidSignature, verify

        self.paragon = paragon
        self.secret = secret
        self.status_code = 200
        self.received: list[ReceivedWebhook] = []
        self.rejected: list[ReceivedWebhook] = []
        self._arrived = threading.Condition()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers.get("content-length") or 0))
                headers = {k.lower(): v for k, v in self.headers.items()}
                try:
                    verify(body, headers, receiver.secret)
                    delivery = ReceivedWebhook(body, headers, True, payload=json.loads(body))
                except InvalidSignature as exc:
                    delivery = ReceivedWebhook(body, headers, False, str(exc))
                except ValueError as exc:
                    delivery = ReceivedWebhook(body, headers, False, f"body is not JSON: {exc}")
                status = receiver.status_code if delivery.verified else 400
                with receiver._arrived:
                    if delivery.verified and 200 <= status < 300:
                        receiver.received.append(delivery)
                    elif not delivery.verified:
                        receiver.rejected.append(delivery)
                    receiver._arrived.notify_all()
                self.send_response(status)
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/paragon/webhooks"
        # A short poll interval: shutdown() waits for the serving loop to notice it (0.5 s by default).
        self._thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, name="paragon-webhooks", daemon=True
        )
        self._thread.start()
        self.configure()
        paragon._after_reset.append(self.configure)

    def configure(self) -> None:
        """Point every project of the emulator at this receiver (done again after each reset)."""
        for project in self.paragon.emulator.settings.project_ids:
            # The fixture's own receiver, set up before each test: no probe, nothing in the test's log.
            self.paragon.emulator.configure_webhooks(project, self.url, self.secret, verify=False)

    @property
    def payloads(self) -> list[dict[str, Any]]:
        """The payloads received (signature verified), in arrival order."""
        with self._arrived:
            return [w.payload for w in self.received]

    def clear(self) -> None:
        with self._arrived:
            self.received.clear()
            self.rejected.clear()

    def _match(self, event: str, sync_id: str | None) -> dict[str, Any] | None:
        for webhook in self.received:
            if webhook.event == event and (sync_id is None or webhook.sync_id == sync_id):
                return webhook.payload
        return None

    def wait_for(self, event: str, sync_id: str | None = None, timeout: float = 5.0) -> dict[str, Any]:
        """The first `event` webhook (of `sync_id`, if given) received; waits up to `timeout` real seconds.

        Fails the test with what did arrive (and the emulator's delivery log) when none comes.
        """
        __tracebackhide__ = True
        deadline = time.monotonic() + timeout
        with self._arrived:
            while True:
                found = self._match(event, sync_id)
                if found is not None:
                    return found
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self._arrived.wait(left)
        pytest.fail(self._explain(event, sync_id, timeout), pytrace=True)

    def _explain(self, event: str, sync_id: str | None, timeout: float) -> str:
        wanted = f"{event!r} webhook" + (f" for sync {sync_id}" if sync_id else "")
        lines = [f"paragon_webhooks: no {wanted} arrived within {timeout:g} s."]
        with self._arrived:
            received, rejected = list(self.received), list(self.rejected)
        if received:
            lines.append(f"Received {len(received)} webhook(s):")
            lines += [f"  {w.event:<15} sync {w.sync_id}  at {w.payload.get('timestamp')}" for w in received]
        else:
            lines.append("Received no webhooks.")
        if rejected:
            lines.append(f"Refused {len(rejected)} delivery(ies) with a bad signature:")
            lines += [f"  {w.headers.get('webhook-id')}: {w.error}" for w in rejected]
        log = self.paragon.webhook_log
        if log:
            lines.append(f"The emulator's webhook log ({len(log)} event(s)):")
            for delivery in log:
                attempts = delivery.attempts
                last = attempts[-1] if attempts else None
                tried = f"{len(attempts)} attempt(s)" + (
                    f", last: {last.error or last.status_code}" if last and (last.error or last.status_code) else ""
                )
                lines.append(f"  {delivery.event.type:<15} sync {delivery.event.sync_id}  {delivery.status}, {tried}")
        else:
            lines.append("The emulator emitted no webhook events in this test.")
        clock = self.paragon.clock_state()
        if not any(d.event.type == event for d in log) and clock["mode"] == "manual":
            lines.append(
                f"The clock is manual (now {clock['now'].isoformat()}, {clock['pendingTimers']} timer(s) pending): "
                "syncs run only when the test advances it, e.g. paragon_emulator.advance(duration='1m')."
            )
        return "\n".join(lines)

    def close(self) -> None:
        if self.configure in self.paragon._after_reset:
            self.paragon._after_reset.remove(self.configure)
        self.server.shutdown()
        self.server.server_close()

    def __repr__(self) -> str:
        return f"<WebhookReceiver {self.url} received={len(self.received)} rejected={len(self.rejected)}>"


@pytest.fixture
def paragon_webhooks(paragon_emulator: ParagonEmulator) -> Iterator[WebhookReceiver]:
    """A receiver every project's webhooks go to in this test; `wait_for(event, sync_id, timeout)`."""
    receiver = WebhookReceiver(paragon_emulator)
    yield receiver
    receiver.close()
