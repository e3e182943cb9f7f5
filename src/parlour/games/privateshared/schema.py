"""privateshared's instance file schema (what `PrivateSharedMaster` reads)."""

from pydantic import StrictInt, StrictStr

from parlour.games.instances import InstanceSchema


class PrivateSharedInstance(InstanceSchema):
    tag: StrictStr
    slots: dict[str, StrictStr]
    initial_prompt: StrictStr
    request_order: list[StrictStr]
    requests: dict[str, StrictInt]
    probes: dict[str, dict[str, StrictInt]]
    lang: StrictStr | None = None
