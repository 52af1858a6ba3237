"""Every Permissions API answer on random sharing graphs equals a deliberately naive reference.

The reference reads the upstream account through the control plane (items, owners, grants,
groups) and evaluates the model's definitions literally, by recursion, with no indexes:

    is_owner  = owner
    can_write = editor or is_owner or can_write from parent
    can_read  = viewer or can_write or can_read from parent
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings as hsettings, strategies as st
from starlette.testclient import TestClient

from paragon_emulator import create_app
from tests.conftest import PROJECT, advance, make_settings

UPSTREAM = f"/_emulator/upstream/{PROJECT}/alice/googledrive/files"
FOLDER_MIME = "application/vnd.google-apps.folder"
USERS = ["ann@acme.test", "bob@acme.test", "cy@acme.test", "dee@other.test"]
STRANGERS = ["eve@acme.test", "nobody@else.test"]  # in no group and granted nothing directly
GROUPS = ["eng@acme.test", "ops@acme.test", "all@acme.test"]
ROLES = ("can_read", "can_write", "is_owner")
RELATIONS = ("can_read", "can_write", "is_owner", "viewer", "editor", "owner", "parent")

grants = st.lists(
    st.one_of(
        st.builds(lambda u, r: {"type": "user", "email": u, "role": r}, st.sampled_from(USERS + STRANGERS[:1]), st.sampled_from(["reader", "writer"])),
        st.builds(lambda g, r: {"type": "group", "email": g, "role": r}, st.sampled_from(GROUPS), st.sampled_from(["reader", "writer"])),
        st.builds(lambda r: {"type": "domain", "domain": "acme.test", "role": r}, st.sampled_from(["reader", "writer"])),
        st.just({"type": "anyone", "role": "reader"}),
    ),
    max_size=3,
    unique_by=lambda g: (g["type"], g.get("email") or g.get("domain")),
)
item = st.fixed_dictionaries({"parent": st.integers(0, 10**6), "owner": st.sampled_from(USERS), "grants": grants})
worlds = st.fixed_dictionaries({
    # Group members: users and other groups; cycles between groups are allowed, as upstream allows them.
    "groups": st.fixed_dictionaries({
        g: st.lists(st.sampled_from([f"user:{u}" for u in USERS] + [f"group:{h}" for h in GROUPS if h != g]), unique=True, max_size=3)
        for g in GROUPS
    }),
    "folders": st.lists(item, max_size=5),
    "files": st.lists(item, max_size=6),
})


class Reference:
    """The model's definitions, evaluated literally over the upstream data."""

    def __init__(self, items: dict[str, dict], groups: dict[str, list[str]], users: list[str]):
        self.items, self.groups = items, groups
        self.users = sorted(
            set(users)
            | {i["owner"] for i in items.values()}
            | {g["email"] for i in items.values() for g in i["permissions"] if g["type"] == "user"}
        )

    def member(self, user: str, group: str, seen: frozenset) -> bool:
        for m in self.groups.get(group, []):
            if m == f"user:{user}":
                return True
            if m.startswith("group:") and m[6:] not in seen and self.member(user, m[6:], seen | {m[6:]}):
                return True
        return False

    def holds(self, user: str, grant: dict) -> bool:
        if grant["type"] == "user":
            return grant["email"] == user
        if grant["type"] == "group":
            return self.member(user, grant["email"], frozenset({grant["email"]}))
        if grant["type"] == "domain":
            return user.endswith("@" + grant["domain"])
        return True

    def direct(self, user: str, relation: str, ext: str) -> bool:
        item = self.items[ext]
        if relation == "owner":
            return item["owner"] == user
        role = "writer" if relation == "editor" else "reader"
        return any(g["role"] == role and self.holds(user, g) for g in item["permissions"])

    def has(self, user: str, role: str, ext: str) -> bool:
        if role == "is_owner":
            return self.direct(user, "owner", ext)
        if role == "can_write":
            here = self.direct(user, "editor", ext) or self.has(user, "is_owner", ext)
        else:
            here = self.direct(user, "viewer", ext) or self.has(user, "can_write", ext)
        parent = self.items[ext].get("parentExternalId")
        return here or (parent is not None and self.has(user, role, parent))


