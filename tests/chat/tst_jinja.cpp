// Unit tests of the Jinja engine: filters, tests, statements, whitespace control, errors and sandbox limits.
// Expected outputs were produced by Python Jinja2 3.1 configured as transformers does (tests/oracles/
// jinja_reference.py, HONE_JINJA_NOW=1700000000); this test does not need Python.
#include "chat/assistant_masks.h"
#include "chat/template.h"
#include "chat/template_source.h"
#include "common/error.h"

#include <QtTest>

using hone::OrderedJson;
using hone::jinja::RenderOptions;
using hone::jinja::Template;

namespace {

struct Case {
    const char* name;
    const char* tpl;
    const char* context;
    bool raises;
    const char* expected;
};

// clang-format off
const Case kCases[] = {
        {"urlencode", "{{ 'a b/c?d=\303\251&x'|urlencode }}|{{ {'k y': 'v/w', 'n': 1}|urlencode }}|{{ [('a','b c'),('d','e')]|urlencode }}|{{ 42|urlencode }}|{{ '~_.-'|urlencode }}", "{}", false, "a%20b/c%3Fd%3D%C3%A9%26x|k+y=v%2Fw&n=1|a=b+c&d=e|42|~_.-"},
        {"random_one_item", "{{ [7]|random }} {{ 'x'|random }}", "{}", false, "7 x"},
        {"random_empty", "{{ []|random }}|{{ ([]|random) is defined }}", "{}", false, "|False"},
        {"int_float", "{{ 1 }} {{ 1.0 }} {{ 0.1 }} {{ 1e16 }} {{ 1.5e-7 }} {{ 3/2 }} {{ 4/2 }} {{ 7//2 }} {{ -7//2 }} {{ 7%3 }} {{ -7%3 }} {{ 2**10 }} {{ 2**-1 }}", "{}", false, "1 1.0 0.1 1e+16 1.5e-07 1.5 2.0 3 -4 1 2 1024 0.5"},
        {"none_bool", "{{ none }} {{ None }} {{ true }} {{ False }} {{ x }}|{{ [1, 'a', none, true, 1.5] }} {{ {'a': 1, 'b': [2]} }} {{ (1,) }} {{ () }}", "{\"x\": null}", false, "None None True False None|[1, 'a', None, True, 1.5] {'a': 1, 'b': [2]} (1,) ()"},
        {"str_repr", "{{ ['it\\'s', \"q\\\"\", 'a\\nb', '\\\\'] }}", "{}", false, "[\"it's\", 'q\"', 'a\\nb', '\\\\']"},
        {"concat", "{{ 'a' ~ 1 ~ none ~ true ~ undefined_var }}|{{ 1 + 2 * 3 }}|{{ 'ab' * 3 }}|{{ [1] + [2] }}|{{ 'x' + 'y' }}", "{}", false, "a1NoneTrue|7|ababab|[1, 2]|xy"},
        {"compare", "{{ 1 == 1.0 }} {{ 1 < 2 }} {{ 'a' < 'b' }} {{ [1,2] == [1,2] }} {{ 1 != 2 }} {{ 'a' in 'cat' }} {{ 2 in [1,2] }} {{ 'k' in {'k': 1} }} {{ 3 not in [1] }}", "{}", false, "True True True True True True True True True"},
        {"logic", "{{ 0 or 'x' }} {{ 1 and 'y' }} {{ none or [] }} {{ not 0 }} {{ 'a' if false }}|{{ 'a' if 0 else 'b' }}", "{}", false, "x y [] True |b"},
        {"slicing", "{{ 'hello'[1:3] }} {{ 'hello'[::-1] }} {{ [1,2,3,4][1:] }} {{ [1,2,3,4][-2:] }} {{ [1,2,3,4][::2] }} {{ 'h\303\251llo'[1] }} {{ 'abc'[-1] }}", "{}", false, "el olleh [2, 3, 4] [3, 4] [1, 3] \303\251 c"},
        {"attr_item", "{{ d.a }} {{ d['b'] }} {{ d.missing }}|{{ l[0] }} {{ l[5] }}|{{ d.items() | list }}", "{\"d\": {\"a\": 1, \"b\": 2}, \"l\": [7]}", false, "1 2 |7 |[('a', 1), ('b', 2)]"},
        {"if_elif", "{% for x in [1,2,3] %}{% if x == 1 %}one{% elif x == 2 %}two{% else %}many{% endif %},{% endfor %}", "{}", false, "one,two,many,"},
        {"for_loop", "{% for x in 'abc' %}{{ loop.index }}{{ loop.index0 }}{{ loop.revindex }}{{ loop.revindex0 }}{{ loop.first }}{{ loop.last }}{{ loop.length }}{{ loop.previtem }}{{ loop.nextitem }};{% endfor %}", "{}", false, "1032TrueFalse3b;2121FalseFalse3ac;3210FalseTrue3b;"},
        {"for_cycle", "{% for x in range(5) %}{{ loop.cycle('a','b') }}{% endfor %}", "{}", false, "ababa"},
        {"for_else", "{% for x in [] %}x{% else %}empty{% endfor %}", "{}", false, "empty"},
        {"for_filter", "{% for x in range(10) if x is odd %}{{ x }}{{ loop.length }},{% endfor %}", "{}", false, "15,35,55,75,95,"},
        {"for_unpack", "{% for k, v in d.items() %}{{ k }}={{ v }};{% endfor %}{% for k in d %}{{ k }}{% endfor %}", "{\"d\": {\"z\": 1, \"a\": 2}}", false, "z=1;a=2;za"},
        {"break_continue", "{% for x in range(10) %}{% if x == 2 %}{% continue %}{% endif %}{% if x == 5 %}{% break %}{% endif %}{{ x }}{% endfor %}", "{}", false, "0134"},
        {"loop_scope", "{% set x = 1 %}{% for i in range(3) %}{% set x = x + i %}{{ x }}{% endfor %}|{{ x }}", "{}", false, "123|1"},
        {"namespace", "{% set ns = namespace(n=0, s='') %}{% for i in range(4) %}{% set ns.n = ns.n + i %}{% set ns.s = ns.s ~ i %}{% endfor %}{{ ns.n }} {{ ns.s }}", "{}", false, "6 0123"},
        {"set_tuple", "{% set a, b = 1, 2 %}{{ a }}{{ b }}{% set t = 1, 2 %}{{ t }}", "{}", false, "12(1, 2)"},
        {"block_set", "{% set x %}hello {{ 1 + 1 }}{% endset %}[{{ x }}]{% set y | upper %}abc{% endset %}{{ y }}", "{}", false, "[hello 2]ABC"},
        {"macro", "{% macro greet(name, greeting='Hi') %}{{ greeting }}, {{ name }}!{% endmacro %}{{ greet('Bob') }} {{ greet('Al', greeting='Yo') }} {{ greet(name='Z') }}", "{}", false, "Hi, Bob! Yo, Al! Hi, Z!"},
        {"macro_caller", "{% macro wrap(tag) %}<{{ tag }}>{{ caller() }}</{{ tag }}>{% endmacro %}{% call wrap('b') %}inner {{ 1 }}{% endcall %}", "{}", false, "<b>inner 1</b>"},
        {"macro_varargs", "{% macro m(a) %}{{ a }}{{ varargs }}{{ kwargs }}{% endmacro %}{{ m(1, 2, 3, k=4) }}", "{}", false, "1(2, 3){'k': 4}"},
        {"filter_block", "{% filter upper %}shout {{ 'it' }}{% endfilter %}", "{}", false, "SHOUT IT"},
        {"with_block", "{% with a = 1, b = 2 %}{{ a + b }}{% endwith %}{{ a }}", "{}", false, "3"},
        {"raw", "{% raw %}{{ not rendered }}{% endraw %}", "{}", false, "{{ not rendered }}"},
        {"comments", "a{# comment #}b{#- x -#} c", "{}", false, "abc"},
        {"generation", "{% for m in messages %}{% if m.role == 'assistant' %}{% generation %}{{ m.content }}!{% endgeneration %}{% else %}{{ m.content }}{% endif %}{% endfor %}", "{\"messages\": [{\"role\": \"user\", \"content\": \"q\"}, {\"role\": \"assistant\", \"content\": \"a\"}]}", false, "qa!"},
        {"ws_trim_blocks", "{% if true %}\nyes\n{% endif %}\nend", "{}", false, "yes\nend"},
        {"ws_lstrip", "  {% if true %}\n    x\n  {% endif %}\ny", "{}", false, "    x\ny"},
        {"ws_minus", "a  {{- 'b' -}}  c\n  {%- if true -%}  d  {%- endif -%}  e", "{}", false, "abcde"},
        {"ws_plus", "  {%+ if true %}x{% endif %}", "{}", false, "  x"},
        {"ws_var_not_lstripped", "  {{ 'v' }}\n", "{}", false, "  v"},
        {"ws_trailing_newline", "line\n", "{}", false, "line"},
        {"ws_comment_lstrip", "a\n  {# c #}\nb", "{}", false, "a\nb"},
        {"f_tojson", "{{ d|tojson }}|{{ d|tojson(indent=2) }}|{{ d|tojson(separators=(',', ':')) }}|{{ d|tojson(sort_keys=true) }}|{{ '\303\251\"\\n\\u0001'|tojson }}|{{ [1.0, 2.5, none, true]|tojson }}", "{\"d\": {\"b\": 1, \"a\": [1, {\"x\": \"y\"}], \"c\": {}}}", false, "{\"b\": 1, \"a\": [1, {\"x\": \"y\"}], \"c\": {}}|{\n  \"b\": 1,\n  \"a\": [\n    1,\n    {\n      \"x\": \"y\"\n    }\n  ],\n  \"c\": {}\n}|{\"b\":1,\"a\":[1,{\"x\":\"y\"}],\"c\":{}}|{\"a\": [1, {\"x\": \"y\"}], \"b\": 1, \"c\": {}}|\"\303\251\\\"\\n\\u0001\"|[1.0, 2.5, null, true]"},
        {"f_tojson_unicode", "{{ s|tojson }}", "{\"s\": \"\346\227\245\346\234\254\350\252\236 \360\237\216\211 \\t\"}", false, "\"\346\227\245\346\234\254\350\252\236 \360\237\216\211 \\t\""},
        {"f_trim_etc", "[{{ '  a b  '|trim }}] [{{ 'xxaxx'|trim('x') }}] {{ 'Hello'|upper }} {{ 'Hello'|lower }} {{ 'hello world-foo'|title }} {{ 'hELLO'|capitalize }}", "{}", false, "[a b] [a] HELLO hello Hello World-Foo Hello"},
        {"f_length", "{{ 'h\303\251llo'|length }} {{ [1,2]|length }} {{ {'a':1}|length }} {{ x|length }} {{ [1,2,3]|count }}", "{}", false, "5 2 1 0 3"},
        {"f_default", "{{ x|default('d') }} {{ ''|default('e') }} {{ ''|default('e', true) }} {{ none|default('n') }} {{ x|d('dd') }}", "{}", false, "d  e None dd"},
        {"f_join_map", "{{ [1,2,3]|join(', ') }} {{ users|map(attribute='name')|join('/') }} {{ ['a','b']|map('upper')|list }} {{ users|join(',', attribute='name') }}", "{\"users\": [{\"name\": \"a\"}, {\"name\": \"b\"}]}", false, "1, 2, 3 a/b ['A', 'B'] a,b"},
        {"f_select", "{{ ms|selectattr('role', 'equalto', 'user')|map(attribute='c')|list }} {{ ms|rejectattr('role', 'eq', 'user')|list|length }} {{ [1,2,3,4]|select('even')|list }} {{ [1,2,3,4]|reject('odd')|list }} {{ ms|selectattr('x')|list }} {{ ms|selectattr('x', 'defined')|list }}", "{\"ms\": [{\"role\": \"user\", \"c\": 1}, {\"role\": \"assistant\", \"c\": 2, \"x\": 0}]}", false, "[1] 1 [2, 4] [2, 4] [] [{'role': 'assistant', 'c': 2, 'x': 0}]"},
        {"f_first_last", "{{ [1,2,3]|first }} {{ [1,2,3]|last }} {{ 'abc'|first }} {{ []|first }}|", "{}", false, "1 3 a |"},
        {"f_items_dictsort", "{{ d|items|list }} {{ d|dictsort }} {{ d|dictsort(by='value', reverse=true) }}", "{\"d\": {\"b\": 2, \"A\": 3, \"c\": 1}}", false, "[('b', 2), ('A', 3), ('c', 1)] [('A', 3), ('b', 2), ('c', 1)] [('A', 3), ('b', 2), ('c', 1)]"},
        {"f_string_list", "{{ 1|string ~ 2 }} {{ 'ab'|list }} {{ none|string }} {{ [1]|string }}", "{}", false, "12 ['a', 'b'] None [1]"},
        {"f_replace", "{{ 'aaa'|replace('a', 'b') }} {{ 'aaa'|replace('a', 'b', 2) }} {{ 'abc'|replace('', '-') }}", "{}", false, "bbb bba -a-b-c-"},
        {"f_indent", "[{{ 'a\\nb\\n\\nc'|indent }}] [{{ 'a\\nb'|indent(2, true) }}] [{{ 'a\\n\\nb'|indent(2, blank=true) }}] [{{ 'x'|indent('> ', first=true) }}]", "{}", false, "[a\n    b\n\n    c] [  a\n  b] [a\n  \n  b] [> x]"},
        {"f_unique_sort", "{{ ['b','A','a','c']|unique|list }} {{ [3,1,2]|sort }} {{ ['b','A','c']|sort }} {{ ['b','A','c']|sort(case_sensitive=true) }} {{ ms|sort(attribute='n', reverse=true)|map(attribute='n')|list }}", "{\"ms\": [{\"n\": 1}, {\"n\": 3}, {\"n\": 2}]}", false, "['b', 'A', 'c'] [1, 2, 3] ['A', 'b', 'c'] ['A', 'b', 'c'] [3, 2, 1]"},
        {"f_numbers", "{{ -3|abs }} {{ '42'|int }} {{ '4.7'|int }} {{ 'x'|int(7) }} {{ '1.5'|float }} {{ 3|float }} {{ 2.567|round(2) }} {{ 2.5|round }} {{ 2.1|round(0, 'ceil') }} {{ [1,2,3]|sum }} {{ [1,5,3]|max }} {{ [4,2]|min }}", "{}", false, "3 42 4 7 1.5 3.0 2.57 2.0 3.0 6 5 2"},
        {"f_format", "{{ '%s-%d-%.2f'|format('a', 3, 1.234) }} {{ '%05d|%-4s|%x'|format(42, 'ab', 255) }} {{ '%(a)s'|format(a=1) }} {{ '%r %s'|format('q', none) }}", "{}", false, "a-3-1.23 00042|ab  |ff 1 'q' None"},
        {"f_misc", "{{ 'ab cd ef'|wordcount }} {{ 'hello world foo'|truncate(9) }} {{ 'abc'|center(7) }}| {{ [1,2,3,4,5]|batch(2)|list }} {{ [1,2,3,4,5]|slice(2)|list }} {{ 'abc'|reverse }} {{ [1,2]|reverse|list }}", "{}", false, "3 hello...   abc  | [[1, 2], [3, 4], [5]] [[1, 2, 3], [4, 5]] cba [2, 1]"},
        {"f_escape_safe", "{{ '<a href=\"x\">&'|e }} {{ ('<b>'|safe + '<i>') }} {{ ('x'|safe + '\"') }}", "{}", false, "&lt;a href=&#34;x&#34;&gt;&amp; <b>&lt;i&gt; x&#34;"},
        {"f_attr_groupby", "{{ d|attr('items') is callable }} {{ d|attr('a') }}| {% for g, items in ms|groupby('k') %}{{ g }}:{{ items|length }};{% endfor %}", "{\"d\": {\"a\": 1}, \"ms\": [{\"k\": \"x\"}, {\"k\": \"y\"}, {\"k\": \"x\"}]}", false, "True | x:2;y:1;"},
        {"tests_basic", "{{ x is defined }} {{ y is defined }} {{ y is undefined }} {{ none is none }} {{ 1 is number }} {{ 1 is integer }} {{ 1.0 is float }} {{ true is boolean }} {{ 'a' is string }} {{ {} is mapping }} {{ [] is sequence }} {{ 'a' is iterable }} {{ 3 is odd }} {{ 4 is even }} {{ 9 is divisibleby 3 }} {{ 'ab' is lower }} {{ 'AB' is upper }} {{ true is true }} {{ 0 is false }}", "{\"x\": 1}", false, "True False True True True True True True True True True True True True True True True True False"},
        {"tests_compare", "{{ 1 is eq 1 }} {{ 1 is ne 2 }} {{ 1 is lt 2 }} {{ 2 is gt 1 }} {{ 2 is ge 2 }} {{ 1 is le 0 }} {{ 'a' is in 'abc' }} {{ 1 is in [2] }} {{ x is not none }} {{ 'upper' is filter }} {{ 'odd' is test }} {{ x is sameas x }}", "{\"x\": null}", false, "True True True True True False True False False True True True"},
        {"m_str", "{{ ' ab '.strip() }}|{{ 'xxabxx'.strip('x') }}|{{ ' ab '.lstrip() }}|{{ ' ab '.rstrip() }}|{{ 'a,b,c'.split(',') }}|{{ 'a b  c'.split() }}|{{ 'a,b,c'.split(',', 1) }}|{{ 'a,b,c'.rsplit(',', 1) }}|{{ 'abc'.startswith('ab') }}|{{ 'abc'.endswith(('x', 'c')) }}|{{ 'hello world'.title() }}|{{ 'abcabc'.find('c') }}|{{ 'abcabc'.rfind('c') }}|{{ 'abcabc'.count('a') }}|{{ '-'.join(['a', 'b']) }}|{{ 'a\\nb'.splitlines() }}|{{ 'AbC'.swapcase() }}|{{ '42'.isdigit() }}|{{ 'ab'.isalpha() }}|{{ '7'.zfill(3) }}|{{ 'a=b=c'.partition('=') }}", "{}", false, "ab|ab|ab | ab|['a', 'b', 'c']|['a', 'b', 'c']|['a', 'b,c']|['a,b', 'c']|True|True|Hello World|2|5|2|a-b|['a', 'b']|aBc|True|True|007|('a', '=', 'b=c')"},
        {"m_format", "{{ '{} and {}'.format(1, 'x') }}|{{ '{0}{1}{0}'.format('a', 'b') }}|{{ '{name}!'.format(name='N') }}|{{ '{:>5}|{:<4}|{:^5}|{:05.1f}|{:,}'.format('r', 'l', 'c', 3.14159, 1234567) }}|{{ '{{x}}'.format() }}|{{ '{!r}'.format('s') }}", "{}", false, "1 and x|aba|N!|    r|l   |  c  |003.1|1,234,567|{x}|'s'"},
        {"m_dict", "{{ d.get('a') }} {{ d.get('z') }} {{ d.get('z', 5) }} {{ d.keys()|list }} {{ d.values()|list }} {{ d.items()|list }}", "{\"d\": {\"a\": 1, \"b\": null}}", false, "1 None 5 ['a', 'b'] [1, None] [('a', 1), ('b', None)]"},
        {"m_list", "{{ l.index(2) }} {{ l.count(1) }}", "{\"l\": [1, 2, 1]}", false, "1 2"},
        {"percent_op", "{{ '%s and %s' % ('a', 'b') }} {{ '%d%%' % 50 }} {{ '%.3f' % 2 }} {{ '%5.1f|' % 3.14159 }}", "{}", false, "a and b 50% 2.000   3.1|"},
        {"globals", "{{ range(3)|list }} {{ range(1, 10, 3)|list }} {{ range(5, 0, -2)|list }} {{ dict(a=1, b=2) }} {% set j = joiner('|') %}{% for x in 'ab' %}{{ j() }}{{ x }}{% endfor %}", "{}", false, "[0, 1, 2] [1, 4, 7] [5, 3, 1] {'a': 1, 'b': 2} a|b"},
        {"strftime", "{{ strftime_now('%Y-%m-%d %H:%M') }} {{ strftime_now('%d %b %Y') }}", "{}", false, "2023-11-14 22:13 14 Nov 2023"},
        {"dict_order", "{{ d }} {% for k in d %}{{ k }}{% endfor %} {{ d|tojson }}", "{\"d\": {\"zeta\": 1, \"alpha\": 2, \"mid\": 3}}", false, "{'zeta': 1, 'alpha': 2, 'mid': 3} zetaalphamid {\"zeta\": 1, \"alpha\": 2, \"mid\": 3}"},
        {"err_raise", "{{ raise_exception('custom failure') }}", "{}", true, ""},
        {"err_undefined_attr", "{{ x.y.z }}", "{}", true, ""},
        {"err_append", "{% set l = [1] %}{{ l.append(2) }}", "{}", true, ""},
        {"err_ctx_append", "{{ msgs.append(1) }}", "{\"msgs\": []}", true, ""},
        {"err_dict_update", "{{ d.update({'a': 1}) }}", "{\"d\": {}}", true, ""},
        {"err_pop", "{{ d.pop('a') }}", "{\"d\": {\"a\": 1}}", true, ""},
        {"err_range", "{{ range(1000000)|length }}", "{}", true, ""},
        {"err_tojson_undefined", "{{ x|tojson }}", "{}", true, ""},
        {"err_add_undefined", "{{ x + 1 }}", "{}", true, ""},
        {"err_div_zero", "{{ 1 / 0 }}", "{}", true, ""},
        {"err_call_undefined", "{{ nope() }}", "{}", true, ""},
        {"err_str_plus_int", "{{ 'a' + 1 }}", "{}", true, ""},
        {"err_unknown_filter", "{{ 1|nosuchfilter }}", "{}", true, ""},
        {"err_unknown_test", "{{ 1 is nosuchtest }}", "{}", true, ""},
        {"err_syntax_unclosed", "{% if x %}never closed", "{}", true, ""},
        {"err_syntax_bad_expr", "{{ 1 + }}", "{}", true, ""},
        {"err_unknown_tag", "{% frobnicate %}", "{}", true, ""},
        {"err_recursion", "{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}{{ f(0) }}", "{}", true, ""},
        {"err_iterate_none", "{% for x in none %}{% endfor %}", "{}", true, ""},
        {"err_generator_len", "{{ [1]|map('string')|length }}", "{}", true, ""},
        {"soft_unknown_filter_if", "{% if false %}{{ x is nosuchtest }}{{ x|nosuch }}{% endif %}ok", "{}", false, "ok"},
        {"soft_unknown_condexpr", "{{ x|nosuch if false else 1 }}ok", "{}", false, "1ok"},
        {"err_soft_unknown_runs", "{% if true %}{{ x|nosuch }}{% endif %}ok", "{}", true, ""},
        {"err_unknown_filter_in_for_in_if", "{% if false %}{% for x in y %}{{ x|nosuch }}{% endfor %}{% endif %}ok", "{}", true, ""},
        {"chained_compare", "{{ 1 < 2 < 3 }} {{ 3 > 2 > 2 }} {{ 1 == 1 != 2 }}", "{}", false, "True False True"},
        {"tojson_indent_str", "{{ {'a': [1]}|tojson(indent='\t') }}", "{}", false, "{\n\t\"a\": [\n\t\t1\n\t]\n}"},
        {"loop_depth_changed", "{% for i in [1,1,2] %}{{ loop.depth }}{{ loop.changed(i) }}{% for j in 'a' %}{{ loop.depth0 }}{% endfor %};{% endfor %}", "{}", false, "1True0;1False0;1True0;"},
        {"unicode_case", "{{ 'stra\303\237e \303\211COLE'|upper }} {{ '\303\200\303\211\303\216'|lower }} {{ '\303\251lan vital'|title }} {{ '\303\251lan'|capitalize }} {{ '  \302\240x\343\200\200 '|trim }}|", "{}", false, "STRASSE \303\211COLE \303\240\303\251\303\256 \303\211lan Vital \303\211lan x|"},
        {"percent_more", "{{ '%c%c' % (72, 'i') }} {{ '%+d % d' % (5, 5) }} {{ '%e' % 12345.678 }} {{ '%g %g' % (0.0001, 1e20) }} {{ '%o %X' % (8, 255) }} {{ '%10.3s|' % 'abcdef' }}", "{}", false, "Hi +5  5 1.234568e+04 0.0001 1e+20 10 FF        abc|"},
        {"macro_scope", "{% set g = 'global' %}{% macro m() %}{{ g }}{% set g = 'local' %}{{ g }}{% endmacro %}{{ m() }} {{ g }}", "{}", false, "globallocal global"},
        {"dict_global", "{{ dict(a=1) }} {{ dict([('x', 1)]) }} {% set d = {'k': 'v'} %}{{ d.k }} {{ {1: 'one'}[1] }}", "{}", false, "{'a': 1} {'x': 1} v one"},
        {"strings_misc", "{{ 'a-b_c d'.split('-') }} {{ 'ab'.center(6, '*') }} {{ 'ab'.ljust(4, '.') }}| {{ 'abc'.rjust(5) }} {{ 'x'.join('abc') }} {{ 'Hello World'.swapcase() }} {{ 'ab'.removeprefix('a') }} {{ 'a.b.c'.rpartition('.') }}", "{}", false, "['a', 'b_c d'] **ab** ab..|   abc axbxc hELLO wORLD b ('a.b', '.', 'c')"},
        {"is_iterable_etc", "{{ [] is iterable }} {{ 5 is iterable }} {{ x is mapping }} {{ none is string }} {{ 'a' is sequence }} {{ range is callable }}", "{\"x\": {}}", false, "True False True False True True"},
        {"content_parts", "{% for p in m.content %}{% if p.type == 'text' %}{{ p.text }}{% endif %}{% endfor %}|{{ m.content is string }}|{{ m.content[0]['text'] }}", "{\"m\": {\"content\": [{\"type\": \"text\", \"text\": \"hi\"}, {\"type\": \"image\"}]}}", false, "hi|False|hi"},
        {"tool_args_json_string", "{{ a|tojson }} {{ b|tojson }} {% if a is string %}s{% else %}{{ a.x }}{% endif %}", "{\"a\": \"{\\\"x\\\": 1}\", \"b\": {\"x\": 1, \"y\": [true, null]}}", false, "\"{\\\"x\\\": 1}\" {\"x\": 1, \"y\": [true, null]} s"},
        {"loop_last_nested_ns", "{% set ns = namespace(found=false, last='') %}{% for m in ms %}{% if m.role == 'user' %}{% set ns.last = m.content %}{% set ns.found = true %}{% endif %}{% endfor %}{{ ns.found }} {{ ns.last }} {{ ns }}", "{\"ms\": [{\"role\": \"user\", \"content\": \"a\"}, {\"role\": \"assistant\", \"content\": \"b\"}, {\"role\": \"user\", \"content\": \"c\"}]}", false, "True c <Namespace {'found': True, 'last': 'c'}>"},
        {"ws_complex", "{%- for m in ms -%}\n  {{- m -}}\n  {%- if not loop.last %}, {% endif -%}\n{%- endfor %}\n{# trailing #}\n  {% if true %}\n    end\n  {% endif %}\n", "{\"ms\": [1, 2, 3]}", false, "1, 2, 3    end\n"},
        {"err_chained_undefined", "{{ 1 < x < 3 }}", "{}", true, ""},
        {"err_set_attr_non_ns", "{% set d = {} %}{% set d.x = 1 %}", "{}", true, ""},
        {"err_macro_too_many", "{% macro m(a) %}{{ a }}{% endmacro %}{{ m(a=1, a=2) }}", "{}", true, ""},
        {"recursive_loop", "{% for n in tree recursive %}[{{ n.name }}{{ loop.depth }}{% if n.children %}{{ loop(n.children) }}{% endif %}]{% endfor %}", "{\"tree\": [{\"name\": \"a\", \"children\": [{\"name\": \"b\", \"children\": [{\"name\": \"c\"}]}, {\"name\": \"d\"}]}, {\"name\": \"e\"}]}", false, "[a1[b2[c3]][d2]][e1]"},
        {"err_loop_not_recursive", "{% for n in [1] %}{{ loop([2]) }}{% endfor %}", "{}", true, ""},

};
// clang-format on

std::string renderText(const std::string& tpl, const OrderedJson& ctx, const RenderOptions& o = {}) {
    return Template(tpl).render(ctx, o);
}

QString errorOf(const std::string& tpl, const OrderedJson& ctx = OrderedJson::object(),
                const RenderOptions& o = {}) {
    try {
        renderText(tpl, ctx, o);
    } catch (const hone::Error& e) {
        return QString::fromStdString(e.what());
    }
    return {};
}

} // namespace

