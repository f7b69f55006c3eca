// Jinja2 parser implementation (see parser.h); mirrors jinja2/parser.py.
#include "chat/parser.h"

#include "chat/builtins.h"
#include "common/error.h"

#include <charconv>
#include <cstdlib>
#include <set>

namespace hone::jinja {

namespace {

constexpr int kMaxNesting = 200;

class Parser {
public:
    Parser(const std::string& src, std::vector<Token> toks)
        : src_(src)
        , t_(std::move(toks)) {}

    Body parseAll() {
        Body b = subparse({});
        if (cur().type != Tok::Eof) fail("unexpected token", cur().offset);
        // Jinja2 reports unknown filters/tests at compile time, except inside if-statements and conditional
        // expressions ("soft" frames), where the error is raised only if the expression runs.
        for (const auto& u : unknown_)
            if (!u.soft)
                fail(std::string("No ") + (u.isFilter ? "filter" : "test") + " named '" + u.name + "'.",
                     u.offset);
        return b;
    }

private:
    struct DepthGuard {
        explicit DepthGuard(Parser& p)
            : p_(p) {
            if (++p_.depth_ > kMaxNesting) p_.fail("template nesting too deep", p_.cur().offset);
        }
        ~DepthGuard() { --p_.depth_; }
        Parser& p_;
    };

    [[noreturn]] void fail(const std::string& msg, size_t off) const {
        throw Error("template syntax error at " + where(src_, off) + ": " + msg);
    }
    const Token& cur() const { return t_[pos_]; }
    const Token& peek(size_t n = 1) const { return t_[std::min(pos_ + n, t_.size() - 1)]; }
    void next() {
        if (pos_ + 1 < t_.size()) ++pos_;
    }
    bool isOp(const char* op) const { return cur().type == Tok::Op && cur().value == op; }
    bool isName(const char* n) const { return cur().type == Tok::Name && cur().value == n; }
    bool skipOp(const char* op) {
        if (!isOp(op)) return false;
        next();
        return true;
    }
    bool skipName(const char* n) {
        if (!isName(n)) return false;
        next();
        return true;
    }
    std::string describe(const Token& t) const {
        switch (t.type) {
        case Tok::Eof:
            return "end of template";
        case Tok::BlockEnd:
            return "end of statement block";
        case Tok::VarEnd:
            return "end of print statement";
        case Tok::Text:
            return "template data";
        default:
            return "'" + t.value + "'";
        }
    }
    void expectOp(const char* op) {
        if (!skipOp(op)) fail(std::string("expected '") + op + "', got " + describe(cur()), cur().offset);
    }
    std::string expectName() {
        if (cur().type != Tok::Name) fail("expected a name, got " + describe(cur()), cur().offset);
        std::string n = cur().value;
        next();
        return n;
    }
    void expectBlockEnd() {
        if (cur().type != Tok::BlockEnd)
            fail("expected end of statement block, got " + describe(cur()), cur().offset);
        next();
    }

    // Parses statements until a block tag whose name is in `ends` (left unconsumed, positioned at that name).
    Body subparse(const std::set<std::string>& ends) {
        DepthGuard g(*this);
        Body body;
        while (true) {
            const Token& t = cur();
            if (t.type == Tok::Eof) {
                if (!ends.empty()) {
                    std::string list;
                    for (const auto& e : ends) list += (list.empty() ? "'" : " or '") + e + "'";
                    fail("unexpected end of template, expected " + list, t.offset);
                }
                return body;
            }
            if (t.type == Tok::Text) {
                body.push_back(std::make_unique<TextStmt>(t.offset, t.value));
                next();
            } else if (t.type == Tok::VarBegin) {
                size_t off = t.offset;
                next();
                auto e = parseTuple(true);
                if (cur().type != Tok::VarEnd)
                    fail("expected end of print statement, got " + describe(cur()), cur().offset);
                next();
                body.push_back(std::make_unique<OutputStmt>(off, std::move(e)));
            } else if (t.type == Tok::BlockBegin) {
                next();
                if (cur().type == Tok::Name && ends.count(cur().value)) return body;
                body.push_back(parseStatement());
            } else {
                fail("unexpected " + describe(t), t.offset);
            }
        }
    }

