"""A GitHub REST API server on 127.0.0.1 with state in memory, for github3.py.

It serves the endpoints the reporting code calls, in the JSON shapes that
github3.py 4.0.1 parses (every key its models read is present): repository,
commit, commit comments, issues, issue comments and labels. Lists paginate
with ``page``/``per_page`` and a ``Link`` header, bodies over GitHub's
65,536-character limit get a 422, and a missing or wrong token gets a 401.
``fail_next`` makes the next requests return a chosen status and headers, to
play a bad token, a 5xx or a rate limit.
"""

from __future__ import annotations

import json
import re
import threading
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

MAX_BODY_CHARS = 65_536
TIMESTAMP = "2026-01-01T00:00:00Z"
BOT = "github-actions[bot]"


@dataclass
class Fault:
    status: int
    headers: dict[str, str]
    body: dict[str, Any] | str


@dataclass
class Recorded:
    method: str
    path: str
    body: dict[str, Any] | None


@dataclass
class FakeGitHub:
    """State and fault switches of one fake GitHub repository."""

    owner: str
    name: str
    token: str = "ghs_fake_token"
    issues: dict[int, dict[str, Any]] = field(default_factory=dict)
    issue_comments: dict[int, dict[str, Any]] = field(default_factory=dict)
    commit_comments: dict[int, dict[str, Any]] = field(default_factory=dict)
    labels: dict[str, dict[str, Any]] = field(default_factory=dict)
    requests: list[Recorded] = field(default_factory=list)
    base_url: str = ""
    _faults: deque[Fault] = field(default_factory=deque)
    _next_id: int = 1000
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def repo_path(self) -> str:
        return f"/repos/{self.owner}/{self.name}"

    def fail_next(
        self,
        status: int,
        *,
        times: int = 1,
        headers: dict[str, str] | None = None,
        message: str | None = None,
    ) -> None:
        """Return ``status`` to the next ``times`` requests, serving none of them."""
        body: dict[str, Any] | str = {"message": message or f"fake failure {status}"}
        if status == 502:
            body = "<html><body><h1>502 Bad Gateway</h1></body></html>"
        for _ in range(times):
            self._faults.append(Fault(status, headers or {}, body))

    def add_pull_request(self, number: int, title: str) -> None:
        """Register an open pull request, which the issues API also serves."""
        issue = self._issue_json(number, title, body="", labels=[])
        issue["pull_request"] = {
            "url": f"{self.base_url}{self.repo_path}/pulls/{number}"
        }
        self.issues[number] = issue

    def add_issue_comment(self, number: int, body: str) -> None:
        """Add a comment as another user would, without going through HTTP."""
        status, comment, _ = _create_issue_comment(self, number, {"body": body})
        assert status == 201, comment
        comment["user"] = self.user_json("octocat")

    def comments_on(self, number: int) -> list[dict[str, Any]]:
        url = f"{self.base_url}{self.repo_path}/issues/{number}"
        return [c for c in self.issue_comments.values() if c["issue_url"] == url]

    def comments_on_commit(self, sha: str) -> list[dict[str, Any]]:
        return [c for c in self.commit_comments.values() if c["commit_id"] == sha]

    def calls(self, method: str, pattern: str) -> list[Recorded]:
        return [
            r
            for r in self.requests
            if r.method == method and re.fullmatch(pattern, r.path)
        ]

    def new_id(self) -> int:
        self._next_id += 1
        return self._next_id

    def user_json(self, login: str = BOT) -> dict[str, Any]:
        url = f"{self.base_url}/users/{login}"
        return {
            "login": login,
            "id": 41898282,
            "avatar_url": "",
            "gravatar_id": "",
            "url": url,
            "html_url": f"https://github.example/{login}",
            "followers_url": f"{url}/followers",
            "following_url": f"{url}/following{{/other_user}}",
            "gists_url": f"{url}/gists{{/gist_id}}",
            "starred_url": f"{url}/starred{{/owner}}{{/repo}}",
            "subscriptions_url": f"{url}/subscriptions",
            "organizations_url": f"{url}/orgs",
            "repos_url": f"{url}/repos",
            "events_url": f"{url}/events{{/privacy}}",
            "received_events_url": f"{url}/received_events",
            "type": "Bot",
            "site_admin": False,
        }

    def repository_json(self) -> dict[str, Any]:
        api = f"{self.base_url}{self.repo_path}"
        html = f"https://github.example/{self.owner}/{self.name}"
        templated = {
            "archive_url": "/{archive_format}{/ref}",
            "assignees_url": "/assignees{/user}",
            "blobs_url": "/git/blobs{/sha}",
            "branches_url": "/branches{/branch}",
            "collaborators_url": "/collaborators{/collaborator}",
            "comments_url": "/comments{/number}",
            "commits_url": "/commits{/sha}",
            "compare_url": "/compare/{base}...{head}",
            "contents_url": "/contents/{+path}",
            "contributors_url": "/contributors",
            "deployments_url": "/deployments",
            "downloads_url": "/downloads",
            "events_url": "/events",
            "forks_url": "/forks",
            "git_commits_url": "/git/commits{/sha}",
            "git_refs_url": "/git/refs{/sha}",
            "git_tags_url": "/git/tags{/sha}",
            "hooks_url": "/hooks",
            "issue_comment_url": "/issues/comments{/number}",
            "issue_events_url": "/issues/events{/number}",
            "issues_url": "/issues{/number}",
            "keys_url": "/keys{/key_id}",
            "labels_url": "/labels{/name}",
            "languages_url": "/languages",
            "merges_url": "/merges",
            "milestones_url": "/milestones{/number}",
            "notifications_url": "/notifications{?since,all,participating}",
            "pulls_url": "/pulls{/number}",
            "releases_url": "/releases{/id}",
            "stargazers_url": "/stargazers",
            "statuses_url": "/statuses/{sha}",
            "subscribers_url": "/subscribers",
            "subscription_url": "/subscription",
            "tags_url": "/tags",
            "teams_url": "/teams",
            "trees_url": "/git/trees{/sha}",
        }
        repository: dict[str, Any] = {
            key: api + suffix for key, suffix in templated.items()
        }
        repository.update(
            {
                "id": 186853002,
                "node_id": "R_fake",
                "name": self.name,
                "full_name": f"{self.owner}/{self.name}",
                "owner": self.user_json(self.owner),
                "private": False,
                "html_url": html,
                "description": None,
                "fork": False,
                "url": api,
                "created_at": TIMESTAMP,
                "updated_at": TIMESTAMP,
                "pushed_at": TIMESTAMP,
                "git_url": f"git://github.example/{self.owner}/{self.name}.git",
                "ssh_url": f"git@github.example:{self.owner}/{self.name}.git",
                "clone_url": f"{html}.git",
                "svn_url": html,
                "mirror_url": None,
                "homepage": None,
                "language": "Python",
                "size": 100,
                "forks_count": 0,
                "stargazers_count": 0,
                "watchers_count": 0,
                "network_count": 0,
                "subscribers_count": 1,
                "open_issues_count": sum(
                    i["state"] == "open" for i in self.issues.values()
                ),
                "default_branch": "main",
                "archived": False,
                "has_issues": True,
                "has_projects": False,
                "has_wiki": False,
                "has_pages": False,
                "has_downloads": False,
            }
        )
        return repository

    def commit_json(self, sha: str) -> dict[str, Any]:
        api = f"{self.base_url}{self.repo_path}/commits/{sha}"
        person = {"name": "Mona", "email": "mona@example.com", "date": TIMESTAMP}
        return {
            "url": api,
            "sha": sha,
            "node_id": "C_fake",
            "html_url": f"https://github.example/{self.owner}/{self.name}/commit/{sha}",
            "comments_url": f"{api}/comments",
            "author": self.user_json("mona"),
            "committer": self.user_json("mona"),
            "parents": [],
            "commit": {
                "url": f"{self.base_url}{self.repo_path}/git/commits/{sha}",
                "sha": sha,
                "author": person,
                "committer": person,
                "message": "Update desired state",
                "tree": {"sha": "0" * 40, "url": ""},
                "comment_count": len(self.comments_on_commit(sha)),
                "verification": {"verified": False, "reason": "unsigned"},
            },
            "files": [],
            "stats": {"additions": 1, "deletions": 1, "total": 2},
        }

    def _issue_json(
        self, number: int, title: str, *, body: str, labels: list[str]
    ) -> dict[str, Any]:
        api = f"{self.base_url}{self.repo_path}/issues/{number}"
        return {
            "id": self.new_id(),
            "node_id": "I_fake",
            "url": api,
            "repository_url": f"{self.base_url}{self.repo_path}",
            "labels_url": f"{api}/labels{{/name}}",
            "comments_url": f"{api}/comments",
            "events_url": f"{api}/events",
            "html_url": f"https://github.example/{self.owner}/{self.name}/issues/{number}",
            "number": number,
            "state": "open",
            "title": title,
            "body": body,
            "body_text": body,
            "body_html": f"<p>{body}</p>",
            "user": self.user_json(),
            "labels": [self._label(name) for name in labels],
            "assignee": None,
            "assignees": [],
            "milestone": None,
            "locked": False,
            "comments": 0,
            "closed_at": None,
            "closed_by": None,
            "created_at": TIMESTAMP,
            "updated_at": TIMESTAMP,
            "author_association": "NONE",
        }

    def _label(self, name: str) -> dict[str, Any]:
        if name not in self.labels:
            # GitHub creates a label that an issue names but the repository lacks.
            self.labels[name] = {
                "id": self.new_id(),
                "url": f"{self.base_url}{self.repo_path}/labels/{name}",
                "name": name,
                "color": "ededed",
                "description": None,
                "default": False,
            }
        return self.labels[name]


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        """Keep test output quiet; the fake records requests instead."""

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def do_PATCH(self) -> None:
        self._dispatch("PATCH")

    def _dispatch(self, method: str) -> None:
        fake = self.server.fake
        url = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        body = json.loads(raw) if raw else None
        with fake._lock:
            fake.requests.append(Recorded(method, url.path, body))
            if fake._faults:
                fault = fake._faults.popleft()
                self._send(fault.status, fault.body, fault.headers)
                return
            if self.headers.get("Authorization") != f"token {fake.token}":
                self._send(401, {"message": "Bad credentials"})
                return
            status, payload, headers = _route(
                fake, method, url.path, parse_qs(url.query), body
            )
        self._send(status, payload, headers)

    def _send(
        self, status: int, payload: Any, headers: dict[str, str] | None = None
    ) -> None:
        if isinstance(payload, str):
            data = payload.encode()
            content_type = "text/html"
        else:
            data = json.dumps(payload).encode()
            content_type = "application/json; charset=utf-8"
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, fake: FakeGitHub) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.fake = fake


