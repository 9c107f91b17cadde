"""Rules for managing centres that are not a form's business: who manages a centre."""

from accounts.models import User
from centres.models import Centre


def set_managers(centre: Centre, users: list[User]) -> tuple[list[User], list[User]]:
    """Make exactly ``users`` the managers of ``centre``; returns (added, removed).

    A member who becomes a manager gets the role "manager". A manager who no
    longer manages any centre goes back to "member": the manager role carries
    powers beyond one centre (verifying associations, seeing their contact
    data), so it must not outlive the last assignment. Admins keep their role.
    """
    wanted = {user.id: user for user in users}
    current = {user.id: user for user in centre.managers}
    added = [user for user_id, user in wanted.items() if user_id not in current]
    removed = [user for user_id, user in current.items() if user_id not in wanted]
    centre.managers = sorted(wanted.values(), key=lambda user: user.email)
    for user in added:
        if user.role == "member":
            user.change_role("manager")
    for user in removed:
        if user.role == "manager" and not any(c.id != centre.id for c in user.managed_centres):
            user.change_role("member")
    return added, removed
