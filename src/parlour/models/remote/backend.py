"""What every HTTP backend shares: the API key (registered for redaction, never recorded), the httpx
client, and one request path through the endpoint's limit, breaker, deadline and retries
(remote/endpoint.py). Subclasses only say where to send, how to authenticate, the body and how to
read the reply."""

from __future__ import annotations

import os
import re
from abc import abstractmethod
from typing import Any

import httpx

from parlour.chat import Generation, Model, reply_too_large
from parlour.errors import ParlourError
from parlour.models.messages import ensure_alternating_roles
from parlour.models.remote.endpoint import Endpoint, endpoint_for
from parlour.models.remote.retry import TransientError, check_response
from parlour.models.spec import ModelSpec
from parlour.redact import redacted_excerpt, register_secret, register_url_credentials, url_without_userinfo

DEFAULT_CONCURRENCY = 8  # requests in flight to an endpoint at first
DEFAULT_CONCURRENCY_CEILING = 64  # the adaptive limit's ceiling when the spec sets no concurrency_max

Parsed = tuple[str, str | None, dict[str, Any]]  # reply text, finish reason, usage


def read_api_key(model: str, variable: str) -> str:
    """The API key in environment variable `variable`, without the surrounding whitespace a key file
    leaves (a trailing newline would make an illegal header that httpx prints in full). Every form of
    it is registered for redaction; a key that still holds whitespace, control or non-ASCII characters
    cannot travel in a header and is refused without being shown."""
    raw = os.environ.get(variable, "")
    register_secret(raw)
    key = raw.strip()
    if not key:
        raise ParlourError(f"model {model}: environment variable {variable} (API key) is not set")
    if not all("!" <= c <= "~" for c in key):
        raise ParlourError(
            f"model {model}: environment variable {variable} (API key) holds spaces, control or non-ASCII "
            "characters, which an HTTP header cannot carry; set it to the key alone"
        )
    return key