Response = tuple[int, Any, dict[str, str]]


def _route(
    fake: FakeGitHub,
    method: str,
    path: str,
    query: dict[str, list[str]],
    body: dict[str, Any] | None,
) -> Response:
    repo = re.escape(fake.repo_path)
    routes: list[tuple[str, str, Any]] = [
        ("GET", rf"{repo}", lambda: (200, fake.repository_json(), {})),
        ("GET", rf"{repo}/commits/(\w+)", lambda sha: (200, fake.commit_json(sha), {})),
        (
            "GET",
            rf"{repo}/commits/(\w+)/comments",
            lambda sha: _page(fake, path, query, fake.comments_on_commit(sha)),
        ),
        (
            "POST",
            rf"{repo}/commits/(\w+)/comments",
            lambda sha: _create_commit_comment(fake, sha, body or {}),
        ),
        (
            "PATCH",
            rf"{repo}/comments/(\d+)",
            lambda cid: _edit_comment(fake.commit_comments, int(cid), body or {}),
        ),
        ("GET", rf"{repo}/issues", lambda: _list_issues(fake, path, query)),
        ("POST", rf"{repo}/issues", lambda: _create_issue(fake, body or {})),
        ("GET", rf"{repo}/issues/(\d+)", lambda n: _get_issue(fake, int(n))),
        (
            "PATCH",
            rf"{repo}/issues/(\d+)",
            lambda n: _edit_issue(fake, int(n), body or {}),
        ),
        (
            "GET",
            rf"{repo}/issues/(\d+)/comments",
            lambda n: _page(fake, path, query, fake.comments_on(int(n))),
        ),
        (
            "POST",
            rf"{repo}/issues/(\d+)/comments",
            lambda n: _create_issue_comment(fake, int(n), body or {}),
        ),
        (
            "PATCH",
            rf"{repo}/issues/comments/(\d+)",
            lambda cid: _edit_comment(fake.issue_comments, int(cid), body or {}),
        ),
        ("GET", rf"{repo}/labels/([^/]+)", lambda name: _get_label(fake, name)),
        ("POST", rf"{repo}/labels", lambda: _create_label(fake, body or {})),
    ]
    for route_method, pattern, handler in routes:
        match = re.fullmatch(pattern, path)
        if route_method == method and match:
            result: Response = handler(*match.groups())
            return result
    return 404, {"message": "Not Found"}, {}


