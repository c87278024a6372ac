"""The one way to write the audit trail: `record(kind, request=..., ...)`.

Callers pass what happened; this module fills in who, from where, and masks anything that must
never be stored (passwords, session keys, full citizen IDs).
"""

import re

from accounts.models import AuditEvent, AuditKind

# Keys never stored, whatever a caller passes.
SECRET_KEYS = frozenset({"password", "password1", "password2", "token", "otp_token", "sessionid"})
# 9 to 12 digits in a row: a citizen ID (CCCD, 12 digits) or an old ID card (9): keep the last 4.
ID_NUMBER = re.compile(r"\d{5,8}(\d{4})(?!\d)")
# A file's SHA-256 (exports): hex digits, often with 9 or more decimal digits in a row; kept whole.
DIGEST = re.compile(r"[0-9a-f]{64}")
DIGEST_KEYS = frozenset({"sha256"})


def mask_id(value: str) -> str:
    """Citizen ID → "••••••••1234": only the last 4 digits are ever shown or logged."""
    value = (value or "").strip()
    if len(value) <= 4:
        return value
    return "•" * (len(value) - 4) + value[-4:]


def _is_digest(key, value) -> bool:
    return key in DIGEST_KEYS and isinstance(value, str) and DIGEST.fullmatch(value) is not None


def _clean(value):
    if isinstance(value, dict):
        return {
            k: v if _is_digest(k, v) else _clean(v)
            for k, v in value.items()
            if k.lower() not in SECRET_KEYS
        }
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    if isinstance(value, str):
        return ID_NUMBER.sub(lambda m: "•" * (len(m.group(0)) - 4) + m.group(1), value)
    return value


def client_ip(request) -> str | None:
    # Behind the reverse proxy named in the README, REMOTE_ADDR is set by it (X-Forwarded-For
    # is not trusted: a client could forge it).
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def record(
    kind: AuditKind,
    *,
    request=None,
    user=None,
    username: str = "",
    unit_path: str = "",
    object_repr: str = "",
    detail: dict | None = None,
) -> AuditEvent:
    """Append one audit event. `user` defaults to the request's signed-in user."""
    if user is None and request is not None:
        candidate = getattr(request, "user", None)
        if candidate is not None and candidate.is_authenticated:
            user = candidate
    if user is not None and not username:
        username = user.get_username()
    return AuditEvent.objects.create(
        kind=kind,
        user=user,
        username=_clean(username)[:150],
        ip=client_ip(request),
        path=(_clean(request.get_full_path())[:500] if request is not None else ""),
        unit_path=unit_path,
        object_repr=_clean(object_repr)[:300],
        detail=_clean(detail or {}),
    )