def build(client: TestClient, world: dict) -> None:
    for group, members in world["groups"].items():
        assert client.put(f"{UPSTREAM}/directory/groups/{group}", json={"members": members}).status_code == 200
    folders: list[str] = []
    for n, spec in enumerate(world["folders"] + world["files"]):
        is_folder = n < len(world["folders"])
        fields = {"name": f"item-{n}", "owner": spec["owner"], "permissions": spec["grants"]}
        fields["mimeType"] = FOLDER_MIME if is_folder else "text/plain"
        if folders and spec["parent"] % 3:  # a third of the items sit at the root
            fields["parentExternalId"] = folders[spec["parent"] % len(folders)]
        created = client.post(f"{UPSTREAM}/items", json={"fields": fields})
        assert created.status_code == 200, created.text
        if is_folder:
            folders.append(created.json()["externalId"])


def synced(client: TestClient, headers: dict, world: dict) -> tuple[str, dict[str, str]]:
    """Build the world upstream, sync it: the sync id and each item's record id."""
    build(client, world)
    sync = client.post("/api/syncs", json={"integration": "googledrive", "pipeline": "files"}, headers=headers).json()["id"]
    advance(client, 10)
    records = client.get(f"/api/syncs/{sync}/records", params={"pageSize": 1000}, headers=headers).json()["data"]
    return sync, {r["externalId"]: r["id"] for r in records}


def reference_of(client: TestClient) -> Reference:
    upstream = client.get(UPSTREAM, params={"limit": 1000}).json()["items"]
    directory = client.get(f"{UPSTREAM}/directory").json()
    items = {i["externalId"]: {"permissions": [], **i} for i in upstream}
    return Reference(items, {g["email"]: g["members"] for g in directory["groups"]}, directory["users"])


def expected_tree(ref: Reference, rid: dict[str, str], ext: str, relation: str, kind: str) -> dict:
    name = f"{kind}:{rid[ext]}"
    here = f"{name}#{relation}"
    item = ref.items[ext]
    parent = item.get("parentExternalId")
    if relation == "parent":
        return {"name": here, "leaf": {"users": {"users": [f"folder:{rid[parent]}"] if parent else []}}}
    if relation in ("viewer", "editor", "owner"):
        if relation == "owner":
            users = [f"user:{item['owner']}"]
        else:
            role = "writer" if relation == "editor" else "reader"
            subject = {"user": "user:{email}", "group": "group:{email}#member", "domain": "domain:{domain}#member", "anyone": "user:*"}
            users = sorted(subject[g["type"]].format(**g) for g in item["permissions"] if g["role"] == role)
        return {"name": here, "leaf": {"users": {"users": users}}}
    if relation == "is_owner":
        return {"name": here, "leaf": {"computed": {"userset": f"{name}#owner"}}}
    parts = ("editor", "is_owner") if relation == "can_write" else ("viewer", "can_write")
    nodes = [{"name": here, "leaf": {"computed": {"userset": f"{name}#{p}"}}} for p in parts]
    computed = [{"userset": f"folder:{rid[parent]}#{relation}"}] if parent else []
    nodes.append({"name": here, "leaf": {"tupleToUserset": {"tupleset": f"{name}#parent", "computed": computed}}})
    return {"name": here, "union": {"nodes": nodes}}


