from errors import json_error


def api_error(status, message=None, code=None, **extra):
    return json_error(status, message, code, **extra)