    StmtPtr parseStatement() {
        const Token& t = cur();
        if (t.type != Tok::Name) fail("tag name expected", t.offset);
        std::string n = t.value;
        size_t off = t.offset;
        if (n == "if") return parseIf();
        if (n == "for") return parseFor();
        if (n == "set") return parseSet();
        if (n == "macro") return parseMacro();
        if (n == "call") return parseCallBlock();
        if (n == "filter") return parseFilterBlock();
        if (n == "with") return parseWith();
        if (n == "generation") {
            next();
            expectBlockEnd();
            auto s = std::make_unique<GenerationStmt>(off);
            hasGeneration_ = true;
            SoftScope hard(*this, false);
            s->body = subparse({"endgeneration"});
            next();
            expectBlockEnd();
            return s;
        }
        if (n == "break" || n == "continue") {
            if (loopDepth_ == 0) fail("'" + n + "' outside of a loop", off);
            next();
            expectBlockEnd();
            return std::make_unique<LoopControlStmt>(off, n == "break");
        }
        if (n == "include" || n == "import" || n == "from" || n == "extends" || n == "block")
            fail("'" + n + "' is not supported in chat templates (no template loader)", off);
        fail("Encountered unknown tag '" + n + "'", off);
    }

    StmtPtr parseIf() {
        auto s = std::make_unique<IfStmt>(cur().offset);
        next();
        SoftScope soft(*this, true);
        while (true) {
            auto cond = parseTuple(false);
            expectBlockEnd();
            auto body = subparse({"elif", "else", "endif"});
            s->branches.emplace_back(std::move(cond), std::move(body));
            if (skipName("elif")) continue;
            if (skipName("else")) {
                expectBlockEnd();
                s->otherwise = subparse({"endif"});
            }
            next(); // endif
            expectBlockEnd();
            return s;
        }
    }

    std::vector<std::string> parseTargets() {
        std::vector<std::string> names;
        bool paren = skipOp("(");
        names.push_back(expectName());
        while (skipOp(",")) {
            if (cur().type != Tok::Name) break;
            names.push_back(expectName());
        }
        if (paren) expectOp(")");
        return names;
    }

    StmtPtr parseFor() {
        auto s = std::make_unique<ForStmt>(cur().offset);
        next();
        s->targets = parseTargets();
        if (!skipName("in")) fail("expected 'in', got " + describe(cur()), cur().offset);
        s->iter = parseTuple(false, /*noCond=*/true, /*extraEnd=*/"recursive");
        if (skipName("if")) s->filter = parseExpression(true);
        if (skipName("recursive")) s->recursive = true;
        expectBlockEnd();
        SoftScope hard(*this, false);
        ++loopDepth_;
        s->body = subparse({"endfor", "else"});
        --loopDepth_;
        if (skipName("else")) {
            expectBlockEnd();
            s->otherwise = subparse({"endfor"});
        }
        next();
        expectBlockEnd();
        return s;
    }

    StmtPtr parseSet() {
        auto s = std::make_unique<SetStmt>(cur().offset);
        next();
        std::string first = expectName();
        if (skipOp(".")) {
            s->targets.push_back(first);
            s->attr = expectName();
        } else {
            s->targets.push_back(first);
            while (skipOp(",")) {
                if (cur().type != Tok::Name) break;
                s->targets.push_back(expectName());
            }
        }
        if (skipOp("=")) {
            s->value = parseTuple(true);
            expectBlockEnd();
            return s;
        }
        if (!s->attr.empty() || s->targets.size() != 1) fail("expected '='", cur().offset);
        while (skipOp("|")) s->filters.push_back(parseFilterCall(nullptr));
        expectBlockEnd();
        SoftScope hard(*this, false);
        s->body = subparse({"endset"});
        next();
        expectBlockEnd();
        return s;
    }

    void parseSignature(MacroStmt& m) {
        expectOp("(");
        while (!isOp(")")) {
            if (!m.params.empty()) expectOp(",");
            if (isOp(")")) break;
            m.params.push_back(expectName());
            if (skipOp("=")) {
                m.defaults.push_back(parseExpression(true));
            } else {
                m.defaults.push_back(nullptr);
            }
        }
        expectOp(")");
    }

