#!/usr/bin/python3
"""A stand-in for the Confluent Schema Registry, for tests only (no registry server can be
installed here). It speaks the part of the REST API newsenrichd uses, the way the registry
documents it: content type application/vnd.schemaregistry.v1+json, error bodies
{"error_code": 40403, "message": "..."}, ids shared by equal schemas across subjects.

  POST /subjects/{subject}/versions   {"schema": "..."} -> {"id": N}  (409, 422 42201, 400)
  GET  /schemas/ids/{id}              -> {"schema": "..."}           (404 40403)
  GET  /subjects                      -> ["subject", ...]
  GET  /subjects/{subject}/versions   -> [1, 2, ...]                 (404 40401)

Test controls (never subject to faults or auth), JSON in and out:
  POST /_control/faults   merge settings; counts are consumed one per registry request:
        {"fail": N, "fail_status": 500, "fail_code": 50001}  error answers
        {"delay_ms": D, "delay_count": N}                     late answers (N = -1: all)
        {"close": N}                                          close without answering
        {"canned": N, "canned_status": 200, "canned_body": "...",
         "canned_type": "application/vnd.schemaregistry.v1+json"}   a fixed answer
        {"huge": N, "huge_bytes": B, "huge_length": true}     B bytes of JSON-ish filler,
                                                              with or without Content-Length
        {"incompatible": ["subject", ...]}                    409 for new schemas there
        {"require_auth": "user:password" | null}              basic auth, 401 40101
  POST /_control/schemas  {"id": N, "schema": "...", "schemaType": .., "references": ..}
  GET  /_control/stats    {"requests": n, "hits": {"GET /schemas/ids/1": n}, "last": {...}}

Listens on 127.0.0.1 with an ephemeral port, written to --port-file once listening. Exits
when its parent process goes away, so a crashed test leaves nothing behind.
"""
import argparse
import base64
import json
import os
import socket
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote

CONTENT_TYPE = "application/vnd.schemaregistry.v1+json"


class State:
    def __init__(self):
        self.lock = threading.Lock()
        self.schemas = {}       # id -> {"schema": str, optional schemaType/references}
        self.by_canonical = {}  # canonical schema text -> id
        self.subjects = {}      # subject -> [id per version]
        self.next_id = 1
        self.faults = {}
        self.requests = 0
        self.hits = {}
        self.last = {}

    def take(self, name):
        """Consumes one unit of the counted fault `name`; True when it applies."""
        n = self.faults.get(name, 0)
        if n == 0:
            return False
        if n > 0:
            self.faults[name] = n - 1
        return True


STATE = State()


def canonical(schema_text):
    """Equal schemas get equal ids; the registry compares parsed schemas, so do we."""
    return json.dumps(json.loads(schema_text), sort_keys=True, separators=(",", ":"))


