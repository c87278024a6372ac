"""HTTP sessions signed in through chibo's real pages, and timed requests."""

import time
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

import requests

from bench.runner.forms import csrf_token, form_fields

TWO_FACTOR_PATH = "/account/two-factor/"


class BenchError(RuntimeError):
    pass


def totp_token(key_hex: str) -> str:
    from django_otp.oath import TOTP

    return f"{TOTP(bytes.fromhex(key_hex)).token():06d}"


def login(base: str, persona: dict, password: str) -> requests.Session:
    """A session signed in as `persona` by the login page, then the two-factor page when the
    server asks for it (a persona with a `totp_key`)."""
    session = requests.Session()
    page = session.get(f"{base}/login/")
    page.raise_for_status()
    response = session.post(
        f"{base}/login/",
        data={
            "username": persona["username"],
            "password": password,
            "csrfmiddlewaretoken": csrf_token(page.text),
        },
        headers={"Referer": f"{base}/login/"},
    )
    response.raise_for_status()
    if urlsplit(response.url).path.startswith(TWO_FACTOR_PATH):
        if not persona.get("totp_key"):
            raise BenchError(f"{persona['username']} is asked for a code but has no TOTP key")
        response = session.post(
            response.url,
            data={
                "otp_token": totp_token(persona["totp_key"]),
                "csrfmiddlewaretoken": csrf_token(response.text),
            },
            headers={"Referer": response.url},
        )
        response.raise_for_status()
    path = urlsplit(response.url).path
    if path.startswith("/login/") or path.startswith(TWO_FACTOR_PATH):
        raise BenchError(f"{persona['username']} could not sign in (ended on {path})")
    return session


def clone(session: requests.Session) -> requests.Session:
    """Another connection with the same cookies (one per thread: Session is not thread-safe)."""
    other = requests.Session()
    other.cookies.update(session.cookies)
    return other


def timed_get(session: requests.Session, url: str) -> float:
    """Milliseconds for one GET (the whole body read); fails on anything but 200."""
    started = time.perf_counter()
    response = session.get(url, allow_redirects=False)
    elapsed = (time.perf_counter() - started) * 1000
    if response.status_code != 200:
        raise BenchError(f"GET {url}: {response.status_code}")
    return elapsed


def sequential(session, url: str, *, count: int, warmup: int) -> list[float]:
    for _ in range(warmup):
        timed_get(session, url)
    return [timed_get(session, url) for _ in range(count)]


def side_by_side(a, url_a: str, b, url_b: str, *, count: int, warmup: int):
    """Two pages timed alternately, so that what else the machine does weighs on both alike."""
    for _ in range(warmup):
        timed_get(a, url_a)
        timed_get(b, url_b)
    times_a, times_b = [], []
    for _ in range(count):
        times_a.append(timed_get(a, url_a))
        times_b.append(timed_get(b, url_b))
    return times_a, times_b


def concurrent(session, url: str, *, clients: int, count: int, warmup: int) -> list[float]:
    """`clients` threads, each with its own connection, `count` requests in all."""
    sessions = [clone(session) for _ in range(clients)]
    for s in sessions:
        timed_get(s, url)
    for _ in range(warmup):
        timed_get(session, url)

    def run(s):
        return [timed_get(s, url) for _ in range(count // clients)]

    with ThreadPoolExecutor(clients) as pool:
        return [t for times in pool.map(run, sessions) for t in times]


def save_meeting(session, base: str, cell_id: int, day) -> float:
    """Open the meeting form of `cell_id` for `day` and post it as shown (everyone present but
    one excused, minutes filled in): milliseconds of the POST, which must redirect (saved)."""
    url = f"{base}/meetings/cells/{cell_id}/new/?as_of={day:%d/%m/%Y}"
    page = session.get(url)
    if page.status_code != 200:
        raise BenchError(f"GET {url}: {page.status_code}")
    data = form_fields(page.text, contains="roster")
    data.update(
        {
            "held_on": f"{day:%d/%m/%Y}",
            "kind": "regular",
            "place": "Nhà văn hoá bản",
            "content": "Quán triệt nghị quyết; kiểm điểm công tác tháng.",
            "resolution": "Thực hiện tốt nhiệm vụ tháng tới.",
        }
    )
    statuses = sorted(k for k in data if k.startswith("status_"))
    if statuses:
        first = statuses[0]
        data[first] = "excused"
        data["reason_" + first.removeprefix("status_")] = "Đi làm nương"
    started = time.perf_counter()
    response = session.post(url, data=data, allow_redirects=False, headers={"Referer": url})
    elapsed = (time.perf_counter() - started) * 1000
    if response.status_code != 302:
        raise BenchError(f"POST {url}: {response.status_code}, meeting not saved")
    return elapsed