    StmtPtr parseMacro() {
        auto s = std::make_unique<MacroStmt>(cur().offset);
        next();
        s->name = expectName();
        parseSignature(*s);
        expectBlockEnd();
        int saved = loopDepth_;
        loopDepth_ = 0;
        SoftScope hard(*this, false);
        s->body = subparse({"endmacro"});
        loopDepth_ = saved;
        next();
        expectBlockEnd();
        return s;
    }

    StmtPtr parseCallBlock() {
        auto s = std::make_unique<CallBlockStmt>(cur().offset);
        next();
        s->caller = std::make_unique<MacroStmt>(s->offset);
        s->caller->name = "caller";
        if (isOp("(")) parseSignature(*s->caller);
        auto e = parseExpression(true);
        auto* call = dynamic_cast<CallExpr*>(e.get());
        if (!call) fail("expected call", s->offset);
        e.release();
        s->call.reset(call);
        expectBlockEnd();
        int saved = loopDepth_;
        loopDepth_ = 0;
        SoftScope hard(*this, false);
        s->caller->body = subparse({"endcall"});
        loopDepth_ = saved;
        next();
        expectBlockEnd();
        return s;
    }

    StmtPtr parseFilterBlock() {
        auto s = std::make_unique<FilterBlockStmt>(cur().offset);
        next();
        s->filters.push_back(parseFilterCall(nullptr));
        while (skipOp("|")) s->filters.push_back(parseFilterCall(nullptr));
        expectBlockEnd();
        SoftScope hard(*this, false);
        s->body = subparse({"endfilter"});
        next();
        expectBlockEnd();
        return s;
    }

    StmtPtr parseWith() {
        auto s = std::make_unique<WithStmt>(cur().offset);
        next();
        while (cur().type != Tok::BlockEnd) {
            if (!s->assignments.empty()) expectOp(",");
            std::string n = expectName();
            expectOp("=");
            s->assignments.emplace_back(n, parseExpression(true));
        }
        expectBlockEnd();
        SoftScope hard(*this, false);
        s->body = subparse({"endwith"});
        next();
        expectBlockEnd();
        return s;
    }

    // ---- expressions ----

    ExprPtr parseTuple(bool withCond, bool noCond = false, const char* extraEnd = nullptr) {
        size_t off = cur().offset;
        std::vector<ExprPtr> items;
        bool isTuple = false;
        auto atEnd = [&] {
            if (cur().type == Tok::VarEnd || cur().type == Tok::BlockEnd || cur().type == Tok::Eof)
                return true;
            if (isOp(")")) return true;
            if (extraEnd && isName(extraEnd)) return true;
            return false;
        };
        while (true) {
            if (!items.empty()) {
                if (!skipOp(",")) break;
                isTuple = true;
                if (atEnd()) break;
            }
            if (noCond) {
                items.push_back(parseExpression(false));
            } else {
                items.push_back(parseExpression(withCond));
            }
            if (!isOp(",")) break;
        }
        if (!isTuple) {
            if (items.empty()) fail("expected an expression", off);
            return std::move(items[0]);
        }
        auto l = std::make_unique<ListExpr>(off, true);
        l->items = std::move(items);
        return l;
    }

    ExprPtr parseExpression(bool withCond) {
        DepthGuard g(*this);
        return withCond ? parseCondExpr() : parseOr();
    }

    ExprPtr parseCondExpr() {
        size_t mark = unknown_.size();
        auto e = parseOr();
        while (isName("if")) {
            for (size_t i = mark; i < unknown_.size(); ++i) unknown_[i].soft = true;
            SoftScope soft(*this, true);
            size_t off = cur().offset;
            next();
            auto c = std::make_unique<CondExpr>(off);
            c->then = std::move(e);
            c->test = parseOr();
            if (skipName("else")) c->otherwise = parseCondExpr();
            e = std::move(c);
        }
        return e;
    }

