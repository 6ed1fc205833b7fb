"""The peer users would pick instead (issue 17): PostGraphile 4 over the benchmark database,
started and stopped by bench/run.py, answering Q1-Q3 with queries written for it. Its answers
are turned into jobgraph's shape and checked against jobgraph's before anything is measured."""

import base64
import json
import subprocess
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HOME = ROOT / "bench/postgraphile"
PORT = 18092
WORKERS, POOL = 2, 8  # one process per core, 16 connections in all, as jobgraph's pool

QUERIES = {
    # Visibility (published only) is a condition, as a PostGraphile user would write it
    # without row-level security (which would cost it more).
    "Q1": "query($id: UUID!) { postings(first: 1, condition: { id: $id, status: \"published\" }) { nodes { id title summary description company { name slug } requirements(orderBy: POSITION_ASC) { nodes { kind text required yearsMin } } } } }",
    "Q2": "query($company: UUID!) { postings(first: 50, condition: { companyId: $company, status: \"published\" }, orderBy: [POSTED_AT_DESC, ID_DESC]) { edges { node { id title company { name } postingLocations(orderBy: POSITION_ASC) { nodes { city country } } requirements(orderBy: POSITION_ASC) { nodes { kind text required } } } } pageInfo { hasNextPage endCursor } } }",
    "Q3": "{ postings(first: 50, orderBy: [POSTED_AT_DESC, ID_DESC], filter: { status: { equalTo: \"published\" }, department: { equalTo: \"Engineering\" }, postingLocations: { some: { cityKey: { equalTo: \"göteborg\" } } } }) { nodes { id title department postingLocations(orderBy: POSITION_ASC) { nodes { city country } } } } }",
}


def installed():
    """Installs the peer's packages (bench/postgraphile/package-lock.json) once."""
    if not (HOME / "node_modules/postgraphile").exists():
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--prefix", str(HOME)], check=True,
                       capture_output=True)


def start(database_url):
    installed()
    process = subprocess.Popen(["node", str(HOME / "server.js"), database_url, str(PORT), str(WORKERS), str(POOL)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(600):
        try:
            if "data" in post("{ __typename }"):
                return process
        except OSError:
            time.sleep(0.05)
    process.kill()
    raise SystemExit("PostGraphile did not start")


def pids(process):
    """The primary and its workers (the workers do the work)."""
    children = subprocess.run(["pgrep", "-P", str(process.pid)], capture_output=True, text=True).stdout.split()
    return [process.pid] + [int(pid) for pid in children]


def post(query, variables=None):
    body = json.dumps({"query": query, "variables": variables or {}}).encode()
    request = urllib.request.Request(f"http://127.0.0.1:{PORT}/graphql", body, {"Content-Type": "application/json"})
    with urllib.request.urlopen(request) as response:
        return json.loads(response.read())


def peer_variables(variables):
    """jobgraph's variables as PostGraphile takes them: its ids bare UUIDs."""
    return {key: uuid_of(value) for key, value in (variables or {}).items()}


def body(shape, variables):
    """The request body for `shape` (PostGraphile takes no GET)."""
    return json.dumps({"query": QUERIES[shape], "variables": peer_variables(variables)})


def uuid_of(global_id):
    """The UUID in a jobgraph global id (`base64url("Posting:<uuid>")`)."""
    return base64.urlsafe_b64decode(global_id + "=" * (-len(global_id) % 4)).decode().split(":", 1)[1]


def global_id(uuid):
    return base64.urlsafe_b64encode(f"Posting:{uuid}".encode()).decode().rstrip("=")


def _requirement(node):
    return {**node, "kind": node["kind"].upper()}


def as_jobgraph(shape, answer):
    """PostGraphile's answer of `shape` in jobgraph's shape (ids, enum case, list wrappers)."""
    postings = answer["data"]["postings"]
    if shape == "Q1":
        node = postings["nodes"][0] if postings["nodes"] else None
        if node is None:
            return {"data": {"posting": None}}
        return {"data": {"posting": {
            "id": global_id(node["id"]), "title": node["title"], "summary": node["summary"],
            "description": node["description"], "company": node["company"],
            "requirements": [_requirement(r) for r in node["requirements"]["nodes"]]}}}
    if shape == "Q2":
        return {"data": {"postings": {
            "edges": [{"node": {
                "id": global_id(edge["node"]["id"]), "title": edge["node"]["title"], "company": edge["node"]["company"],
                "locations": edge["node"]["postingLocations"]["nodes"],
                "requirements": [_requirement(r) for r in edge["node"]["requirements"]["nodes"]]}}
                for edge in postings["edges"]],
            "pageInfo": {"hasNextPage": postings["pageInfo"]["hasNextPage"]}}}}
    return {"data": {"postings": {"nodes": [{
        "id": global_id(node["id"]), "title": node["title"], "department": node["department"],
        "locations": node["postingLocations"]["nodes"]} for node in postings["nodes"]]}}}


def check(shape, variables, ours):
    """Fails unless PostGraphile answers `shape` with the content jobgraph answers (`ours`,
    its endCursor removed: each engine signs its own)."""
    theirs = as_jobgraph(shape, post(QUERIES[shape], peer_variables(variables)))
    if theirs != ours:
        raise SystemExit(f"PostGraphile answers {shape} differently:\n{json.dumps(theirs)[:2000]}\n{json.dumps(ours)[:2000]}")
