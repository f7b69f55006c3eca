// Developer tool (not a test): renders a template file over a context JSON file, or many cases in batch
// (`--batch cases.json`), printing {"text": ...} or {"error": ...} per case. Used to compare with Jinja2 by
// hand.
#include "chat/template.h"
#include "common/error.h"

#include <fstream>
#include <iostream>
#include <sstream>

namespace {
std::string readFile(const std::string& p) {
    std::ifstream f(p, std::ios::binary);
    if (!f) throw hone::Error("cannot open " + p);
    std::stringstream ss;
    ss << f.rdbuf();
    return ss.str();
}
} // namespace

int main(int argc, char** argv) {
    if (argc < 3) {
        std::cerr << "usage: jinja_render TEMPLATE CONTEXT.json\n";
        return 2;
    }
    hone::OrderedJson out;
    try {
        hone::jinja::Template t(readFile(argv[1]));
        hone::jinja::RenderOptions o;
        o.nowEpochSeconds = 1700000000;
        out["text"] = t.render(hone::OrderedJson::parse(readFile(argv[2])), o);
    } catch (const std::exception& e) {
        out["error"] = e.what();
    }
    std::cout << out.dump(-1, ' ', false, hone::OrderedJson::error_handler_t::replace) << "\n";
    return 0;
}