    ExprPtr parseOr() {
        auto l = parseAnd();
        while (isName("or")) {
            size_t off = cur().offset;
            next();
            l = std::make_unique<BinaryExpr>(off, BinOp::Or, std::move(l), parseAnd());
        }
        return l;
    }

    ExprPtr parseAnd() {
        auto l = parseNot();
        while (isName("and")) {
            size_t off = cur().offset;
            next();
            l = std::make_unique<BinaryExpr>(off, BinOp::And, std::move(l), parseNot());
        }
        return l;
    }

    ExprPtr parseNot() {
        if (isName("not")) {
            size_t off = cur().offset;
            next();
            DepthGuard g(*this);
            return std::make_unique<UnaryExpr>(off, '!', parseNot());
        }
        return parseCompare();
    }

    ExprPtr parseCompare() {
        auto l = parseMath1();
        int ops = 0;
        while (true) {
            size_t off = cur().offset;
            BinOp op;
            if (isOp("=="))
                op = BinOp::Eq;
            else if (isOp("!="))
                op = BinOp::Ne;
            else if (isOp("<"))
                op = BinOp::Lt;
            else if (isOp(">"))
                op = BinOp::Gt;
            else if (isOp("<="))
                op = BinOp::Le;
            else if (isOp(">="))
                op = BinOp::Ge;
            else if (isName("in"))
                op = BinOp::In;
            else if (isName("not") && peek().type == Tok::Name && peek().value == "in") {
                next();
                op = BinOp::NotIn;
            } else
                break;
            next();
            auto r = parseMath1();
            if (++ops == 1) {
                l = std::make_unique<BinaryExpr>(off, op, std::move(l), std::move(r));
                continue;
            }
            // a < b < c: a chain that evaluates each operand once.
            auto* chain = dynamic_cast<CompareChainExpr*>(l.get());
            if (!chain) {
                auto* first = static_cast<BinaryExpr*>(l.get());
                auto c = std::make_unique<CompareChainExpr>(first->offset);
                c->operands.push_back(std::move(first->left));
                c->operands.push_back(std::move(first->right));
                c->ops.push_back(first->op);
                l = std::move(c);
                chain = static_cast<CompareChainExpr*>(l.get());
            }
            chain->operands.push_back(std::move(r));
            chain->ops.push_back(op);
        }
        return l;
    }

    ExprPtr parseMath1() {
        auto l = parseConcat();
        while (isOp("+") || isOp("-")) {
            size_t off = cur().offset;
            BinOp op = cur().value == "+" ? BinOp::Add : BinOp::Sub;
            next();
            l = std::make_unique<BinaryExpr>(off, op, std::move(l), parseConcat());
        }
        return l;
    }

    ExprPtr parseConcat() {
        auto l = parseMath2();
        while (isOp("~")) {
            size_t off = cur().offset;
            next();
            l = std::make_unique<BinaryExpr>(off, BinOp::Concat, std::move(l), parseMath2());
        }
        return l;
    }

    ExprPtr parseMath2() {
        auto l = parsePow();
        while (isOp("*") || isOp("/") || isOp("//") || isOp("%")) {
            size_t off = cur().offset;
            const std::string& v = cur().value;
            BinOp op = v == "*"    ? BinOp::Mul
                       : v == "/"  ? BinOp::Div
                       : v == "//" ? BinOp::FloorDiv
                                   : BinOp::Mod;
            next();
            l = std::make_unique<BinaryExpr>(off, op, std::move(l), parsePow());
        }
        return l;
    }

    ExprPtr parsePow() {
        auto l = parseUnary(true);
        while (isOp("**")) {
            size_t off = cur().offset;
            next();
            l = std::make_unique<BinaryExpr>(off, BinOp::Pow, std::move(l), parseUnary(true));
        }
        return l;
    }

    ExprPtr parseUnary(bool withFilter) {
        DepthGuard g(*this);
        size_t off = cur().offset;
        ExprPtr node;
        if (isOp("-")) {
            next();
            node = std::make_unique<UnaryExpr>(off, '-', parseUnary(false));
        } else if (isOp("+")) {
            next();
            node = std::make_unique<UnaryExpr>(off, '+', parseUnary(false));
        } else {
            node = parsePostfix(parsePrimary());
        }
        if (withFilter) node = parseFilterExpr(std::move(node));
        return node;
    }

