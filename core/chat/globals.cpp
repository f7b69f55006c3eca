// Global functions visible to templates: Jinja2's (range, dict, namespace, cycler, joiner) and those
// transformers adds (raise_exception, strftime_now).
#include "chat/builtins.h"
#include "chat/interpreter.h"
#include "common/error.h"

#include <ctime>
#include <map>

namespace hone::jinja {

namespace {

struct Namespace : Object {
    DictData data;
    std::string typeName() const override { return "Namespace"; }
    std::string repr() const override {
        std::string s = "<Namespace {";
        bool first = true;
        for (const auto& kv : data.items) {
            s += (first ? "" : ", ") + kv.first.repr() + ": " + kv.second.repr();
            first = false;
        }
        return s + "}>";
    }
    Value attr(std::string_view n) const override {
        if (const Value* v = data.find(n)) return *v;
        return Value::undefined("'Namespace object' has no attribute '" + std::string(n) + "'");
    }
    void setAttr(const std::string& n, Value v) override { data.set(Value(n), std::move(v)); }
    void breakCycles() override { data.items.clear(); }
};

struct Cycler : Object, std::enable_shared_from_this<Cycler> {
    std::vector<Value> items;
    void breakCycles() override { items.assign(1, Value()); }
    mutable size_t pos = 0;
    std::string typeName() const override { return "Cycler"; }
    Value attr(std::string_view n) const override {
        if (n == "current") return items[pos];
        auto self = std::const_pointer_cast<Cycler>(shared_from_this());
        if (n == "next")
            return Value(makeFunction("next", [self](Interpreter&, CallArgs&) {
                Value v = self->items[self->pos];
                self->pos = (self->pos + 1) % self->items.size();
                return v;
            }));
        if (n == "reset")
            return Value(makeFunction("reset", [self](Interpreter&, CallArgs&) {
                self->pos = 0;
                return Value::none();
            }));
        return Value::undefined("'Cycler object' has no attribute '" + std::string(n) + "'");
    }
};

Value gRange(Interpreter& in, CallArgs& a) {
    if (!a.kw.empty()) throw Error("range() takes no keyword arguments");
    for (const auto& v : a.pos)
        if (!v.isInt()) throw Error("'" + v.typeName() + "' object cannot be interpreted as an integer");
    int64_t start = 0, stop = 0, step = 1;
    if (a.pos.size() == 1) {
        stop = a.pos[0].asInt();
    } else if (a.pos.size() == 2 || a.pos.size() == 3) {
        start = a.pos[0].asInt();
        stop = a.pos[1].asInt();
        if (a.pos.size() == 3) step = a.pos[2].asInt();
    } else {
        throw Error("range expected 1 to 3 arguments, got " + std::to_string(a.pos.size()));
    }
    if (step == 0) throw Error("range() arg 3 must not be zero");
    double count =
        step > 0 ? (static_cast<double>(stop) - static_cast<double>(start)) / static_cast<double>(step)
                 : (static_cast<double>(start) - static_cast<double>(stop)) / static_cast<double>(-step);
    if (count > static_cast<double>(in.options().limits.maxRangeItems))
        throw Error("Range too big. The sandbox blocks ranges larger than MAX_RANGE (" +
                    std::to_string(in.options().limits.maxRangeItems) + ").");
    std::vector<Value> out;
    for (int64_t i = start; step > 0 ? i < stop : i > stop; i += step) out.emplace_back(i);
    return Value::list(std::move(out));
}

Value gDict(Interpreter&, CallArgs& a) {
    auto d = std::make_shared<DictData>();
    if (!a.pos.empty()) {
        const Value& src = a.pos[0];
        if (src.isDict()) {
            d->items = src.dict().items;
        } else {
            for (const auto& pair : iterate(src)) {
                auto kv = iterate(pair);
                if (kv.size() != 2) throw Error("dictionary update sequence element has wrong length");
                d->set(kv[0], kv[1]);
            }
        }
    }
    for (auto& [k, v] : a.kw) d->set(Value(k), v);
    return Value(std::move(d));
}

Value gNamespace(Interpreter& in, CallArgs& a) {
    auto ns = std::make_shared<Namespace>();
    in.track(ns);
    if (!a.pos.empty() && a.pos[0].isDict()) ns->data.items = a.pos[0].dict().items;
    for (auto& [k, v] : a.kw) ns->data.set(Value(k), v);
    return Value(std::shared_ptr<Object>(std::move(ns)));
}

Value gCycler(Interpreter& in, CallArgs& a) {
    if (a.pos.empty()) throw Error("at least one item has to be provided");
    auto c = std::make_shared<Cycler>();
    c->items = a.pos;
    in.track(c);
    return Value(std::shared_ptr<Object>(std::move(c)));
}

Value gJoiner(Interpreter&, CallArgs& a) {
    std::string sep = a.pos.empty() ? std::string(", ") : a.pos[0].toStr();
    for (auto& [k, v] : a.kw)
        if (k == "sep") sep = v.toStr();
    auto used = std::make_shared<bool>(false);
    return Value(makeFunction("joiner", [sep, used](Interpreter&, CallArgs&) {
        if (!*used) {
            *used = true;
            return Value("");
        }
        return Value(sep);
    }));
}

Value gRaise(Interpreter&, CallArgs& a) {
    throw Error(a.pos.empty() ? std::string("raise_exception() called") : a.pos[0].toStr());
}

Value gStrftime(Interpreter& in, CallArgs& a) {
    if (a.pos.empty() || !a.pos[0].isString()) throw Error("strftime_now() expects a format string");
    std::tm tm{};
    if (in.options().nowEpochSeconds) {
        auto t = static_cast<std::time_t>(*in.options().nowEpochSeconds);
        gmtime_r(&t, &tm);
    } else {
        std::time_t t = std::time(nullptr);
        localtime_r(&t, &tm);
    }
    const std::string& fmt = a.pos[0].str();
    if (fmt.size() > 256) throw Error("strftime_now(): format too long");
    char buf[1024];
    size_t n = std::strftime(buf, sizeof buf, fmt.c_str(), &tm);
    if (n == 0 && !fmt.empty()) return Value("");
    return Value(std::string(buf, n));
}

} // namespace

Value findGlobal(const std::string& name) {
    static const std::map<std::string, Value, std::less<>> table = [] {
        std::map<std::string, Value, std::less<>> t;
        t["range"] = Value(makeFunction("range", gRange));
        t["dict"] = Value(makeFunction("dict", gDict));
        t["namespace"] = Value(makeFunction("namespace", gNamespace));
        t["cycler"] = Value(makeFunction("cycler", gCycler));
        t["joiner"] = Value(makeFunction("joiner", gJoiner));
        t["raise_exception"] = Value(makeFunction("raise_exception", gRaise));
        t["strftime_now"] = Value(makeFunction("strftime_now", gStrftime));
        return t;
    }();
    auto it = table.find(name);
    return it == table.end() ? Value::undefined() : it->second;
}

} // namespace hone::jinja