def _page(
    fake: FakeGitHub,
    path: str,
    query: dict[str, list[str]],
    items: list[dict[str, Any]],
) -> Response:
    per_page = int(query.get("per_page", ["30"])[0])
    page = int(query.get("page", ["1"])[0])
    chunk = items[(page - 1) * per_page : page * per_page]
    headers = {}
    if page * per_page < len(items):
        params = {k: v[0] for k, v in query.items()} | {"page": str(page + 1)}
        headers["Link"] = f'<{fake.base_url}{path}?{urlencode(params)}>; rel="next"'
    return 200, chunk, headers


def _too_long(body: dict[str, Any], resource: str) -> Response | None:
    text = body.get("body") or ""
    if len(text) <= MAX_BODY_CHARS:
        return None
    error = {
        "resource": resource,
        "code": "custom",
        "field": "body",
        "message": f"body is too long (maximum is {MAX_BODY_CHARS} characters)",
    }
    return 422, {"message": "Validation Failed", "errors": [error]}, {}


def _comment_json(
    fake: FakeGitHub, url: str, html_url: str, text: str
) -> dict[str, Any]:
    return {
        "id": int(url.rsplit("/", 1)[1]),
        "node_id": "IC_fake",
        "url": url,
        "html_url": html_url,
        "body": text,
        "body_text": text,
        "body_html": f"<p>{text}</p>",
        "user": fake.user_json(),
        "created_at": TIMESTAMP,
        "updated_at": TIMESTAMP,
        "author_association": "NONE",
    }


