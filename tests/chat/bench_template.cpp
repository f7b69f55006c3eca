// Benchmark (not a test): renders a 50-turn tool-calling conversation with large real chat templates (Qwen3,
// Llama 3.1, gpt-oss) and times Python Jinja2 (tests/oracles/jinja_reference.py's environment) on the same
// input in the same run, printing both and the ratio. Usage: bench_template [FIXTURES_DIR] [SOURCE_DIR]
#include "chat/template.h"
#include "chat/template_source.h"
#include "common/error.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

using hone::OrderedJson;

namespace {

OrderedJson conversation(int turns) {
    OrderedJson msgs = OrderedJson::array();
    msgs.push_back({{"role", "system"}, {"content", "You are a helpful assistant with tools."}});
    for (int i = 0; i < turns; ++i) {
        msgs.push_back({{"role", "user"},
                        {"content", "Question number " + std::to_string(i) + ": what is the weather?"}});
        if (i % 3 == 0) {
            OrderedJson call = {
                {"id", "call_" + std::to_string(i)},
                {"type", "function"},
                {"function", {{"name", "get_weather"}, {"arguments", {{"city", "Paris"}, {"day", i}}}}}};
            msgs.push_back(
                {{"role", "assistant"}, {"content", ""}, {"tool_calls", OrderedJson::array({call})}});
            msgs.push_back({{"role", "tool"},
                            {"content", "{\"temp\": 21}"},
                            {"tool_call_id", "call_" + std::to_string(i)}});
        }
        msgs.push_back({{"role", "assistant"},
                        {"content", "It is sunny, about 21 degrees, answer " + std::to_string(i) + "."}});
    }
    OrderedJson tools = OrderedJson::array();
    for (const char* name : {"get_weather", "search", "calculator"})
        tools.push_back({{"type", "function"},
                         {"function",
                          {{"name", name},
                           {"description", std::string("Tool ") + name},
                           {"parameters",
                            {{"type", "object"},
                             {"properties", {{"city", {{"type", "string"}}}, {"day", {{"type", "integer"}}}}},
                             {"required", OrderedJson::array({"city"})}}}}}});
    return {{"messages", msgs},   {"tools", tools},      {"add_generation_prompt", true},
            {"bos_token", "<s>"}, {"eos_token", "</s>"}, {"date_string", "26 Jul 2024"}};
}

std::string envOr(const char* name, const char* def) {
    const char* v = std::getenv(name);
    return v ? v : def;
}

} // namespace

int main(int argc, char** argv) {
    std::string fixtures = argc > 1 ? argv[1] : envOr("HONE_FIXTURES_DIR", "../shared/fixtures");
    std::string source = argc > 2 ? argv[2] : envOr("HONE_SOURCE_DIR", ".");
    OrderedJson ctx = conversation(50);
    const std::string ctxPath = "/tmp/hone_bench_template_ctx.json";
    {
        FILE* f = std::fopen(ctxPath.c_str(), "wb");
        if (!f) return 1;
        std::string s = ctx.dump();
        std::fwrite(s.data(), 1, s.size(), f);
        std::fclose(f);
    }
    std::printf("%-40s %10s %14s %10s %8s %8s\n", "template (50 turns, tools)", "hone us", "hone+json us",
                "jinja2 us", "ratio", "bytes");
    for (const char* name :
         {"Qwen-Qwen3-0.6B.jinja", "meta-llama-Llama-3.1-8B-Instruct.jinja", "openai-gpt-oss-120b.jinja"}) {
        std::string path = fixtures + "/templates/" + name;
        try {
            hone::jinja::Template tpl(hone::jinja::readTextFile(path));
            std::string text = tpl.render(ctx);
            const int iters = 300;
            size_t total = 0;
            auto timeIt = [&](auto&& fn) {
                auto t0 = std::chrono::steady_clock::now();
                for (int i = 0; i < iters; ++i) fn();
                return std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0)
                           .count() /
                       iters;
            };
            // Render only, with the context converted once (the Jinja2 timing below also builds its dict
            // once) ...
            hone::jinja::Value value = hone::jinja::Value::fromJson(ctx);
            double us = timeIt([&] { total += tpl.render(value).size(); });
            // ... and including the JSON -> value conversion of the whole context on every call.
            double usJson = timeIt([&] { total += tpl.render(ctx).size(); });
            // Python Jinja2, same template and context, render only (parse excluded), best of 3 runs.
            std::string cmd = "python3 -c \"import sys, json, timeit; sys.path.insert(0, '" + source +
                              "/tests/oracles'); import jinja_reference as r; t = r.ENV.from_string(open('" +
                              path + "').read()); c = json.load(open('" + ctxPath +
                              "')); t.render(**c); print(min(timeit.repeat(lambda: t.render(**c), number=30, "
                              "repeat=3)) / 30 * 1e6)\"";
            double py = -1;
            if (FILE* p = popen(cmd.c_str(), "r")) {
                char buf[128] = {0};
                if (std::fgets(buf, sizeof buf, p)) py = std::atof(buf);
                pclose(p);
            }
            std::printf("%-40s %10.1f %14.1f %10.1f %7.1fx %8zu\n", name, us, usJson, py,
                        py > 0 ? py / us : 0.0, text.size());
            (void)total;
        } catch (const hone::Error& e) {
            std::printf("%-40s error: %s\n", name, e.what());
        }
    }
    return 0;
}
