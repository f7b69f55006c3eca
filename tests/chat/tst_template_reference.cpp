// Differential test against Python Jinja2 configured as transformers' apply_chat_template
// (tests/oracles/jinja_reference.py): every fixture template x every context x add_generation_prompt on/off
// must render byte-identically, and where Jinja2 raises Hone must raise. The oracle runs once, in batch mode.
#include "chat/assistant_masks.h"
#include "chat/template.h"
#include "chat/template_source.h"
#include "common/error.h"
#include "common/test_support.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>

using hone::OrderedJson;

namespace {

struct NamedText {
    QString name;
    std::string text;
};

std::string readAll(const QString& path) {
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) return {};
    return f.readAll().toStdString();
}

} // namespace

class TestTemplateReference : public QObject {
    Q_OBJECT
private slots:
    void matchesJinja2() {
        const QString tplDir = hone::test::fixture(QStringLiteral("templates"));
        const QString tokDir = hone::test::fixture(QStringLiteral("tokenizers"));
        HONE_REQUIRE_PATH(tplDir);
        HONE_REQUIRE_PATH(tokDir);
        const QString oracle = hone::test::sourceDir() + QStringLiteral("/tests/oracles/jinja_reference.py");
        QVERIFY(QFileInfo::exists(oracle));
        HONE_REQUIRE_ORACLE(hone::test::runShell(QStringLiteral("python3 -c 'import jinja2'")) == 0,
                            QStringLiteral("python3 with jinja2"));

        std::vector<NamedText> templates;
        for (const auto& fi :
             QDir(tplDir).entryInfoList({QStringLiteral("*.jinja")}, QDir::Files, QDir::Name))
            templates.push_back({fi.fileName(), readAll(fi.absoluteFilePath())});
        for (const auto& d : QDir(tokDir).entryInfoList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name)) {
            const QString cfg = d.absoluteFilePath() + QStringLiteral("/tokenizer_config.json");
            if (!QFileInfo::exists(cfg)) continue;
            auto j = hone::Json::parse(readAll(cfg), nullptr, false);
            if (!j.is_object() || !j.contains("chat_template") || j["chat_template"].is_null()) continue;
            auto set = hone::jinja::templatesFromConfig(j["chat_template"], cfg.toStdString());
            for (const auto& t : set.templates)
                templates.push_back(
                    {QStringLiteral("tokenizers/%1[%2]").arg(d.fileName(), QString::fromStdString(t.name)),
                     t.text});
        }
        std::vector<std::pair<QString, OrderedJson>> contexts;
        QStringList ctxFiles;
        for (const auto& fi : QDir(tplDir + QStringLiteral("/contexts"))
                                  .entryInfoList({QStringLiteral("*.json")}, QDir::Files, QDir::Name))
            ctxFiles << fi.absoluteFilePath();
        for (const auto& fi : QDir(hone::test::sourceDir() + QStringLiteral("/tests/data/chat"))
                                  .entryInfoList({QStringLiteral("*.json")}, QDir::Files, QDir::Name))
            ctxFiles << fi.absoluteFilePath();
        for (const auto& p : ctxFiles)
            contexts.emplace_back(QFileInfo(p).fileName(), OrderedJson::parse(readAll(p)));
        QVERIFY(templates.size() >= 20);
        QVERIFY(contexts.size() >= 5);

        struct CaseRef {
            size_t tpl, ctx;
            bool agp;
        };
        std::vector<CaseRef> refs;
        OrderedJson cases = OrderedJson::array();
        for (size_t t = 0; t < templates.size(); ++t)
            for (size_t c = 0; c < contexts.size(); ++c)
                for (bool agp : {true, false}) {
                    OrderedJson ctx = contexts[c].second;
                    ctx["add_generation_prompt"] = agp;
                    cases.push_back({{"template_text", templates[t].text}, {"context", ctx}});
                    refs.push_back({t, c, agp});
                }
        QTemporaryDir tmp;
        QVERIFY(tmp.isValid());
        const QString casesPath = tmp.filePath(QStringLiteral("cases.json"));
        {
            QFile f(casesPath);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(QByteArray::fromStdString(cases.dump()));
        }
        QByteArray out;
        int rc = hone::test::runShell(
            QStringLiteral("HONE_JINJA_NOW=1700000000 python3 '%1' --batch '%2'").arg(oracle, casesPath),
            &out);
        QCOMPARE(rc, 0);
        auto results = hone::Json::parse(out.toStdString(), nullptr, false);
        QVERIFY2(results.is_array() && results.size() == refs.size(), out.left(500).constData());

