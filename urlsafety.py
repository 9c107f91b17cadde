"""Addresses people give: the one check of a web address, and the sign-in redirect that stays on the site."""

from urllib.parse import urlsplit

MAX_WEB_ADDRESS = 300


def is_web_address(value: str) -> bool:
    """A full http(s) address with a host name, such as https://example.org/register."""
    if not isinstance(value, str) or len(value) > MAX_WEB_ADDRESS or any(ch.isspace() for ch in value):
        return False
    try:
        parts = urlsplit(value)
        host = parts.hostname or ""
    except ValueError:
        return False
    return parts.scheme in {"http", "https"} and "." in host.strip(".") and not host.startswith(".")


def safe_next_url(target: str | None) -> str | None:
    """Only same-site relative paths may be followed after sign-in."""
    if not target:
        return None
    if any(ord(ch) < 33 or ord(ch) == 127 for ch in target):
        return None  # browsers drop tabs and newlines: "/\t/evil.example" would become "//evil.example"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    return target