def avro_error(schema, names=None, ns=""):
    """A shallow Avro check, enough to tell a schema from arbitrary JSON: known type names,
    named types defined before use, records with fields. `names` collects the defined names
    (short and namespace-qualified); `ns` is the enclosing namespace."""
    primitives = {"null", "boolean", "int", "long", "float", "double", "bytes", "string"}
    names = set() if names is None else names
    if isinstance(schema, str):
        if schema in primitives or schema in names:
            return None
        return f"Unknown type: {schema}"
    if isinstance(schema, list):
        for s in schema:
            err = avro_error(s, names, ns)
            if err:
                return err
        return None
    if not isinstance(schema, dict) or "type" not in schema:
        return "No type"
    kind = schema["type"]
    if kind in ("record", "error", "enum", "fixed"):
        name = schema.get("name")
        if not isinstance(name, str) or not name:
            return f"{kind} has no name"
        if "." in name:
            ns, short = name.rsplit(".", 1)
        else:
            ns, short = schema.get("namespace", ns) or "", name
        names.update({short, f"{ns}.{short}" if ns else short})
    if kind == "enum":
        return None if isinstance(schema.get("symbols"), list) else "Enum has no symbols"
    if kind == "fixed":
        return None if isinstance(schema.get("size"), int) else "Fixed has no size"
    if kind == "array":
        return avro_error(schema.get("items"), names, ns)
    if kind == "map":
        return avro_error(schema.get("values"), names, ns)
    if kind not in ("record", "error"):
        return avro_error(kind, names, ns)  # {"type": "long", "logicalType": ...}
    if not isinstance(schema.get("fields"), list):
        return "Record has no fields"
    for f in schema["fields"]:
        if not isinstance(f, dict) or "name" not in f or "type" not in f:
            return "Field has no name or type"
        err = avro_error(f["type"], names, ns)
        if err:
            return err
    return None


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "fake-schema-registry/1"

    def log_message(self, fmt, *args):
        if self.server.verbose:
            sys.stderr.write("fake_registry: " + (fmt % args) + "\n")

    # ---- plumbing ----
    def body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n else b""

    def send(self, status, obj=None, raw=None, ctype=CONTENT_TYPE, length=True):
        data = raw if raw is not None else json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        if length:
            self.send_header("Content-Length", str(len(data)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(data)
        self.close_connection = True

    def error(self, status, code, message):
        self.send(status, {"error_code": code, "message": message})

    # ---- dispatch ----
    def do_GET(self):
        self.dispatch("GET")

    def do_POST(self):
        self.dispatch("POST")

    def do_DELETE(self):
        self.dispatch("DELETE")

    def dispatch(self, method):
        path = self.path.split("?", 1)[0]
        body = self.body()
        if path.startswith("/_control/"):
            return self.control(method, path, body)
        st = STATE
        with st.lock:
            st.requests += 1
            key = f"{method} {path}"
            st.hits[key] = st.hits.get(key, 0) + 1
            st.last = {
                "method": method,
                "path": path,
                "content_type": self.headers.get("Content-Type"),
                "accept": self.headers.get("Accept"),
                "authorization": self.headers.get("Authorization"),
                "user_agent": self.headers.get("User-Agent"),
                "body": body.decode("utf-8", "replace"),
            }
            delay = st.faults.get("delay_ms", 0) if st.take("delay_count") else 0
            close = st.take("close")
            fail = st.take("fail")
            canned = st.take("canned")
            huge = st.take("huge")
            auth = st.faults.get("require_auth")
        if delay:
            time.sleep(delay / 1000.0)
        if close:
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        if auth:
            want = "Basic " + base64.b64encode(auth.encode()).decode()
            if self.headers.get("Authorization") != want:
                return self.error(401, 40101, "Unauthorized")
        if fail:
            status = st.faults.get("fail_status", 500)
            code = st.faults.get("fail_code", 50001)
            messages = {50001: "Error in the backend data store",
                        50002: "Operation timed out",
                        50003: "Error while forwarding the request to the primary",
                        42901: "Rate limit exceeded"}
            return self.error(status, code, messages.get(code, "Injected failure"))
        if canned:
            f = st.faults
            return self.send(f.get("canned_status", 200), raw=f.get("canned_body", "").encode(),
                             ctype=f.get("canned_type", CONTENT_TYPE))
        if huge:
            n = st.faults.get("huge_bytes", 2 << 20)
            filler = b'{"schema": "' + b"x" * max(0, n - 14) + b'"}'
            return self.send(200, raw=filler, length=st.faults.get("huge_length", True))
        parts = [unquote(p) for p in path.split("/")[1:]]
        self.route(method, parts, body)

    def route(self, method, parts, body):
        if method == "POST" and len(parts) == 3 and parts[0] == "subjects" and \
                parts[2] == "versions":
            return self.register(parts[1], body)
        if method == "GET" and len(parts) == 3 and parts[:2] == ["schemas", "ids"]:
            return self.schema_by_id(parts[2])
        if method == "GET" and parts == ["subjects"]:
            with STATE.lock:
                return self.send(200, sorted(STATE.subjects))
        if method == "GET" and len(parts) == 3 and parts[0] == "subjects" and \
                parts[2] == "versions":
            with STATE.lock:
                ids = STATE.subjects.get(parts[1])
            if ids is None:
                return self.error(404, 40401, f"Subject '{parts[1]}' not found.")
            return self.send(200, list(range(1, len(ids) + 1)))
        if parts and parts[0] in ("subjects", "schemas"):
            return self.error(405, 405, "HTTP 405 Method Not Allowed")
        return self.error(404, 404, "HTTP 404 Not Found")

    def register(self, subject, body):
        try:
            req = json.loads(body)
        except ValueError as e:
            return self.error(400, 400, f"Unexpected character: {e}")
        if not isinstance(req, dict) or not isinstance(req.get("schema"), str):
            return self.error(422, 422, "Unrecognized field or missing schema")
        try:
            parsed = json.loads(req["schema"])
            canon = canonical(req["schema"])
        except ValueError as e:
            return self.error(422, 42201, f"Invalid schema: {e}")
        err = avro_error(parsed)
        if err:
            return self.error(422, 42201, f"Invalid schema: {err}")
        st = STATE
        with st.lock:
            known = st.by_canonical.get(canon)
            versions = st.subjects.get(subject, [])
            if known is not None and known in versions:
                return self.send(200, {"id": known})
            if subject in st.faults.get("incompatible", []):
                return self.error(409, 409, "Schema being registered is incompatible with an "
                                  f"earlier schema for subject \"{subject}\"")
            if known is None:
                known = st.next_id
                st.next_id += 1
                st.by_canonical[canon] = known
                st.schemas[known] = {"schema": req["schema"]}
            st.subjects.setdefault(subject, []).append(known)
            return self.send(200, {"id": known})

    def schema_by_id(self, text):
        try:
            sid = int(text)
        except ValueError:
            return self.error(404, 40403, f"Schema {text} not found")
        with STATE.lock:
            entry = STATE.schemas.get(sid)
        if entry is None:
            return self.error(404, 40403, f"Schema {sid} not found")
        return self.send(200, entry)

    def control(self, method, path, body):
        st = STATE
        try:
            req = json.loads(body) if body else {}
        except ValueError:
            return self.send(400, {"error": "bad control JSON"}, ctype="application/json")
        with st.lock:
            if method == "POST" and path == "/_control/faults":
                st.faults.update(req)
                return self.send(200, st.faults, ctype="application/json")
            if method == "POST" and path == "/_control/schemas":
                sid = int(req.pop("id"))
                st.schemas[sid] = req
                st.next_id = max(st.next_id, sid + 1)
                return self.send(200, {"id": sid}, ctype="application/json")
            if method == "GET" and path == "/_control/stats":
                return self.send(200, {"requests": st.requests, "hits": st.hits,
                                       "last": st.last}, ctype="application/json")
        return self.send(404, {"error": "unknown control"}, ctype="application/json")


class Server(ThreadingHTTPServer):
    daemon_threads = True
    verbose = False

    def handle_error(self, request, client_address):
        # Clients that time out close their end; the late write fails. That is expected.
        if self.verbose:
            super().handle_error(request, client_address)


def watch_parent(server, parent):
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(0)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--verbose", action="store_true")
    args = ap.parse_args()

    server = Server(("127.0.0.1", 0), Handler)
    server.verbose = args.verbose
    tmp = args.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write(f"{server.server_address[1]}\n")
    os.rename(tmp, args.port_file)  # readers never see a half-written file
    threading.Thread(target=watch_parent, args=(server, os.getppid()), daemon=True).start()
    try:
        server.serve_forever(poll_interval=0.1)
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