    ExprPtr parsePrimary() {
        const Token& t = cur();
        size_t off = t.offset;
        switch (t.type) {
        case Tok::Name: {
            std::string n = t.value;
            next();
            if (n == "true" || n == "True") return std::make_unique<LiteralExpr>(off, Value(true));
            if (n == "false" || n == "False") return std::make_unique<LiteralExpr>(off, Value(false));
            if (n == "none" || n == "None") return std::make_unique<LiteralExpr>(off, Value::none());
            return std::make_unique<NameExpr>(off, n);
        }
        case Tok::String: {
            std::string s = t.value;
            next();
            while (cur().type == Tok::String) {
                s += cur().value;
                next();
            }
            return std::make_unique<LiteralExpr>(off, Value(std::move(s)));
        }
        case Tok::Int: {
            int64_t v = 0;
            auto r = std::from_chars(t.value.data(), t.value.data() + t.value.size(), v);
            next();
            if (r.ec != std::errc())
                return std::make_unique<LiteralExpr>(off, Value(std::strtod(t.value.c_str(), nullptr)));
            return std::make_unique<LiteralExpr>(off, Value(v));
        }
        case Tok::Float: {
            double d = std::strtod(t.value.c_str(), nullptr);
            next();
            return std::make_unique<LiteralExpr>(off, Value(d));
        }
        case Tok::Op: {
            if (skipOp("(")) {
                if (skipOp(")")) return std::make_unique<ListExpr>(off, true);
                auto e = parseTuple(true);
                expectOp(")");
                return e;
            }
            if (skipOp("[")) {
                auto l = std::make_unique<ListExpr>(off, false);
                while (!isOp("]")) {
                    if (!l->items.empty()) expectOp(",");
                    if (isOp("]")) break;
                    l->items.push_back(parseExpression(true));
                }
                expectOp("]");
                return l;
            }
            if (skipOp("{")) {
                auto d = std::make_unique<DictExpr>(off);
                while (!isOp("}")) {
                    if (!d->items.empty()) expectOp(",");
                    if (isOp("}")) break;
                    auto k = parseExpression(true);
                    expectOp(":");
                    d->items.emplace_back(std::move(k), parseExpression(true));
                }
                expectOp("}");
                return d;
            }
            break;
        }
        default:
            break;
        }
        fail("unexpected " + describe(t), off);
    }

    ExprPtr parsePostfix(ExprPtr node) {
        while (true) {
            size_t off = cur().offset;
            if (isOp(".")) {
                next();
                if (cur().type == Tok::Name) {
                    node = std::make_unique<AttrExpr>(off, std::move(node), cur().value);
                    next();
                } else if (cur().type == Tok::Int) {
                    auto idx = std::make_unique<LiteralExpr>(
                        off, Value(static_cast<int64_t>(std::atoll(cur().value.c_str()))));
                    next();
                    node = std::make_unique<ItemExpr>(off, std::move(node), std::move(idx));
                } else {
                    fail("expected name or number after '.'", off);
                }
            } else if (isOp("[")) {
                next();
                node = parseSubscript(std::move(node), off);
                expectOp("]");
            } else if (isOp("(")) {
                node = parseCall(std::move(node));
            } else {
                return node;
            }
        }
    }

    ExprPtr parseSubscript(ExprPtr base, size_t off) {
        ExprPtr parts[3];
        bool slice = false;
        int idx = 0;
        if (!isOp(":")) parts[0] = parseExpression(true);
        if (isOp(",")) {
            auto tup = std::make_unique<ListExpr>(off, true);
            tup->items.push_back(std::move(parts[0]));
            while (skipOp(",")) {
                if (isOp("]")) break;
                tup->items.push_back(parseExpression(true));
            }
            return std::make_unique<ItemExpr>(off, std::move(base), std::move(tup));
        }
        while (isOp(":") && idx < 2) {
            slice = true;
            next();
            ++idx;
            if (!isOp(":") && !isOp("]")) parts[idx] = parseExpression(true);
        }
        if (!slice) {
            if (!parts[0]) fail("expected an expression", off);
            return std::make_unique<ItemExpr>(off, std::move(base), std::move(parts[0]));
        }
        auto s = std::make_unique<SliceExpr>(off);
        s->base = std::move(base);
        s->start = std::move(parts[0]);
        s->stop = std::move(parts[1]);
        s->step = std::move(parts[2]);
        return s;
    }

