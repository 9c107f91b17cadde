from urllib.parse import urlsplit


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