class TestJinja : public QObject {
    Q_OBJECT
private slots:
    void reference_data() {
        QTest::addColumn<int>("index");
        for (int i = 0; i < static_cast<int>(std::size(kCases)); ++i) QTest::newRow(kCases[i].name) << i;
    }
    void reference() {
        QFETCH(int, index);
        const Case& c = kCases[index];
        RenderOptions o;
        o.nowEpochSeconds = 1700000000;
        OrderedJson ctx = OrderedJson::parse(c.context);
        if (c.raises) {
            QVERIFY2(!errorOf(c.tpl, ctx, o).isEmpty(), "Jinja2 raises here, Hone rendered");
            return;
        }
        std::string got;
        try {
            got = renderText(c.tpl, ctx, o);
        } catch (const hone::Error& e) {
            QFAIL(e.what());
        }
        QCOMPARE(QString::fromStdString(got), QString::fromUtf8(c.expected));
    }

    void syntaxErrorsHaveLineAndColumn() {
        QString e = errorOf("line one\n{% if x %}\n  {{ 1 + }}\n{% endif %}");
        QVERIFY2(e.contains("line 3, column"), qPrintable(e));
        e = errorOf("{% for x in y %}\nno end");
        QVERIFY2(e.contains("line 2") && e.contains("endfor"), qPrintable(e));
        e = errorOf("ok {{ 'unterminated }}");
        QVERIFY2(e.contains("line 1, column 7") && e.contains("unterminated string"), qPrintable(e));
    }

