#!/usr/bin/env python3
"""Reference renderer for Hone's chat-template tests: Python Jinja2 set up as Hugging Face transformers'
apply_chat_template does (ImmutableSandboxedEnvironment, trim_blocks, lstrip_blocks, loopcontrols, a
{% generation %} tag, json.dumps-based tojson, raise_exception and strftime_now globals).

Usage:
  jinja_reference.py TEMPLATE CONTEXT.json         print the rendered text, or "__HONE_JINJA_ERROR__: msg" (exit 1)
  jinja_reference.py --batch CASES.json            CASES: [{"template": path | "template_text": str,
                                                           "context": {...}}, ...]; prints a JSON list of
                                                           {"text": str} or {"error": str}, one per case.
The strftime_now clock is pinned by HONE_JINJA_NOW (seconds since the epoch, UTC) when set.
"""
import json
import os
import sys
from datetime import datetime, timezone

import jinja2
from jinja2 import nodes
from jinja2.ext import Extension
from jinja2.sandbox import ImmutableSandboxedEnvironment

ERROR_MARK = "__HONE_JINJA_ERROR__"


class AssistantTracker(Extension):
    """transformers' {% generation %} tag: renders its body (as a call block) and records its span."""

    tags = {"generation"}

    def __init__(self, environment):
        super().__init__(environment)
        self.spans = None

    def parse(self, parser):
        lineno = next(parser.stream).lineno
        body = parser.parse_statements(["name:endgeneration"], drop_needle=True)
        return nodes.CallBlock(self.call_method("_generation_support"), [], [], body).set_lineno(lineno)

    @jinja2.pass_eval_context
    def _generation_support(self, context, caller):
        return caller()


def make_env():
    def raise_exception(message):
        raise jinja2.exceptions.TemplateError(message)

    def tojson(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False):
        return json.dumps(x, ensure_ascii=ensure_ascii, indent=indent, separators=separators, sort_keys=sort_keys)

    def strftime_now(fmt):
        now = os.environ.get("HONE_JINJA_NOW")
        if now is not None:
            return datetime.fromtimestamp(int(now), timezone.utc).strftime(fmt)
        return datetime.now().strftime(fmt)

    env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True,
                                        extensions=[AssistantTracker, jinja2.ext.loopcontrols])
    env.filters["tojson"] = tojson
    env.globals["raise_exception"] = raise_exception
    env.globals["strftime_now"] = strftime_now
    return env


ENV = make_env()
_CACHE = {}


def render(template_text, context):
    tpl = _CACHE.get(template_text)
    if tpl is None:
        tpl = ENV.from_string(template_text)
        _CACHE[template_text] = tpl
    return tpl.render(**context)


def run_case(case):
    try:
        if "template_text" in case:
            text = case["template_text"]
        else:
            with open(case["template"], encoding="utf-8") as f:
                text = f.read()
        return {"text": render(text, case.get("context", {}))}
    except Exception as e:  # noqa: BLE001 - every failure is a result to compare
        return {"error": "%s: %s" % (type(e).__name__, e)}


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--batch":
        with open(sys.argv[2], encoding="utf-8") as f:
            cases = json.load(f)
        out = [run_case(c) for c in cases]
        sys.stdout.write(json.dumps(out, ensure_ascii=True))
        return 0
    if len(sys.argv) != 3:
        sys.stderr.write(__doc__)
        return 2
    with open(sys.argv[2], encoding="utf-8") as f:
        context = json.load(f)
    r = run_case({"template": sys.argv[1], "context": context})
    if "error" in r:
        sys.stdout.write(ERROR_MARK + ": " + r["error"] + "\n")
        return 1
    sys.stdout.write(r["text"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