        hone::jinja::RenderOptions opts;
        opts.nowEpochSeconds = 1700000000;
        int same = 0, bothRaise = 0;
        QStringList mismatches;
        for (size_t i = 0; i < refs.size(); ++i) {
            const auto& r = refs[i];
            const auto& ref = results[i];
            std::string got, err;
            try {
                hone::jinja::Template tpl(templates[r.tpl].text);
                got = tpl.render(cases[i]["context"], opts);
            } catch (const hone::Error& e) {
                err = e.what();
            }
            const QString label =
                QStringLiteral("%1 x %2 agp=%3").arg(templates[r.tpl].name, contexts[r.ctx].first).arg(r.agp);
            if (ref.contains("error")) {
                const std::string refErr = ref["error"].get<std::string>();
                const std::string prefix = "TemplateError: "; // raise_exception(message): same message
                if (!err.empty() && refErr.rfind(prefix, 0) == 0 &&
                    err.find(refErr.substr(prefix.size())) == std::string::npos) {
                    mismatches << label + QStringLiteral(": raise_exception message differs: ") +
                                      QString::fromStdString(err);
                    continue;
                }
                if (!err.empty()) {
                    ++bothRaise;
                    continue;
                }
                mismatches << label + QStringLiteral(": Jinja2 raised (%1), Hone rendered")
                                          .arg(QString::fromStdString(ref["error"].get<std::string>()));
                continue;
            }
            if (!err.empty()) {
                mismatches << label + QStringLiteral(": Hone raised: ") + QString::fromStdString(err);
                continue;
            }
            if (got == ref["text"].get<std::string>()) {
                ++same;
            } else {
                mismatches << label + QStringLiteral(": output differs");
            }
        }
        qInfo("%zu templates x %zu contexts x 2: %d byte-identical, %d raise on both sides, %lld mismatches",
              templates.size(), contexts.size(), same, bothRaise, static_cast<long long>(mismatches.size()));
        for (const auto& m : mismatches) qWarning("%s", qPrintable(m));
        QVERIFY(mismatches.isEmpty());
        QVERIFY(same > static_cast<int>(refs.size()) / 2);
    }

    // Masks over the real templates: spans are ordered and in bounds, and where prefixes render consistently
    // the reply of the simple conversation lies inside its span.
    void assistantMasksOnFixtures() {
        const QString tplDir = hone::test::fixture(QStringLiteral("templates"));
        HONE_REQUIRE_PATH(tplDir);
        OrderedJson ctx = OrderedJson::parse(readAll(tplDir + QStringLiteral("/contexts/simple.json")));
        int consistent = 0, total = 0;
        for (const auto& fi :
             QDir(tplDir).entryInfoList({QStringLiteral("*.jinja")}, QDir::Files, QDir::Name)) {
            hone::jinja::Template tpl(readAll(fi.absoluteFilePath()));
            hone::jinja::AssistantSpans m;
            try {
                m = hone::jinja::assistantSpans(tpl, ctx);
            } catch (const hone::Error&) {
                continue; // the template rejects this conversation outright (checked by matchesJinja2)
            }
            ++total;
            size_t prev = 0;
            for (const auto& s : m.spans) {
                QVERIFY(s.begin >= prev && s.begin < s.end && s.end <= m.text.size());
                prev = s.end;
            }
            if (m.consistent) {
                ++consistent;
                QCOMPARE(m.spans.size(), size_t(1));
                const std::string span = m.text.substr(m.spans[0].begin, m.spans[0].end - m.spans[0].begin);
                QVERIFY2(span.find("llama.cpp!") != std::string::npos, qPrintable(fi.fileName()));
            } else {
                qInfo("%s: %s", qPrintable(fi.fileName()), m.problems.empty() ? "" : m.problems[0].c_str());
            }
        }
        qInfo("assistant masks: %d of %d templates render prefixes consistently", consistent, total);
        QVERIFY(consistent > total / 2);
    }
};

QTEST_GUILESS_MAIN(TestTemplateReference)
#include "tst_template_reference.moc"
