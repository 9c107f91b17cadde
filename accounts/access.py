"""Access decorators for views: 401/redirect to sign in, then 403."""

from functools import wraps

from flask import abort
from flask_login import current_user, login_required


def role_required(check):
    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if not check(current_user):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


admin_required = role_required(lambda user: user.is_admin)
manager_required = role_required(lambda user: user.is_manager)