def _create_issue_comment(
    fake: FakeGitHub, number: int, body: dict[str, Any]
) -> Response:
    if number not in fake.issues:
        return 404, {"message": "Not Found"}, {}
    rejected = _too_long(body, "IssueComment")
    if rejected:
        return rejected
    comment_id = fake.new_id()
    issue = fake.issues[number]
    comment = _comment_json(
        fake,
        f"{fake.base_url}{fake.repo_path}/issues/comments/{comment_id}",
        f"{issue['html_url']}#issuecomment-{comment_id}",
        body["body"],
    )
    comment["issue_url"] = issue["url"]
    fake.issue_comments[comment_id] = comment
    issue["comments"] += 1
    return 201, comment, {}


def _create_commit_comment(
    fake: FakeGitHub, sha: str, body: dict[str, Any]
) -> Response:
    rejected = _too_long(body, "CommitComment")
    if rejected:
        return rejected
    comment_id = fake.new_id()
    comment = _comment_json(
        fake,
        f"{fake.base_url}{fake.repo_path}/comments/{comment_id}",
        f"https://github.example/{fake.owner}/{fake.name}/commit/{sha}#r{comment_id}",
        body["body"],
    )
    comment.update(
        {"commit_id": sha, "path": body.get("path"), "position": None, "line": None}
    )
    fake.commit_comments[comment_id] = comment
    return 201, comment, {}


