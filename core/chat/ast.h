// Syntax tree of a parsed Jinja template: expressions evaluate to Values, statements write output.
#pragma once

#include "chat/value.h"

#include <memory>
#include <string>
#include <vector>

namespace hone::jinja {

class Interpreter;
struct Expr;
struct Stmt;
using ExprPtr = std::unique_ptr<Expr>;
using StmtPtr = std::unique_ptr<Stmt>;
using Body = std::vector<StmtPtr>;

// A filter or test implementation: (interpreter, value, args) -> result.
using FilterFn = Value (*)(Interpreter&, const Value&, CallArgs&);
using TestFn = bool (*)(Interpreter&, const Value&, CallArgs&);

struct Expr {
    explicit Expr(size_t off)
        : offset(off) {}
    virtual ~Expr() = default;
    virtual Value eval(Interpreter& in) const = 0;
    size_t offset;
};

struct Arg {
    std::string name; // empty for positional
    ExprPtr value;
};

struct LiteralExpr : Expr {
    LiteralExpr(size_t o, Value v)
        : Expr(o)
        , value(std::move(v)) {}
    Value eval(Interpreter&) const override { return value; }
    Value value;
};

struct NameExpr : Expr {
    NameExpr(size_t o, std::string n)
        : Expr(o)
        , name(std::move(n)) {}
    Value eval(Interpreter& in) const override;
    std::string name;
};

struct ListExpr : Expr {
    ListExpr(size_t o, bool t)
        : Expr(o)
        , tuple(t) {}
    Value eval(Interpreter& in) const override;
    std::vector<ExprPtr> items;
    bool tuple;
};

struct DictExpr : Expr {
    using Expr::Expr;
    Value eval(Interpreter& in) const override;
    std::vector<std::pair<ExprPtr, ExprPtr>> items;
};

struct AttrExpr : Expr {
    AttrExpr(size_t o, ExprPtr b, std::string n)
        : Expr(o)
        , base(std::move(b))
        , name(std::move(n)) {}
    Value eval(Interpreter& in) const override;
    ExprPtr base;
    std::string name;
};

struct ItemExpr : Expr {
    ItemExpr(size_t o, ExprPtr b, ExprPtr i)
        : Expr(o)
        , base(std::move(b))
        , index(std::move(i)) {}
    Value eval(Interpreter& in) const override;
    ExprPtr base, index;
};

struct SliceExpr : Expr {
    using Expr::Expr;
    Value eval(Interpreter& in) const override;
    ExprPtr base, start, stop, step;
};

struct CallExpr : Expr {
    using Expr::Expr;
    Value eval(Interpreter& in) const override;
    ExprPtr callee;
    std::vector<Arg> args;
};

struct FilterExpr : Expr {
    using Expr::Expr;
    Value eval(Interpreter& in) const override;
    Value apply(Interpreter& in, const Value& v) const;
    ExprPtr base; // null inside {% filter %} blocks
    std::string name;
    FilterFn fn = nullptr;
    std::vector<Arg> args;
};

struct TestExpr : Expr {
    using Expr::Expr;
    Value eval(Interpreter& in) const override;
    ExprPtr base;
    std::string name;
    TestFn fn = nullptr;
    std::vector<Arg> args;
    bool negated = false;
};

struct UnaryExpr : Expr {
    UnaryExpr(size_t o, char op_, ExprPtr e)
        : Expr(o)
        , op(op_)
        , operand(std::move(e)) {}
    Value eval(Interpreter& in) const override;
    char op; // '!' not, '-' neg, '+' pos
    ExprPtr operand;
};

enum class BinOp {
    Add,
    Sub,
    Mul,
    Div,
    FloorDiv,
    Mod,
    Pow,
    Concat,
    And,
    Or,
    Eq,
    Ne,
    Lt,
    Gt,
    Le,
    Ge,
    In,
    NotIn
};

struct BinaryExpr : Expr {
    BinaryExpr(size_t o, BinOp op_, ExprPtr l, ExprPtr r)
        : Expr(o)
        , op(op_)
        , left(std::move(l))
        , right(std::move(r)) {}
    Value eval(Interpreter& in) const override;
    BinOp op;
    ExprPtr left, right;
};

// a < b < c (Python semantics: each operand evaluated at most once, short-circuiting).
struct CompareChainExpr : Expr {
    using Expr::Expr;
    Value eval(Interpreter& in) const override;
    std::vector<ExprPtr> operands;
    std::vector<BinOp> ops;
};

struct CondExpr : Expr {
    using Expr::Expr;
    Value eval(Interpreter& in) const override;
    ExprPtr test, then, otherwise; // otherwise may be null (-> undefined)
};

// ---- statements ----

struct Stmt {
    explicit Stmt(size_t off)
        : offset(off) {}
    virtual ~Stmt() = default;
    virtual void exec(Interpreter& in, std::string& out) const = 0;
    size_t offset;
};

struct TextStmt : Stmt {
    TextStmt(size_t o, std::string t)
        : Stmt(o)
        , text(std::move(t)) {}
    void exec(Interpreter& in, std::string& out) const override;
    std::string text;
};

struct OutputStmt : Stmt {
    OutputStmt(size_t o, ExprPtr e)
        : Stmt(o)
        , expr(std::move(e)) {}
    void exec(Interpreter& in, std::string& out) const override;
    ExprPtr expr;
};

struct IfStmt : Stmt {
    using Stmt::Stmt;
    void exec(Interpreter& in, std::string& out) const override;
    std::vector<std::pair<ExprPtr, Body>> branches;
    Body otherwise;
};

struct ForStmt : Stmt {
    using Stmt::Stmt;
    void exec(Interpreter& in, std::string& out) const override;
    void run(Interpreter& in, std::string& out, const Value& iterable, int depth) const;
    std::vector<std::string> targets;
    ExprPtr iter, filter;
    Body body, otherwise;
    bool recursive = false;
};

// Assignment target: a name, a tuple of names, or ns.attr.
struct SetStmt : Stmt {
    using Stmt::Stmt;
    void exec(Interpreter& in, std::string& out) const override;
    std::vector<std::string> targets;
    std::string attr; // non-empty: targets[0].attr = value
    ExprPtr value;    // null for block set
    Body body;
    std::vector<std::unique_ptr<FilterExpr>> filters; // block set filters
};

struct MacroStmt : Stmt {
    using Stmt::Stmt;
    void exec(Interpreter& in, std::string& out) const override;
    std::string name;
    std::vector<std::string> params;
    std::vector<ExprPtr> defaults; // aligned with params (null: required)
    Body body;
};

struct CallBlockStmt : Stmt {
    using Stmt::Stmt;
    void exec(Interpreter& in, std::string& out) const override;
    std::unique_ptr<CallExpr> call;
    std::unique_ptr<MacroStmt> caller;
};

struct FilterBlockStmt : Stmt {
    using Stmt::Stmt;
    void exec(Interpreter& in, std::string& out) const override;
    std::vector<std::unique_ptr<FilterExpr>> filters;
    Body body;
};

struct LoopControlStmt : Stmt {
    LoopControlStmt(size_t o, bool b)
        : Stmt(o)
        , isBreak(b) {}
    void exec(Interpreter& in, std::string& out) const override;
    bool isBreak;
};

struct GenerationStmt : Stmt {
    using Stmt::Stmt;
    void exec(Interpreter& in, std::string& out) const override;
    Body body;
};

struct WithStmt : Stmt {
    using Stmt::Stmt;
    void exec(Interpreter& in, std::string& out) const override;
    std::vector<std::pair<std::string, ExprPtr>> assignments;
    Body body;
};

} // namespace hone::jinja
