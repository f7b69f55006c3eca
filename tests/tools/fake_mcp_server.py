#!/usr/bin/env python3
# A scripted MCP stdio server for tst_mcp_client: behaves well or breaks in one chosen way (argv[1]).
#   good       initialize, tools/list in two pages (nextCursor), tools/call of "shout"/"slow"/"ask"
#   garbage    prints a line that is not JSON instead of answering initialize
#   silent     reads its input and never answers
#   stubborn   like silent, and ignores SIGTERM and the end of its input
#   oldversion answers initialize with a protocol version nobody speaks
#   die        answers initialize and tools/list, then exits with code 3 on tools/call (after a stderr line)
#   wrongid    answers tools/call with an id that was never used
import json
import signal
import sys
import time

mode = sys.argv[1] if len(sys.argv) > 1 else "good"
if mode == "stubborn":
    signal.signal(signal.SIGTERM, signal.SIG_IGN)


def send(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def read():
    line = sys.stdin.readline()
    if not line:
        if mode == "stubborn":
            while True:
                time.sleep(1)
        sys.exit(0)
    return json.loads(line)


TOOLS = [
    {"name": "shout", "description": "upper-cases text",
     "inputSchema": {"type": "object", "properties": {"text": {"type": "string"}}, "required": ["text"]},
     "annotations": {"readOnlyHint": True}},
    {"name": "slow", "description": "answers after a second", "inputSchema": {"type": "object"}},
    {"name": "ask", "description": "asks the client something first", "inputSchema": {"type": "object"}},
]

sys.stderr.write("fake server starting in mode " + mode + "\n")
sys.stderr.flush()
while True:
    msg = read()
    method, mid = msg.get("method"), msg.get("id")
    if mode in ("silent", "stubborn"):
        continue
    if method == "initialize":
        if mode == "garbage":
            sys.stdout.write("Server ready! (this line is not JSON)\n")
            sys.stdout.flush()
            continue
        version = "1999-01-01" if mode == "oldversion" else msg["params"]["protocolVersion"]
        send({"jsonrpc": "2.0", "id": mid, "result": {"protocolVersion": version, "capabilities": {"tools": {}},
                                                      "serverInfo": {"name": "fake", "version": "1"}}})
    elif method == "tools/list":
        cursor = (msg.get("params") or {}).get("cursor")
        if cursor is None:
            send({"jsonrpc": "2.0", "id": mid, "result": {"tools": TOOLS[:1], "nextCursor": "page2"}})
        else:
            send({"jsonrpc": "2.0", "id": mid, "result": {"tools": TOOLS[1:]}})
    elif method == "tools/call":
        name = msg["params"]["name"]
        if mode == "die":
            sys.stderr.write("fatal: the fake server crashed on purpose\n")
            sys.stderr.flush()
            sys.exit(3)
        if mode == "wrongid":
            send({"jsonrpc": "2.0", "id": 999, "result": {"content": []}})
            continue
        if name == "shout":
            text = msg["params"]["arguments"]["text"]
            send({"jsonrpc": "2.0", "id": mid, "result": {"content": [{"type": "text", "text": text.upper()}]}})
        elif name == "slow":
            time.sleep(1.0)
            send({"jsonrpc": "2.0", "id": mid, "result": {"content": [{"type": "text", "text": "late"}]}})
        elif name == "ask":
            send({"jsonrpc": "2.0", "method": "notifications/message", "params": {"level": "info", "data": "hi"}})
            send({"jsonrpc": "2.0", "id": "s1", "method": "sampling/createMessage", "params": {}})
            reply = read()
            while reply.get("id") != "s1":
                reply = read()
            code = reply.get("error", {}).get("code")
            send({"jsonrpc": "2.0", "id": mid, "result": {"content": [{"type": "text", "text": "client said %s" % code}],
                                                          "isError": False}})
        else:
            send({"jsonrpc": "2.0", "id": mid, "error": {"code": -32602, "message": "unknown tool " + name}})
    elif mid is not None:
        send({"jsonrpc": "2.0", "id": mid, "error": {"code": -32601, "message": "no " + str(method)}})