    std::vector<Arg> parseArgs() {
        expectOp("(");
        std::vector<Arg> args;
        while (!isOp(")")) {
            if (!args.empty()) expectOp(",");
            if (isOp(")")) break;
            if (isOp("*") || isOp("**")) fail("*args/**kwargs in calls are not supported", cur().offset);
            Arg a;
            if (cur().type == Tok::Name && peek().type == Tok::Op && peek().value == "=") {
                a.name = cur().value;
                next();
                next();
            } else {
                for (const auto& prev : args)
                    if (!prev.name.empty())
                        fail("positional argument follows keyword argument", cur().offset);
            }
            a.value = parseExpression(true);
            args.push_back(std::move(a));
        }
        expectOp(")");
        return args;
    }

    ExprPtr parseCall(ExprPtr callee) {
        auto c = std::make_unique<CallExpr>(cur().offset);
        c->callee = std::move(callee);
        c->args = parseArgs();
        return c;
    }

    std::unique_ptr<FilterExpr> parseFilterCall(ExprPtr base) {
        size_t off = cur().offset;
        std::string name = expectName();
        while (isOp(".") && peek().type == Tok::Name) {
            next();
            name += "." + cur().value;
            next();
        }
        auto f = std::make_unique<FilterExpr>(off);
        f->base = std::move(base);
        f->name = name;
        f->fn = findFilter(name);
        if (!f->fn) unknown_.push_back({name, off, true, soft_});
        if (isOp("(")) f->args = parseArgs();
        return f;
    }

    ExprPtr parseFilterExpr(ExprPtr node) {
        while (true) {
            if (isOp("|")) {
                next();
                node = parseFilterCall(std::move(node));
            } else if (isName("is")) {
                size_t off = cur().offset;
                next();
                auto t = std::make_unique<TestExpr>(off);
                if (skipName("not")) t->negated = true;
                t->name = expectName();
                t->fn = findTest(t->name);
                if (!t->fn) unknown_.push_back({t->name, off, false, soft_});
                if (isOp("(")) {
                    t->args = parseArgs();
                } else if ((cur().type == Tok::Name || cur().type == Tok::String || cur().type == Tok::Int ||
                            cur().type == Tok::Float || isOp("[") || isOp("{")) &&
                           !isName("else") && !isName("or") && !isName("and")) {
                    if (isName("is")) fail("You cannot chain multiple tests with is", cur().offset);
                    Arg a;
                    a.value = parsePostfix(parsePrimary());
                    t->args.push_back(std::move(a));
                }
                t->base = std::move(node);
                node = std::move(t);
            } else if (isOp("(")) {
                node = parseCall(std::move(node));
            } else {
                return node;
            }
        }
    }

    struct Unknown {
        std::string name;
        size_t offset;
        bool isFilter;
        bool soft;
    };
    std::vector<Unknown> unknown_;
    bool soft_ = false;

public:
    bool hasGeneration_ = false;

private:
    struct SoftScope {
        SoftScope(Parser& p, bool v)
            : p_(p)
            , saved_(p.soft_) {
            p_.soft_ = v;
        }
        ~SoftScope() { p_.soft_ = saved_; }
        Parser& p_;
        bool saved_;
    };

    const std::string& src_;
    std::vector<Token> t_;
    size_t pos_ = 0;
    int depth_ = 0;
    int loopDepth_ = 0;
};

} // namespace

Body parse(const std::string& normalizedSource, const LexOptions& options, bool* hasGeneration) {
    Parser p(normalizedSource, tokenize(normalizedSource, options));
    Body b = p.parseAll();
    if (hasGeneration) *hasGeneration = p.hasGeneration_;
    return b;
}

} // namespace hone::jinja
