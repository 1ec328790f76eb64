"""How fast the web API answers one client: a generous ceiling per network address and a
steadier rate per tab, both token buckets that live in memory only.

Neither keeps what it counts by: an address or a tab's id is kept as a keyed hash with a key made
for this process (`ShortMemory`), so nothing in memory, a dump or a log can name the address,
and a restart forgets everything. Memory stays bounded: a bucket nobody used until it would be
full again is forgotten (it was as good as new), and the least recently used go first beyond a
cap. The conversation has its own flood gate for messages; this is the HTTP layer.

Used from the event loop only: no method awaits, so none is interrupted halfway.
"""

from __future__ import annotations

import ipaddress
import time
from dataclasses import dataclass

from bot.core.throttle import Clock, ShortMemory

ADDRESS_PER_MINUTE = 600  # a class of 30 behind one school address, ~20 requests each a minute
ADDRESS_BURST = 600  # ... all in the same moment ("now everyone open the chat")
ADDRESS_CLIENTS = 50_000  # addresses remembered at most (~300 bytes each: 15 MB)
TAB_PER_MINUTE = 60  # a child types, taps and reloads far less than one request a second
TAB_BURST = 20  # a page load (session, first turn, events) and a few fast taps
TABS = 20_000  # tabs remembered at most


@dataclass(slots=True)
class _Bucket:
    tokens: float
    stamp: float


class _TokenBuckets:
    """One token bucket per name: `burst` requests at once, then `per_minute` on average."""

    def __init__(self, per_minute: float, burst: int, size: int, clock: Clock) -> None:
        self.rate = per_minute / 60
        self.burst = burst
        self.clock = clock
        # An unused bucket is full again after burst / rate seconds: forgetting it then loses
        # nothing, because a new one starts full.
        self._buckets: ShortMemory[_Bucket] = ShortMemory(size, idle=burst / self.rate)

    def _take(self, name: str) -> float:
        now = self.clock()
        bucket = self._buckets.get(name, now)
        if bucket is None:
            bucket = _Bucket(float(self.burst), now)
            self._buckets.put(name, bucket, now)
        bucket.tokens = min(self.burst, bucket.tokens + max(0.0, now - bucket.stamp) * self.rate)
        bucket.stamp = now
        if bucket.tokens >= 1:
            bucket.tokens -= 1
            return 0.0
        return (1 - bucket.tokens) / self.rate

    def __len__(self) -> int:
        return len(self._buckets)

    def __repr__(self) -> str:
        per_minute = round(self.rate * 60)
        return f"<{type(self).__name__} {per_minute}/min burst {self.burst}, {len(self)} kept>"


def client_of(address: str) -> str:
    """The part of an address that stands for one client: an IPv4 address, or an IPv6 /64 (a
    home or a school gets a whole /64, so its devices count together as they do behind IPv4's
    one address, and nobody escapes the ceiling by hopping through 2**64 addresses). Anything
    that is not an IP address (a Unix socket, none) is one client."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network((int(ip) >> 64 << 64, 64)))
    return str(ip)


class AddressCeiling(_TokenBuckets):
    """A generous ceiling per client address: a whole class behind one school address can use
    the chat at the same moment; one machine that hammers gets 429s."""

    def __init__(
        self,
        clock: Clock = time.monotonic,
        per_minute: float = ADDRESS_PER_MINUTE,
        burst: int = ADDRESS_BURST,
        size: int = ADDRESS_CLIENTS,
    ) -> None:
        super().__init__(per_minute, burst, size, clock)

    def allow(self, address: str) -> float:
        """0 when a request from `address` may go ahead now (and counts it), else the seconds
        until one may."""
        return self._take(client_of(address))


class SessionRate(_TokenBuckets):
    """A steady rate per tab (its session), for the requests of one page."""

    def __init__(
        self,
        clock: Clock = time.monotonic,
        per_minute: float = TAB_PER_MINUTE,
        burst: int = TAB_BURST,
        size: int = TABS,
    ) -> None:
        super().__init__(per_minute, burst, size, clock)

    def allow(self, session: str) -> float:
        """0 when a request of this tab may go ahead now (and counts it), else the seconds
        until one may."""
        return self._take(session)
