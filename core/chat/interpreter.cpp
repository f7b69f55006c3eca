// Interpreter: evaluation of expressions and execution of statements with Jinja2/Python semantics.
#include "chat/interpreter.h"

#include "chat/builtins.h"
#include "common/error.h"

#include <cmath>

namespace hone::jinja {

namespace {

CallArgs evalArgs(Interpreter& in, const std::vector<Arg>& args) {
    CallArgs out;
    out.pos.reserve(args.size());
    for (const auto& a : args) {
        if (a.name.empty()) {
            out.pos.push_back(a.value->eval(in));
        } else {
            out.kw.emplace_back(a.name, a.value->eval(in));
        }
    }
    return out;
}

struct MacroValue : Callable {
    const MacroStmt* stmt = nullptr;
    int defFrame = 0;
    Value caller;
    Value call(Interpreter& in, CallArgs& args) override {
        Interpreter::CallGuard guard(in);
        in.step();
        int parent = defFrame <= in.topFrame() ? defFrame : 0;
        int frame = in.pushFrame(parent);
        struct Pop {
            Interpreter& in;
            ~Pop() { in.popFrame(); }
        } pop{in};
        const auto& params = stmt->params;
        std::vector<bool> bound(params.size(), false);
        std::vector<Value> varargs;
        for (size_t i = 0; i < args.pos.size(); ++i) {
            if (i < params.size()) {
                in.setIn(frame, params[i], args.pos[i]);
                bound[i] = true;
            } else {
                varargs.push_back(args.pos[i]);
            }
        }
        auto kwargs = std::make_shared<DictData>();
        Value callerArg = caller;
        for (auto& [k, v] : args.kw) {
            bool found = false;
            for (size_t i = 0; i < params.size(); ++i) {
                if (params[i] == k) {
                    if (bound[i])
                        throw Error("macro '" + name + "' got multiple values for argument '" + k + "'");
                    in.setIn(frame, k, v);
                    bound[i] = true;
                    found = true;
                }
            }
            if (!found) {
                if (k == "caller") {
                    callerArg = v;
                } else {
                    kwargs->set(Value(k), v);
                }
            }
        }
        for (size_t i = 0; i < params.size(); ++i) {
            if (bound[i]) continue;
            if (stmt->defaults[i]) {
                in.setIn(frame, params[i], stmt->defaults[i]->eval(in));
            } else {
                in.setIn(frame, params[i],
                         Value::undefined("parameter '" + params[i] + "' was not provided"));
            }
        }
        in.setIn(frame, "varargs", Value::list(std::move(varargs), true));
        in.setIn(frame, "kwargs", Value(std::move(kwargs)));
        if (!callerArg.isUndefined()) in.setIn(frame, "caller", callerArg);
        std::string out;
        Interpreter::Flow savedFlow = in.flow;
        in.flow = Interpreter::Flow::Normal;
        in.renderBody(stmt->body, out);
        in.flow = savedFlow;
        return Value(std::move(out));
    }
};

struct LoopObject : Object, std::enable_shared_from_this<LoopObject> {
    std::vector<Value> items;
    size_t index = 0;
    int depth = 1;
    const ForStmt* stmt = nullptr; // set for `recursive` loops: loop(children) renders the body again
    Value call(Interpreter& in, CallArgs& args) override {
        if (!stmt || !stmt->recursive)
            throw Error("'LoopContext' object is not callable (the loop is not recursive)");
        if (args.pos.size() != 1) throw Error("loop() takes exactly one argument");
        Interpreter::CallGuard guard(in);
        std::string out;
        stmt->run(in, out, args.pos[0], depth + 1);
        return Value(std::move(out));
    }
    std::string typeName() const override { return "LoopContext"; }
    std::string repr() const override {
        return "<LoopContext " + std::to_string(index + 1) + "/" + std::to_string(items.size()) + ">";
    }
    Value attr(std::string_view n) const override {
        auto len = static_cast<int64_t>(items.size());
        auto i = static_cast<int64_t>(index);
        if (n == "index") return Value(i + 1);
        if (n == "index0") return Value(i);
        if (n == "revindex") return Value(len - i);
        if (n == "revindex0") return Value(len - i - 1);
        if (n == "first") return Value(i == 0);
        if (n == "last") return Value(i == len - 1);
        if (n == "length") return Value(len);
        if (n == "depth") return Value(int64_t(depth));
        if (n == "depth0") return Value(int64_t(depth - 1));
        if (n == "previtem") return i > 0 ? items[index - 1] : Value::undefined("there is no previous item");
        if (n == "nextitem")
            return i + 1 < len ? items[index + 1] : Value::undefined("there is no next item");
        if (n == "cycle") {
            size_t idx = index;
            return Value(makeFunction("cycle", [idx](Interpreter&, CallArgs& a) -> Value {
                if (a.pos.empty()) throw Error("no items for cycling given");
                return a.pos[idx % a.pos.size()];
            }));
        }
        if (n == "changed") {
            auto self = this;
            if (!registered) {
                registered = true;
                if (tracker)
                    tracker->track(
                        std::shared_ptr<Object>(std::const_pointer_cast<LoopObject>(shared_from_this())));
            }
            return Value(makeFunction("changed", [self](Interpreter&, CallArgs& a) -> Value {
                Value cur = Value::list(a.pos);
                bool changed = !self->lastChanged || !equals(*self->lastChanged, cur);
                self->lastChanged = cur;
                return Value(changed);
            }));
        }
        return Value::undefined("'LoopContext object' has no attribute '" + std::string(n) + "'");
    }
    mutable std::optional<Value> lastChanged;
    mutable bool registered = false;
    Interpreter* tracker = nullptr;
    void breakCycles() override { lastChanged.reset(); }
};

} // namespace

// ---------------------------------------------------------------- interpreter

Interpreter::Interpreter(const std::string& source, const RenderOptions& options)
    : source_(source)
    , options_(options) {
    frames_.reserve(16);
}

Interpreter::~Interpreter() {
    for (auto& o : mutableObjects_) o->breakCycles();
}

int Interpreter::pushFrame(int parent) {
    if (frames_.size() > 10000) throw Error("template nesting too deep");
    frames_.push_back(Frame{{}, parent});
    return topFrame();
}

void Interpreter::popFrame() {
    frames_.pop_back();
}

void Interpreter::setIn(int frame, const std::string& name, Value v) {
    auto& vars = frames_[static_cast<size_t>(frame)].vars;
    for (auto& kv : vars)
        if (kv.first == name) {
            kv.second = std::move(v);
            return;
        }
    vars.emplace_back(name, std::move(v));
}

void Interpreter::set(const std::string& name, Value v) {
    setIn(topFrame(), name, std::move(v));
}

Value Interpreter::lookup(const std::string& name) const {
    for (int f = topFrame(); f >= 0; f = frames_[static_cast<size_t>(f)].parent) {
        for (const auto& kv : frames_[static_cast<size_t>(f)].vars)
            if (kv.first == name) return kv.second;
    }
    Value g = findGlobal(name);
    if (!g.isUndefined()) return g;
    return Value::undefined("'" + name + "' is undefined");
}

void Interpreter::renderBody(const Body& body, std::string& out) {
    for (const auto& s : body) {
        s->exec(*this, out);
        if (flow != Flow::Normal) return;
    }
}

Value Interpreter::call(const Value& callee, CallArgs& args, const std::string& what) {
    step();
    if (callee.isCallable()) return callee.callable().call(*this, args);
    if (callee.isObject()) return callee.object().call(*this, args);
    if (callee.isUndefined()) {
        if (!callee.undefinedHint().empty()) throwUndefined(callee);
        throw Error("'" + what + "' is undefined");
    }
    throw Error("'" + callee.typeName() + "' object is not callable");
}

// ---------------------------------------------------------------- expressions

Value NameExpr::eval(Interpreter& in) const {
    return in.lookup(name);
}

Value ListExpr::eval(Interpreter& in) const {
    std::vector<Value> v;
    v.reserve(items.size());
    for (const auto& e : items) v.push_back(e->eval(in));
    return Value::list(std::move(v), tuple);
}

Value DictExpr::eval(Interpreter& in) const {
    auto d = std::make_shared<DictData>();
    for (const auto& [k, v] : items) d->set(k->eval(in), v->eval(in));
    return Value(std::move(d));
}

Value AttrExpr::eval(Interpreter& in) const {
    return getAttr(in, base->eval(in), name);
}

Value ItemExpr::eval(Interpreter& in) const {
    return getItem(in, base->eval(in), index->eval(in));
}

Value SliceExpr::eval(Interpreter& in) const {
    Value b = base->eval(in);
    auto optInt = [&](const ExprPtr& e) -> std::optional<int64_t> {
        if (!e) return std::nullopt;
        Value v = e->eval(in);
        if (v.isNone()) return std::nullopt;
        if (!v.isInt()) throw Error("slice indices must be integers or None");
        return v.asInt();
    };
    auto st = optInt(start), sp = optInt(stop), stp = optInt(step);
    int64_t stepv = stp.value_or(1);
    if (stepv == 0) throw Error("slice step cannot be zero");
    std::vector<std::string_view> chars;
    int64_t n;
    if (b.isString()) {
        chars = utf8Chars(b.str());
        n = static_cast<int64_t>(chars.size());
    } else if (b.isList()) {
        n = static_cast<int64_t>(b.items().size());
    } else {
        if (b.isUndefined()) throwUndefined(b);
        throw Error("'" + b.typeName() + "' object is not subscriptable");
    }
    auto clamp = [&](std::optional<int64_t> v, int64_t def) {
        if (!v) return def;
        int64_t x = *v;
        if (x < 0) x += n;
        if (stepv > 0) return std::clamp<int64_t>(x, 0, n);
        return std::clamp<int64_t>(x, -1, n - 1);
    };
    int64_t lo = clamp(st, stepv > 0 ? 0 : n - 1), hi = clamp(sp, stepv > 0 ? n : -1);
    std::vector<int64_t> idx;
    for (int64_t i = lo; stepv > 0 ? i < hi : i > hi; i += stepv) idx.push_back(i);
    if (b.isString()) {
        std::string s;
        for (auto i : idx) s += chars[static_cast<size_t>(i)];
        return Value(std::move(s));
    }
    std::vector<Value> out;
    for (auto i : idx) out.push_back(b.items()[static_cast<size_t>(i)]);
    return Value::list(std::move(out), b.isTuple());
}

Value CallExpr::eval(Interpreter& in) const {
    if (const auto* attr = dynamic_cast<const AttrExpr*>(callee.get())) {
        Value obj = attr->base->eval(in);
        if (obj.isString() || obj.isDict() || obj.isList()) {
            CallArgs callArgs = evalArgs(in, args);
            in.currentOffset = offset;
            in.step();
            if (auto r = callMethod(in, obj, attr->name, callArgs)) return *r;
            Value f = getAttr(in, obj, attr->name);
            return in.call(f, callArgs, attr->name);
        }
        Value f = getAttr(in, obj, attr->name);
        CallArgs callArgs = evalArgs(in, args);
        in.currentOffset = offset;
        return in.call(f, callArgs, attr->name);
    }
    Value f = callee->eval(in);
    CallArgs callArgs = evalArgs(in, args);
    in.currentOffset = offset;
    const auto* nameExpr = dynamic_cast<const NameExpr*>(callee.get());
    return in.call(f, callArgs, nameExpr ? nameExpr->name : std::string("callable"));
}

Value FilterExpr::apply(Interpreter& in, const Value& v) const {
    CallArgs a = evalArgs(in, args);
    in.currentOffset = offset;
    if (!fn) throw Error("No filter named '" + name + "' found.");
    in.step();
    return fn(in, v, a);
}

Value FilterExpr::eval(Interpreter& in) const {
    return apply(in, base->eval(in));
}

Value TestExpr::eval(Interpreter& in) const {
    Value v = base->eval(in);
    CallArgs a = evalArgs(in, args);
    in.currentOffset = offset;
    if (!fn) throw Error("No test named '" + name + "' found.");
    bool r = fn(in, v, a);
    return Value(negated ? !r : r);
}

Value UnaryExpr::eval(Interpreter& in) const {
    Value v = operand->eval(in);
    if (op == '!') return Value(!v.truthy());
    if (v.isInt()) {
        if (op == '+') return Value(v.asInt());
        if (v.asInt() == INT64_MIN) throw Error("integer overflow");
        return Value(-v.asInt());
    }
    if (v.isFloat()) return Value(op == '-' ? -v.asFloat() : v.asFloat());
    if (v.isUndefined()) throwUndefined(v);
    throw Error(std::string("bad operand type for unary ") + op + ": '" + v.typeName() + "'");
}

Value CompareChainExpr::eval(Interpreter& in) const {
    Value left = operands[0]->eval(in);
    for (size_t i = 0; i < ops.size(); ++i) {
        Value right = operands[i + 1]->eval(in);
        in.currentOffset = offset;
        if (!compareOp(in, ops[i], left, right).truthy()) return Value(false);
        left = std::move(right);
    }
    return Value(true);
}

Value BinaryExpr::eval(Interpreter& in) const {
    if (op == BinOp::And) {
        Value l = left->eval(in);
        return l.truthy() ? right->eval(in) : l;
    }
    if (op == BinOp::Or) {
        Value l = left->eval(in);
        return l.truthy() ? l : right->eval(in);
    }
    Value l = left->eval(in);
    Value r = right->eval(in);
    switch (op) {
    case BinOp::Eq:
    case BinOp::Ne:
    case BinOp::Lt:
    case BinOp::Gt:
    case BinOp::Le:
    case BinOp::Ge:
    case BinOp::In:
    case BinOp::NotIn:
        in.currentOffset = offset;
        return compareOp(in, op, l, r);
    case BinOp::Concat: {
        std::string s = l.toStr();
        r.appendStr(s);
        in.checkSize(s.size());
        return Value(std::move(s));
    }
    default:
        in.currentOffset = offset;
        return arithmetic(in, op, l, r);
    }
}

Value CondExpr::eval(Interpreter& in) const {
    if (test->eval(in).truthy()) return then->eval(in);
    if (otherwise) return otherwise->eval(in);
    return Value::undefined("the inline if-expression evaluated to false and no else section was defined");
}

// ---------------------------------------------------------------- statements

void TextStmt::exec(Interpreter& in, std::string& out) const {
    out += text;
    in.checkOutput(out);
}

void OutputStmt::exec(Interpreter& in, std::string& out) const {
    in.currentOffset = offset;
    in.step();
    Value v = expr->eval(in);
    v.appendStr(out);
    in.checkOutput(out);
}

void IfStmt::exec(Interpreter& in, std::string& out) const {
    in.currentOffset = offset;
    in.step();
    for (const auto& [cond, body] : branches) {
        if (cond->eval(in).truthy()) {
            in.renderBody(body, out);
            return;
        }
    }
    in.renderBody(otherwise, out);
}

void ForStmt::exec(Interpreter& in, std::string& out) const {
    in.currentOffset = offset;
    in.step();
    run(in, out, iter->eval(in), 1);
}

void ForStmt::run(Interpreter& in, std::string& out, const Value& iterable, int depth) const {
    if (iterable.isNone()) throw Error("'NoneType' object is not iterable");
    std::vector<Value> items = iterate(iterable);
    int frame = in.pushFrame(in.topFrame());
    struct Pop {
        Interpreter& in;
        ~Pop() { in.popFrame(); }
    } pop{in};
    auto bindTargets = [&](const Value& item) {
        if (targets.size() == 1) {
            in.setIn(frame, targets[0], item);
            return;
        }
        std::vector<Value> parts = iterate(item);
        if (parts.size() != targets.size())
            throw Error("cannot unpack " + std::to_string(parts.size()) + " values into " +
                        std::to_string(targets.size()) + " loop variables");
        for (size_t k = 0; k < targets.size(); ++k) in.setIn(frame, targets[k], parts[k]);
    };
    if (filter) {
        std::vector<Value> kept;
        for (const auto& item : items) {
            in.step();
            in.clearFrame(frame);
            bindTargets(item);
            if (filter->eval(in).truthy()) kept.push_back(item);
        }
        items = std::move(kept);
    }
    auto loop = std::make_shared<LoopObject>();
    loop->items = std::move(items);
    loop->depth = depth;
    loop->stmt = this;
    loop->tracker = &in;
    Value loopValue{std::shared_ptr<Object>(loop)};
    for (size_t i = 0; i < loop->items.size(); ++i) {
        in.step();
        loop->index = i;
        in.clearFrame(frame);
        bindTargets(loop->items[i]);
        in.setIn(frame, "loop", loopValue);
        in.renderBody(body, out);
        if (in.flow == Interpreter::Flow::Break) {
            in.flow = Interpreter::Flow::Normal;
            break;
        }
        in.flow = Interpreter::Flow::Normal;
    }
    if (loop->items.empty()) {
        in.clearFrame(frame);
        in.renderBody(otherwise, out);
    }
}

void SetStmt::exec(Interpreter& in, std::string& out) const {
    (void)out;
    in.currentOffset = offset;
    in.step();
    Value v;
    if (value) {
        v = value->eval(in);
    } else {
        std::string buf;
        in.renderBody(body, buf);
        v = Value(std::move(buf));
        for (const auto& f : filters) v = f->apply(in, v);
    }
    if (!attr.empty()) {
        Value target = in.lookup(targets[0]);
        if (!target.isObject() || target.object().typeName() != "Namespace")
            throw Error("cannot assign attribute on non-namespace object");
        target.object().setAttr(attr, std::move(v));
        return;
    }
    if (targets.size() == 1) {
        in.set(targets[0], std::move(v));
        return;
    }
    std::vector<Value> parts = iterate(v);
    if (parts.size() != targets.size())
        throw Error("cannot unpack " + std::to_string(parts.size()) + " values into " +
                    std::to_string(targets.size()) + " variables");
    for (size_t k = 0; k < targets.size(); ++k) in.set(targets[k], parts[k]);
}

void MacroStmt::exec(Interpreter& in, std::string& out) const {
    (void)out;
    auto m = std::make_shared<MacroValue>();
    m->name = name;
    m->stmt = this;
    m->defFrame = in.topFrame();
    in.set(name, Value(std::shared_ptr<Callable>(std::move(m))));
}

void CallBlockStmt::exec(Interpreter& in, std::string& out) const {
    in.currentOffset = offset;
    auto callerFn = std::make_shared<MacroValue>();
    callerFn->name = "caller";
    callerFn->stmt = caller.get();
    callerFn->defFrame = in.topFrame();
    Value f = call->callee->eval(in);
    CallArgs args = evalArgs(in, call->args);
    args.kw.emplace_back("caller", Value(std::shared_ptr<Callable>(std::move(callerFn))));
    Value r = in.call(f, args, "macro");
    r.appendStr(out);
    in.checkOutput(out);
}

void FilterBlockStmt::exec(Interpreter& in, std::string& out) const {
    in.currentOffset = offset;
    std::string buf;
    in.renderBody(body, buf);
    Value v(std::move(buf));
    for (const auto& f : filters) v = f->apply(in, v);
    v.appendStr(out);
    in.checkOutput(out);
}

void LoopControlStmt::exec(Interpreter& in, std::string& out) const {
    (void)out;
    in.flow = isBreak ? Interpreter::Flow::Break : Interpreter::Flow::Continue;
}

void GenerationStmt::exec(Interpreter& in, std::string& out) const {
    // transformers compiles the tag to a call block, so its body has its own scope.
    size_t begin = out.size();
    in.pushFrame(in.topFrame());
    struct Pop {
        Interpreter& in;
        ~Pop() { in.popFrame(); }
    } pop{in};
    in.renderBody(body, out);
    if (&out == in.rootOut) in.generationSpans.emplace_back(begin, out.size());
}

void WithStmt::exec(Interpreter& in, std::string& out) const {
    in.currentOffset = offset;
    int frame = in.pushFrame(in.topFrame());
    struct Pop {
        Interpreter& in;
        ~Pop() { in.popFrame(); }
    } pop{in};
    for (const auto& [n, e] : assignments) in.setIn(frame, n, e->eval(in));
    in.renderBody(body, out);
}

} // namespace hone::jinja