    void runtimeErrorsHaveLocation() {
        QString e = errorOf("a\nb {{ raise_exception('boom') }}");
        QVERIFY2(e.contains("line 2") && e.contains("boom"), qPrintable(e));
    }

    void unknownFiltersAndTestsAreNamed() {
        QVERIFY(errorOf("{{ x|frobnicate }}").contains("frobnicate"));
        QVERIFY(errorOf("{{ x is frobnicated }}").contains("frobnicated"));
        QVERIFY(errorOf("{% frob %}").contains("frob"));
    }

    void sandboxLimitsStopRunawayTemplates() {
        RenderOptions o;
        o.limits.maxSteps = 200000;
        QString e =
            errorOf("{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}",
                    OrderedJson::object(), o);
        QVERIFY2(e.contains("step limit"), qPrintable(e));
        RenderOptions small;
        small.limits.maxOutputBytes = 1 << 20;
        e = errorOf("{% for i in range(100000) %}{{ 'x' * 1000 }}{% endfor %}", OrderedJson::object(), small);
        QVERIFY2(e.contains("size limit"), qPrintable(e));
        e = errorOf("{{ 'x' * 1000000000000 }}");
        QVERIFY2(e.contains("size limit"), qPrintable(e));
        e = errorOf("{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}");
        QVERIFY2(e.contains("recursion"), qPrintable(e));
        e = errorOf("{{ range(100001)|list }}");
        QVERIFY2(e.contains("MAX_RANGE"), qPrintable(e));
        // Deeply nested expressions stop at the parser's nesting limit instead of overflowing the stack.
        std::string deep = std::string(5000, '(') + "1" + std::string(5000, ')');
        QVERIFY(errorOf("{{ " + deep + " }}").contains("nesting"));
        std::string deepList = std::string(5000, '[') + std::string(5000, ']');
        QVERIFY(errorOf("{{ " + deepList + " }}").contains("nesting"));
    }