def _edit_comment(
    comments: dict[int, dict[str, Any]], comment_id: int, body: dict[str, Any]
) -> Response:
    if comment_id not in comments:
        return 404, {"message": "Not Found"}, {}
    rejected = _too_long(body, "Comment")
    if rejected:
        return rejected
    comment = comments[comment_id]
    comment.update(
        body=body["body"], body_text=body["body"], body_html=f"<p>{body['body']}</p>"
    )
    return 200, comment, {}


def _list_issues(fake: FakeGitHub, path: str, query: dict[str, list[str]]) -> Response:
    state = query.get("state", ["open"])[0]
    label_names = [name for name in query.get("labels", [""])[0].split(",") if name]
    issues = [
        issue
        for issue in sorted(fake.issues.values(), key=lambda i: -i["number"])
        if state in {"all", issue["state"]}
        and all(
            name in {label["name"] for label in issue["labels"]} for name in label_names
        )
    ]
    return _page(fake, path, query, issues)


def _get_issue(fake: FakeGitHub, number: int) -> Response:
    if number not in fake.issues:
        return 404, {"message": "Not Found"}, {}
    return 200, fake.issues[number], {}


def _create_issue(fake: FakeGitHub, body: dict[str, Any]) -> Response:
    rejected = _too_long(body, "Issue")
    if rejected:
        return rejected
    number = max(fake.issues, default=0) + 1
    issue = fake._issue_json(
        number,
        body["title"],
        body=body.get("body") or "",
        labels=body.get("labels", []),
    )
    fake.issues[number] = issue
    return 201, issue, {}


def _edit_issue(fake: FakeGitHub, number: int, body: dict[str, Any]) -> Response:
    if number not in fake.issues:
        return 404, {"message": "Not Found"}, {}
    rejected = _too_long(body, "Issue")
    if rejected:
        return rejected
    issue = fake.issues[number]
    for key in ("title", "body", "state"):
        if key in body:
            issue[key] = body[key]
    if "body" in body:
        issue.update(body_text=body["body"], body_html=f"<p>{body['body']}</p>")
    if "labels" in body:
        issue["labels"] = [fake._label(name) for name in body["labels"]]
    if body.get("state") == "closed":
        issue.update(closed_at=TIMESTAMP, closed_by=fake.user_json())
    return 200, issue, {}


def _get_label(fake: FakeGitHub, name: str) -> Response:
    if name not in fake.labels:
        return 404, {"message": "Not Found"}, {}
    return 200, fake.labels[name], {}


def _create_label(fake: FakeGitHub, body: dict[str, Any]) -> Response:
    name = body["name"]
    if name in fake.labels:
        error = {"resource": "Label", "code": "already_exists", "field": "name"}
        return 422, {"message": "Validation Failed", "errors": [error]}, {}
    label = fake._label(name)
    label.update(color=body["color"], description=body.get("description"))
    return 201, label, {}


class RunningFakeGitHub:
    """Serve a ``FakeGitHub`` from a background thread until ``stop``."""

    def __init__(self, fake: FakeGitHub) -> None:
        self.fake = fake
        self._server = _Server(fake)
        host, port = self._server.server_address[:2]
        fake.base_url = f"http://{host!s}:{port}"
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            daemon=True,
        )

    def start(self) -> FakeGitHub:
        self._thread.start()
        return self.fake

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
