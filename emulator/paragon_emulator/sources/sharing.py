"""Who an upstream file account's items are shared with: its people, its groups and each item's grants.

Modelled on Google Drive's sharing: an item carries a list of permissions, each for a user, a
group (by the group's email), a whole domain, or anyone with the link, as reader or writer; the
item's owner is separate. Groups hold users and other groups. Everything is drawn from the
account's seed, so the same seed gives the same people, groups and shares.
"""

from __future__ import annotations

from typing import Any, Callable

from ..domain.errors import InvalidInput

ROLES = ("reader", "writer")
TYPES = ("user", "group", "domain", "anyone")
MEMBER_PREFIXES = ("user:", "group:")


def grant_key(grant: dict[str, Any]) -> tuple[str, str]:
    """What a grant is for, whatever its role: (type, email or domain)."""
    return grant["type"], str(grant.get("email") or grant.get("domain") or "")


def check_grant(grant: dict[str, Any], need_role: bool = True, at: str = "$") -> dict[str, Any]:
    """A grant as the control plane takes it, normalised (emails lower case), or InvalidInput naming `at`.<field>."""
    kind = grant.get("type")
    if kind not in TYPES:
        raise InvalidInput(f"{at}.type", f"type must be one of {', '.join(TYPES)}, not {kind!r}")
    clean: dict[str, Any] = {"type": kind}
    if need_role:
        role = grant.get("role", "reader")
        if role not in ROLES:
            raise InvalidInput(f"{at}.role", f"role must be reader or writer, not {role!r} (the owner is a field of the item)")
        clean["role"] = role
    if kind in ("user", "group"):
        email = str(grant.get("email") or "").strip().lower()
        if "@" not in email:
            raise InvalidInput(f"{at}.email", f"a {kind} grant needs an email, not {grant.get('email')!r}")
        clean["email"] = email
    elif kind == "domain":
        domain = str(grant.get("domain") or "").strip().lower()
        if not domain or "@" in domain:
            raise InvalidInput(f"{at}.domain", f"a domain grant needs a domain such as example.com, not {grant.get('domain')!r}")
        clean["domain"] = domain
    extra = set(grant) - {"type", "role", "email", "domain"}
    if extra:
        raise InvalidInput(f"{at}.{sorted(extra)[0]}", f"unknown grant field {', '.join(sorted(extra))}")
    return clean


def check_member(member: str) -> str:
    member = member.strip().lower()
    if not member.startswith(MEMBER_PREFIXES) or "@" not in member:
        raise InvalidInput("members", f"a member is 'user:<email>' or 'group:<email>', not {member!r}")
    return member


class Directory:
    """The people and groups of one account's organisation (plus a few outside collaborators)."""

    def __init__(self, h: Callable[..., int], pick: Callable[[str, int], str], domain: str, owners: list[str], size: int):
        self.domain = domain
        people = list(owners)
        for n in range(min(200, max(12, size // 25))):
            email = f"{pick('first_names', h('person', n)).lower()}.{pick('last_names', h('person-last', n)).lower()}@{domain}"
            if email not in people:
                people.append(email)
        self.people = people
        self.outsiders = [
            f"{pick('first_names', h('outsider', n)).lower()}@{pick('domains', h('outsider-domain', n))}" for n in range(3)
        ]
        count = min(12, max(3, len(people) // 10))
        names = list(dict.fromkeys(pick("words", h("group", n)) for n in range(count * 3)))
        emails = [f"staff@{domain}"] + [f"{name}-team@{domain}" for name in names if name != "staff"][: count - 1]
        members: dict[str, list[str]] = {email: [] for email in emails}
        # Nesting: staff holds the first two teams; every later team sits inside one of those two.
        for n, email in enumerate(emails[1:], start=1):
            parent = emails[0] if n <= 2 or len(emails) < 4 else emails[1 + h("nest", n) % 2]
            members[parent].append(f"group:{email}")
        teams = emails[1:]
        for n, person in enumerate(people):
            members[teams[h("team", n) % len(teams)]].append(f"user:{person}")
            if h("second-team", n) % 10 < 3:
                second = teams[h("team-2", n) % len(teams)]
                if f"user:{person}" not in members[second]:
                    members[second].append(f"user:{person}")
        self.groups = members
        self.teams = teams

    def users(self) -> list[str]:
        """Every user the organisation knows: its people, outside collaborators and group members."""
        found = dict.fromkeys(self.people + self.outsiders)
        for members in self.groups.values():
            found.update((m[5:], None) for m in members if m.startswith("user:"))
        return list(found)

    def set_members(self, group: str, members: list[str]) -> list[str]:
        group = group.strip().lower()
        if "@" not in group:
            raise InvalidInput("group", f"a group is named by its email, not {group!r}")
        clean = list(dict.fromkeys(check_member(m) for m in members))
        if f"group:{group}" in clean:
            raise InvalidInput("members", f"group {group} cannot be a member of itself")
        self.groups[group] = clean
        return clean

    def as_json(self) -> dict[str, Any]:
        return {
            "domain": self.domain,
            "users": self.users(),
            "groups": [{"email": g, "members": list(m)} for g, m in self.groups.items()],
        }


def generated_grants(h: Callable[..., int], directory: Directory, index: int, folder: bool, top_level: bool) -> list[dict[str, Any]]:
    """Realistic sharing: team folders shared with groups, most files private, a few public links."""
    teams, people = directory.teams, directory.people
    if folder and top_level:
        grants = [{"type": "group", "email": teams[index % len(teams)], "role": "writer"}]
        if index % 2 == 0:
            grants.append({"type": "group", "email": f"staff@{directory.domain}", "role": "reader"})
        return grants
    roll = h("share", index) % 100
    person = people[h("share-with", index) % len(people)]
    if folder:
        return [{"type": "user", "email": person, "role": "writer" if roll % 2 else "reader"}] if roll < 25 else []
    if roll < 15:
        return [{"type": "user", "email": person, "role": "reader"}]
    if roll < 22:
        return [{"type": "user", "email": person, "role": "writer"}]
    if roll < 25:
        return [{"type": "group", "email": teams[h("share-team", index) % len(teams)], "role": "reader"}]
    if roll < 28:
        return [{"type": "domain", "domain": directory.domain, "role": "reader"}]
    if roll == 28:
        return [{"type": "anyone", "role": "reader"}]
    if roll == 29:
        return [{"type": "user", "email": directory.outsiders[index % len(directory.outsiders)], "role": "reader"}]
    return []


def relations(item: dict[str, Any]) -> list[tuple[str, str]]:
    """The item's owner and grants as (subject, relation) pairs of the permissions model."""
    found = [(f"user:{str(item['owner']).lower()}", "owner")] if item.get("owner") else []
    for grant in item.get("permissions", ()):
        relation = "editor" if grant["role"] == "writer" else "viewer"
        kind = grant["type"]
        if kind == "user":
            found.append((f"user:{grant['email']}", relation))
        elif kind == "group":
            found.append((f"group:{grant['email']}#member", relation))
        elif kind == "domain":
            found.append((f"domain:{grant['domain']}#member", relation))
        else:
            found.append(("user:*", relation))
    return found