class RemoteModel(Model):
    default_base_url: str = ""
    default_key_env: str | None = None

    def __init__(self, spec: ModelSpec) -> None:
        super().__init__(spec)
        # requests go to base_url (httpx turns its userinfo into Basic auth); messages and run.json show public_url
        self.base_url = (spec.base_url or self.default_base_url).rstrip("/")
        if not self.base_url:
            raise ParlourError(f"model {spec.name}: the {spec.backend} backend needs `base_url`")
        register_url_credentials(self.base_url)
        self.public_url = url_without_userinfo(self.base_url)
        self.key_env = spec.api_key_env or self.default_key_env
        self.api_key = read_api_key(spec.name, self.key_env) if self.key_env else ""
        self.base_delay_s = float(spec.options.get("retry_base_delay_s", 1.0))
        self._client: httpx.AsyncClient | None = None
        self._endpoint: Endpoint | None = None

    @property
    def concurrency_start(self) -> int:
        return self.spec.concurrency or DEFAULT_CONCURRENCY

    @property
    def concurrency_ceiling(self) -> int:
        return max(self.concurrency_start, self.spec.concurrency_max or DEFAULT_CONCURRENCY_CEILING)

    @property
    def default_concurrency(self) -> int:
        # enough episodes in flight for the adaptive limit to rise to its ceiling
        return self.concurrency_ceiling

    def concurrency_note(self, requested: int) -> str | None:
        """A line for the user when the endpoint's limit is below the requested concurrency."""
        if requested <= self.concurrency_start:
            return None
        prefix = f"model {self.name}: endpoint {self.public_url} starts at {self.concurrency_start} requests in flight"
        if requested > self.concurrency_ceiling:
            ceiling = self.concurrency_ceiling
            return f"{prefix} and never exceeds {ceiling} (concurrency_max), below --concurrency {requested}"
        return f"{prefix}, below --concurrency {requested}; it rises while the endpoint answers promptly"

    @abstractmethod
    def url(self) -> str: ...

    @abstractmethod
    def auth_headers(self) -> dict[str, str]: ...

    @abstractmethod
    def request_body(self, messages: list[dict[str, str]]) -> dict[str, Any]:
        """Everything sent, except the key: this is what requests.json records."""

    def chat_body(self, messages: list[dict[str, str]], stop_key: str) -> dict[str, Any]:
        """The body of an OpenAI-style chat request (model, alternating messages, temperature, max tokens, the
        stop sequences under this wire format's `stop_key`, the sampling parameters it accepts)."""
        body: dict[str, Any] = {
            "model": self.spec.model_id or self.spec.name,
            "messages": ensure_alternating_roles(messages),
            "temperature": self.spec.temperature,
            "max_tokens": self.spec.max_tokens,
        }
        if self.spec.stop:
            body[stop_key] = list(self.spec.stop)
        body.update(self.sampling_sent())
        return body

    def sampling_sent(self) -> dict[str, Any]:
        """The spec's sampling parameters that this wire format takes, under its names."""
        return {}

    @abstractmethod
    def parse(self, data: dict[str, Any]) -> Parsed:
        """(reply text, finish reason, usage) from the decoded reply; KeyError/IndexError/TypeError if malformed."""

    def _http(self) -> httpx.AsyncClient:
        if self._client is None:
            # the overall deadline per attempt is enforced in Endpoint; this bounds each phase as well
            self._client = httpx.AsyncClient(timeout=self.spec.timeout_s)
        return self._client

    def endpoint(self) -> Endpoint:
        self._endpoint = endpoint_for(self.base_url, self.concurrency_start, self.concurrency_ceiling)
        return self._endpoint

    def describe(self) -> dict[str, Any]:
        info = super().describe()
        if info.get("base_url"):
            info["base_url"] = url_without_userinfo(info["base_url"])
        return info

    async def generate(self, messages: list[dict[str, str]]) -> Generation:
        body = self.request_body(messages)
        what = f"model {self.spec.name} at {self.public_url}"

        async def send() -> tuple[dict[str, Any], Parsed]:
            response = await self._post(body)
            check_response(response, what)
            try:
                data = response.json()
                parsed = self.parse(data)
            except (ValueError, KeyError, IndexError, TypeError, AttributeError) as exc:
                raise TransientError(f"malformed reply: '{redacted_excerpt(response.text, 120)}'") from exc
            if not isinstance(parsed[0], str):
                raise TransientError(f"reply content is not text: {redacted_excerpt(repr(parsed[0]), 130)}")
            return data, parsed

        data, (text, finish, usage) = await self.endpoint().call(
            send, what, self.spec.max_retries, self.base_delay_s, self.spec.timeout_s
        )
        text, replaced = without_lone_surrogates(text)
        counts = token_counts(usage)
        response = {"response": text, "finish_reason": finish, "usage": counts, "model": data.get("model")}
        if replaced:
            response["replaced_lone_surrogates"] = replaced
        return Generation(prompt=body, response=response, text=text.strip(), usage=counts)

    async def _post(self, body: dict[str, Any]) -> httpx.Response:
        """POST `body` and read the reply as it streams in, refusing it once its decompressed size passes
        `max_reply_bytes`: a huge reply or a compression bomb costs at most one network read's expansion."""
        chunks: list[bytes] = []
        size = 0
        async with self._http().stream("POST", self.url(), json=body, headers=self.auth_headers()) as response:
            async for chunk in response.aiter_bytes():  # decompressed
                size += len(chunk)
                if error := reply_too_large(self.spec, size, f"reply from {self.base_url}"):
                    raise error
                chunks.append(chunk)
        # the body is decoded already: without its content-encoding, httpx does not decode it again
        headers = [(k, v) for k, v in response.headers.multi_items() if k not in ("content-encoding", "content-length")]
        return httpx.Response(response.status_code, headers=headers, content=b"".join(chunks), request=response.request)

    def endpoint_report(self) -> dict[str, Any]:
        if self._endpoint is None:
            return {}
        return self._endpoint.report()

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def without_lone_surrogates(text: str) -> tuple[str, int]:
    """The text with each lone surrogate (a JSON `\\ud800` escape with no pair: not UTF-8, so no record
    could be written) replaced by U+FFFD, and how many were replaced (recorded with the reply)."""
    return _LONE_SURROGATE.subn("\ufffd", text)


def token_counts(usage: object) -> dict[str, int]:
    """The integer token counts of a reply's `usage`; anything else a server puts there (a string, nested
    details) is left out rather than failing the episode."""
    if not isinstance(usage, dict):
        return {}
    return {str(k): v for k, v in usage.items() if isinstance(v, int) and not isinstance(v, bool)}