    void contextKeepsKeyOrderAndTypes() {
        OrderedJson ctx = OrderedJson::parse(R"({"d": {"z": 1, "a": 2.0, "m": [true, null]}})");
        QCOMPARE(QString::fromStdString(renderText("{{ d }}", ctx)),
                 QStringLiteral("{'z': 1, 'a': 2.0, 'm': [True, None]}"));
    }

    void generationSpansAndPrefixMasksAgree() {
        // A ChatML template with and without {% generation %}: both mask methods must give the assistant text
        // including the end-of-turn marker.
        const std::string plain =
            "{% for m in messages %}<|im_start|>{{ m.role }}\n{{ m.content }}<|im_end|>\n{% endfor %}"
            "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}";
        const std::string tracked =
            "{% for m in messages %}{% if m.role == 'assistant' %}<|im_start|>assistant\n{% generation %}"
            "{{ m.content }}<|im_end|>\n{% endgeneration %}{% else %}<|im_start|>{{ m.role }}\n{{ m.content "
            "}}"
            "<|im_end|>\n{% endif %}{% endfor %}{% if add_generation_prompt %}<|im_start|>assistant\n{% "
            "endif %}";
        OrderedJson ctx = OrderedJson::parse(R"({"messages": [
            {"role": "system", "content": "S"}, {"role": "user", "content": "Q1"},
            {"role": "assistant", "content": "A1 é"}, {"role": "user", "content": "Q2"},
            {"role": "assistant", "content": "A2"}]})");
        QVERIFY(!Template("literal endgeneration text").hasGenerationBlocks());
        QVERIFY(Template(tracked).hasGenerationBlocks());
        for (const auto& src : {plain, tracked}) {
            Template t(src);
            auto m = hone::jinja::assistantSpans(t, ctx);
            QVERIFY(m.consistent);
            QCOMPARE(m.method, std::string(t.hasGenerationBlocks() ? "generation" : "prefix-diff"));
            QCOMPARE(m.spans.size(), size_t(2));
            QCOMPARE(m.text.substr(m.spans[0].begin, m.spans[0].end - m.spans[0].begin),
                     std::string("A1 é<|im_end|>\n"));
            QCOMPARE(m.text.substr(m.spans[1].begin, m.spans[1].end - m.spans[1].begin),
                     std::string("A2<|im_end|>\n"));
        }
    }

    void inconsistentPrefixesAreReported() {
        // Drops the content of every assistant turn but the last: earlier turns change as the conversation
        // grows.
        Template t(
            "{% for m in messages %}{{ m.role }}:{% if m.role != 'assistant' or loop.last %}{{ m.content }}"
            "{% endif %};{% endfor %}");
        OrderedJson ctx = OrderedJson::parse(R"({"messages": [{"role": "user", "content": "q"},
            {"role": "assistant", "content": "a"}, {"role": "user", "content": "q2"},
            {"role": "assistant", "content": "b"}]})");
        auto m = hone::jinja::assistantSpans(t, ctx);
        QVERIFY(!m.consistent);
        QCOMPARE(m.problems.size(), size_t(1));
        QCOMPARE(m.spans.size(), size_t(1));
        QCOMPARE(m.text.substr(m.spans[0].begin, m.spans[0].end - m.spans[0].begin),
                 std::string("assistant:b;"));
    }

    void templateSourcesFromConfig() {
        auto single = hone::jinja::templatesFromConfig(hone::Json("{{ x }}"), "cfg");
        QCOMPARE(single.select(std::nullopt, false).text, std::string("{{ x }}"));
        auto multi = hone::jinja::templatesFromConfig(
            hone::Json::parse(
                R"([{"name": "default", "template": "D"}, {"name": "tool_use", "template": "T"}])"),
            "cfg");
        QCOMPARE(multi.select(std::nullopt, false).text, std::string("D"));
        QCOMPARE(multi.select(std::nullopt, true).text, std::string("T"));
        QCOMPARE(multi.select(std::string("default"), true).text, std::string("D"));
        QVERIFY_THROWS_EXCEPTION(hone::Error, multi.select(std::string("rag"), false));
        QVERIFY_THROWS_EXCEPTION(hone::Error, hone::jinja::templatesFromConfig(hone::Json(42), "cfg"));
    }
};

QTEST_GUILESS_MAIN(TestJinja)
#include "tst_jinja.moc"