@hsettings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(world=worlds)
def test_every_answer_equals_the_naive_reference(auth, world):
    with TestClient(create_app(make_settings(account_size=0))) as client:
        headers = auth()
        sync, rid = synced(client, headers, world)
        ref = reference_of(client)
        items = ref.items
        assert set(rid) == set(items)
        kind = {ext: "folder" if items[ext]["mimeType"] == FOLDER_MIME else "file" for ext in items}
        users = USERS + STRANGERS
        post = lambda op, body: client.post(f"/api/permissions/{sync}/{op}", json=body, headers=headers)  # noqa: E731

        questions = [(ext, u, role) for ext in items for u in users for role in ROLES]
        for start in range(0, len(questions), 100):
            chunk = questions[start : start + 100]
            checks = [{"object": rid[e], "user": f"user:{u}", "role": r} for e, u, r in chunk]
            result = post("batch-check", {"checks": checks})
            assert result.status_code == 200, result.text
            for (ext, user, role), answer, sent in zip(chunk, result.json()["result"], checks):
                typed = {**sent, "object": f"{kind[ext]}:{rid[ext]}"}  # the echo names the object's type
                assert answer == {"allowed": ref.has(user, role, ext), "request": typed}, (ext, user, role)
        for ext, user, role in questions[::7]:  # check agrees with batch-check, in the other user form
            assert post("check", {"object": f"{kind[ext]}:{rid[ext]}", "user": user.upper(), "role": role}).json() == {
                "hasAccess": ref.has(user, role, ext)
            }
        for ext in items:
            for role in ROLES:
                listed = post("list-users", {"object": rid[ext], "role": role}).json()["users"]
                assert listed == [u for u in ref.users if ref.has(u, role, ext)], (ext, role)
            for relation in RELATIONS:
                tree = post("expand", {"object": rid[ext], "relation": relation}).json()["tree"]["root"]
                assert tree == expected_tree(ref, rid, ext, relation, kind[ext]), (ext, relation)
        for user in users:
            for object_type in ("file", "folder"):
                for role in ROLES:
                    body = {"objectType": object_type, "user": user, "role": role}
                    expected = sorted(rid[e] for e in items if kind[e] == object_type and ref.has(user, role, e))
                    assert post("list-objects", body).json()["objects"] == expected, (user, object_type, role)
                    streamed = post("streamed-list-objects", body)
                    assert [line for line in streamed.text.splitlines()] == [f'{{"object":"{o}"}}' for o in expected]


def expected_tuples(ref: Reference, rid: dict[str, str]) -> set[tuple[str, str, str]]:
    """The tuples the sync's store should hold, derived from upstream: what the feed must replay to."""
    subject = {"user": "user:{email}", "group": "group:{email}#member", "domain": "domain:{domain}#member", "anyone": "user:*"}
    found = set()
    for ext, item in ref.items.items():
        name = f"{'folder' if item['mimeType'] == FOLDER_MIME else 'file'}:{rid[ext]}"
        found.add((f"user:{item['owner']}", "owner", name))
        for g in item["permissions"]:
            found.add((subject[g["type"]].format(**g), "editor" if g["role"] == "writer" else "viewer", name))
        if item.get("parentExternalId"):
            found.add((f"folder:{rid[item['parentExternalId']]}", "parent", name))
    for group, members in ref.groups.items():
        found |= {(m if m.startswith("user:") else f"{m}#member", "member", f"group:{group}") for m in members}
    return found


def replay(client: TestClient, headers: dict, sync: str) -> set[tuple[str, str, str]]:
    held: set[tuple[str, str, str]] = set()
    token = None
    while True:
        page = client.get(
            f"/api/permissions/{sync}/changes", params={"pageSize": 37, **({"continuationToken": token} if token else {})},
            headers=headers,
        ).json()
        for change in page["changes"]:
            key = tuple(change["tupleKey"][k] for k in ("user", "relation", "object"))
            if change["operation"] == "write":
                assert key not in held
                held.add(key)
            else:
                held.remove(key)
        if not page["changes"]:
            return held
        token = page["continuationToken"]


mutations = st.lists(
    st.one_of(
        st.tuples(st.just("grant"), st.integers(0, 10**6), grants.filter(bool)),
        st.tuples(st.just("revoke"), st.integers(0, 10**6), st.just(None)),
        st.tuples(st.just("members"), st.sampled_from(GROUPS), st.lists(st.sampled_from([f"user:{u}" for u in USERS + STRANGERS]), unique=True, max_size=3)),
        st.tuples(st.just("owner"), st.integers(0, 10**6), st.sampled_from(USERS + STRANGERS)),
        st.tuples(st.just("move"), st.integers(0, 10**6), st.integers(0, 10**6)),
    ),
    min_size=1,
    max_size=6,
)


