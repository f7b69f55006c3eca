// The calculator tool's evaluator: a table of expressions whose values the test computes with <cmath>,
// precedence and associativity, error messages, limits, random well-formed expressions checked against a
// value computed while generating them, and random garbage that must only ever give hone::Error.
#include "common/test_support.h"
#include "tools/calculator.h"

#include "common/error.h"

#include <cmath>
#include <numbers>
#include <random>

using namespace hone;
using namespace hone::tools;

class TstCalculator : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void values_data() {
        QTest::addColumn<QString>("expr");
        QTest::addColumn<double>("expected");
        const double pi = std::numbers::pi, e = std::numbers::e;
        QTest::newRow("add") << "1 + 2" << 3.0;
        QTest::newRow("precedence") << "2 + 3 * 4" << 14.0;
        QTest::newRow("parens") << "(2 + 3) * 4" << 20.0;
        QTest::newRow("left-assoc minus") << "10 - 4 - 3" << 3.0;
        QTest::newRow("left-assoc divide") << "100 / 10 / 5" << 2.0;
        QTest::newRow("modulo") << "17 % 5" << 2.0;
        QTest::newRow("fmod negative") << "-7 % 3" << std::fmod(-7.0, 3.0);
        QTest::newRow("caret power") << "2 ^ 10" << 1024.0;
        QTest::newRow("star power") << "2 ** 10" << 1024.0;
        QTest::newRow("power right-assoc") << "2 ^ 3 ^ 2" << 512.0;
        QTest::newRow("unary minus below power") << "-2 ^ 2" << -4.0;
        QTest::newRow("negative exponent") << "2 ^ -1" << 0.5;
        QTest::newRow("double unary") << "--3" << 3.0;
        QTest::newRow("unary plus") << "+4 * -2" << -8.0;
        QTest::newRow("decimal") << "0.1 + 0.2" << 0.1 + 0.2;
        QTest::newRow("leading dot") << ".5 * 4" << 2.0;
        QTest::newRow("exponent notation") << "1.5e3 + 2E-2" << 1500.02;
        QTest::newRow("sqrt") << "sqrt(2)" << std::sqrt(2.0);
        QTest::newRow("abs") << "abs(-3.5)" << 3.5;
        QTest::newRow("sin") << "sin(pi / 6)" << std::sin(pi / 6);
        QTest::newRow("cos") << "cos(1)" << std::cos(1.0);
        QTest::newRow("tan") << "tan(0.5)" << std::tan(0.5);
        QTest::newRow("log10") << "log(1000)" << 3.0;
        QTest::newRow("ln") << "ln(e ^ 2)" << 2.0;
        QTest::newRow("exp") << "exp(1.5)" << std::exp(1.5);
        QTest::newRow("floor") << "floor(-2.5)" << -3.0;
        QTest::newRow("ceil") << "ceil(2.1)" << 3.0;
        QTest::newRow("round half away") << "round(2.5) + round(-2.5)" << 0.0;
        QTest::newRow("min") << "min(3, -1, 2)" << -1.0;
        QTest::newRow("max") << "max(3, 7.5, 2)" << 7.5;
        QTest::newRow("nested calls") << "max(sqrt(16), min(10, 2 ^ 3))" << 8.0;
        QTest::newRow("pi") << "pi" << pi;
        QTest::newRow("e") << "2 * e" << 2 * e;
        QTest::newRow("spaces") << "  ( 1+2 )*3  " << 9.0;
        QTest::newRow("compound interest")
            << "1000 * (1 + 0.05 / 12) ^ (12 * 10)" << 1000 * std::pow(1 + 0.05 / 12, 120);
        QTest::newRow("hypotenuse") << "sqrt(3^2 + 4^2)" << 5.0;
    }
    void values() {
        QFETCH(QString, expr);
        QFETCH(double, expected);
        const double got = evaluateExpression(expr.toStdString());
        QVERIFY2(std::fabs(got - expected) <= 1e-12 * std::max(1.0, std::fabs(expected)),
                 qPrintable(QStringLiteral("%1 = %2, expected %3")
                                .arg(expr)
                                .arg(got, 0, 'g', 17)
                                .arg(expected, 0, 'g', 17)));
    }

    void errors_data() {
        QTest::addColumn<QString>("expr");
        QTest::addColumn<QString>("message");
        QTest::newRow("divide by zero") << "1 / 0"
                                        << "division by zero";
        QTest::newRow("divide by computed zero") << "5 / (2 - 2)"
                                                 << "division by zero";
        QTest::newRow("modulo zero") << "5 % 0"
                                     << "division by zero";
        QTest::newRow("unknown function") << "foo(2)"
                                          << "unknown function foo";
        QTest::newRow("unknown name") << "x + 1"
                                      << "unknown name x";
        QTest::newRow("no code") << "__import__('os')"
                                 << "unknown function __import__";
        QTest::newRow("empty") << "   "
                               << "empty";
        QTest::newRow("missing paren") << "(1 + 2"
                                       << "missing ')'";
        QTest::newRow("extra paren") << "1 + 2)"
                                     << "unexpected ')' at position 6";
        QTest::newRow("dangling operator") << "1 +"
                                           << "ends too early";
        QTest::newRow("two dots") << "1.2.3"
                                  << "malformed number";
        QTest::newRow("letters") << "2 $ 3"
                                 << "unexpected '$'";
        QTest::newRow("sqrt negative") << "sqrt(-1)"
                                       << "sqrt of a negative number";
        QTest::newRow("log zero") << "log(0)"
                                  << "not positive";
        QTest::newRow("arity") << "sqrt(1, 2)"
                               << "sqrt takes 1 argument, got 2";
        QTest::newRow("min empty") << "min()"
                                   << "at least one argument";
        QTest::newRow("overflow") << "10 ^ 400"
                                  << "not a finite number";
        QTest::newRow("exp overflow") << "exp(1000)"
                                      << "not a finite number";
        QTest::newRow("too deep") << QString(200, '(') + "1" + QString(200, ')') << "nested too deeply";
        QTest::newRow("too many minus") << QString(500, '-') + "1"
                                        << "nested too deeply";
        QTest::newRow("too long") << QString("1+").repeated(600) + "1"
                                  << "the limit is 1000";
    }
    void errors() {
        QFETCH(QString, expr);
        QFETCH(QString, message);
        try {
            const double v = evaluateExpression(expr.toStdString());
            QFAIL(qPrintable(QStringLiteral("'%1' gave %2 instead of an error").arg(expr.left(60)).arg(v)));
        } catch (const Error& err) {
            QVERIFY2(QString::fromStdString(err.what()).contains(message),
                     qPrintable(QStringLiteral("'%1': message was '%2'").arg(expr.left(60), err.what())));
        }
    }

    void nulByteRefused() { QVERIFY_THROWS_EXCEPTION(Error, evaluateExpression(std::string("1+\0 2", 5))); }

    void formatting() {
        QCOMPARE(formatNumber(42.0), std::string("42"));
        QCOMPARE(formatNumber(-0.0), std::string("0"));
        QCOMPARE(formatNumber(0.1 + 0.2), std::string("0.3"));
        QCOMPARE(formatNumber(1e20), std::string("1e+20"));
        QCOMPARE(formatNumber(-2.5), std::string("-2.5"));
    }

    void toolCall() {
        CalculatorTool tool;
        const Deadline far = Clock::now() + std::chrono::seconds(5);
        ToolResult ok = tool.call(Json{{"expression", "(2 + 3) * sqrt(16) / 2"}}, far);
        QVERIFY(!ok.isError);
        QCOMPARE(ok.content, std::string("10"));
        ToolResult div = tool.call(Json{{"expression", "1/0"}}, far);
        QVERIFY(div.isError);
        QVERIFY(div.content.find("division by zero") != std::string::npos);
        ToolResult bad = tool.call(Json{{"expr", "1"}}, far);
        QVERIFY(bad.isError);
        QVERIFY2(bad.content.find("missing required argument 'expression'") != std::string::npos,
                 bad.content.c_str());
        ToolResult wrongType = tool.call(Json{{"expression", 12}}, far);
        QVERIFY(wrongType.isError);
        QVERIFY(wrongType.content.find("expected a string, got an integer") != std::string::npos);
    }

    // Random well-formed expressions: the generator computes the value as it writes the text.
    void randomExpressionsMatchDirectEvaluation() {
        std::mt19937 rng(1234);
        int checked = 0;
        for (int i = 0; i < 3000; ++i) {
            double value = 0;
            const std::string text = generate(rng, 0, &value);
            if (!std::isfinite(value) || std::fabs(value) > 1e12) continue;
            double got = 0;
            try {
                got = evaluateExpression(text);
            } catch (const Error& e) {
                QFAIL(qPrintable(QStringLiteral("%1 threw %2").arg(QString::fromStdString(text), e.what())));
            }
            QVERIFY2(std::fabs(got - value) <= 1e-9 * std::max(1.0, std::fabs(value)),
                     qPrintable(QStringLiteral("%1 = %2, expected %3")
                                    .arg(QString::fromStdString(text))
                                    .arg(got, 0, 'g', 17)
                                    .arg(value, 0, 'g', 17)));
            ++checked;
        }
        QVERIFY(checked > 2000);
    }

    // Random token soup: never a crash, only a value or hone::Error.
    void randomGarbageNeverCrashes() {
        static const char* const tokens[] = {"1",    "2.5",  "(",    ")",    "+",   "-",  "*",
                                             "/",    "%",    "^",    "**",   ",",   "pi", "e",
                                             "sqrt", "min(", "max(", "foo",  ".",   "e5", " ",
                                             "1e",   "abs(", "\x01", "\xff", "ln(", "$",  "round("};
        std::mt19937 rng(99);
        int values = 0, errors = 0;
        for (int i = 0; i < 20000; ++i) {
            std::string s;
            const int n = int(rng() % 24);
            for (int k = 0; k < n; ++k) s += tokens[rng() % std::size(tokens)];
            try {
                const double v = evaluateExpression(s);
                QVERIFY(std::isfinite(v));
                ++values;
            } catch (const Error&) {
                ++errors;
            }
        }
        QVERIFY(values > 0);
        QVERIFY(errors > 0);
    }

private:
    static std::string generate(std::mt19937& rng, int depth, double* value) {
        const int pick = depth > 4 ? 0 : int(rng() % 7);
        if (pick <= 1) {
            const int n = int(rng() % 50) + 1;
            *value = n;
            return std::to_string(n);
        }
        double a = 0, b = 0;
        const std::string l = generate(rng, depth + 1, &a);
        const std::string r = generate(rng, depth + 1, &b);
        switch (pick) {
        case 2:
            *value = a + b;
            return "(" + l + " + " + r + ")";
        case 3:
            *value = a - b;
            return "(" + l + " - " + r + ")";
        case 4:
            *value = a * b;
            return l + " * (" + r + ")";
        case 5:
            if (b == 0) {
                *value = a;
                return l;
            }
            *value = a / b;
            return "(" + l + ") / (" + r + ")";
        default:
            *value = std::fmax(a, -b);
            return "max(" + l + ", -(" + r + "))";
        }
    }
};

QTEST_GUILESS_MAIN(TstCalculator)
#include "tst_calculator.moc"