@hsettings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(world=worlds, changes=mutations, full=st.booleans())
def test_changes_show_only_after_the_next_sync_and_the_feed_replays_to_the_store(auth, world, changes, full):
    with TestClient(create_app(make_settings(account_size=0))) as client:
        headers = auth()
        sync, rid = synced(client, headers, world)
        before = reference_of(client)
        assert replay(client, headers, sync) == expected_tuples(before, rid)
        externals = sorted(before.items)
        folders = [e for e in externals if before.items[e]["mimeType"] == FOLDER_MIME]
        files = [e for e in externals if e not in folders]
        for kind, target, value in changes:
            if kind == "members":
                assert client.put(f"{UPSTREAM}/directory/groups/{target}", json={"members": value}).status_code == 200
            elif externals and kind == "grant":
                ext = externals[target % len(externals)]
                assert client.post(f"{UPSTREAM}/items/{ext}/share", json=value[0]).status_code == 200
            elif externals and kind == "revoke":
                ext = externals[target % len(externals)]
                shared = reference_of(client).items[ext]["permissions"]
                if shared:
                    grant = shared[target % len(shared)]
                    assert client.post(f"{UPSTREAM}/items/{ext}/unshare", json={"type": grant["type"], **{k: grant[k] for k in ("email", "domain") if k in grant}}).status_code == 200
            elif externals and kind == "owner":
                ext = externals[target % len(externals)]
                assert client.patch(f"{UPSTREAM}/items/{ext}", json={"fields": {"owner": value}}).status_code == 200
            elif files and folders and kind == "move":  # files only, so no folder lands inside itself
                fields = {"parentExternalId": folders[value % len(folders)]}
                assert client.patch(f"{UPSTREAM}/items/{files[target % len(files)]}", json={"fields": fields}).status_code == 200
        after = reference_of(client)
        questions = [(ext, u, role) for ext in externals for u in USERS + STRANGERS for role in ROLES]

        def answers() -> list[bool]:
            out = []
            for start in range(0, len(questions), 100):
                checks = [{"object": rid[e], "user": u, "role": r} for e, u, r in questions[start : start + 100]]
                out += [a["allowed"] for a in client.post(f"/api/permissions/{sync}/batch-check", json={"checks": checks}, headers=headers).json()["result"]]
            return out

        def lists() -> tuple[list, list]:
            post = lambda op, body: client.post(f"/api/permissions/{sync}/{op}", json=body, headers=headers).json()  # noqa: E731
            objects = [post("list-objects", {"objectType": t, "user": u, "role": "can_read"})["objects"]
                       for u in USERS + STRANGERS for t in ("file", "folder")]
            users = [post("list-users", {"object": rid[e], "role": r})["users"] for e in externals for r in ROLES]
            return objects, users

        def expected_lists(ref: Reference) -> tuple[list, list]:
            kind = {e: "folder" if ref.items[e]["mimeType"] == FOLDER_MIME else "file" for e in externals}
            objects = [sorted(rid[e] for e in externals if kind[e] == t and ref.has(u, "can_read", e))
                       for u in USERS + STRANGERS for t in ("file", "folder")]
            return objects, [[u for u in ref.users if ref.has(u, r, e)] for e in externals for r in ROLES]

        assert answers() == [before.has(u, r, e) for e, u, r in questions]  # upstream changed, the store has not
        assert lists() == expected_lists(before)
        advance(client, 24 * 3600 + 10 if full else 62)  # the next full run, or the next incremental one
        assert answers() == [after.has(u, r, e) for e, u, r in questions]
        assert lists() == expected_lists(after)
        assert replay(client, headers, sync) == expected_tuples(after, rid)
