// `hone template render|check` as a machine interface: exact text in {"text": ...}, tokenizer defaults for
// bos/eos with --model, `error:` with line and column for broken templates, and the check report.
#include "common/json.h"
#include "common/test_support.h"

#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>

#include "model/gguf_writer.h"
#include <QTemporaryDir>

namespace {

struct Run {
    int code = -1;
    QByteArray out, err;
};

Run runHone(const QStringList& args) {
    QProcess p;
    p.start(qEnvironmentVariable("HONE_BINARY_DIR") + QStringLiteral("/bin/hone"), args);
    Run r;
    if (!p.waitForFinished(60000)) return r;
    r.code = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    r.out = p.readAllStandardOutput();
    r.err = p.readAllStandardError();
    return r;
}

QString writeFile(QTemporaryDir& dir, const QString& name, const QByteArray& data) {
    QString path = dir.filePath(name);
    QFile f(path);
    if (f.open(QIODevice::WriteOnly)) f.write(data);
    return path;
}

} // namespace

class TestTemplateCli : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() {
        HONE_REQUIRE_PATH(qEnvironmentVariable("HONE_BINARY_DIR") + QStringLiteral("/bin/hone"));
    }

    void renderMatchesJinja2() {
        const QString tpl = hone::test::fixture(QStringLiteral("templates/Qwen-Qwen3-0.6B.jinja"));
        const QString ctx = hone::test::sourceDir() + QStringLiteral("/tests/data/chat/tools_dict_args.json");
        HONE_REQUIRE_PATH(tpl);
        HONE_REQUIRE_ORACLE(hone::test::runShell(QStringLiteral("python3 -c 'import jinja2'")) == 0,
                            QStringLiteral("python3 with jinja2"));
        Run r = runHone({QStringLiteral("template"), QStringLiteral("render"), QStringLiteral("--template"),
                         tpl, QStringLiteral("--context"), ctx, QStringLiteral("--json")});
        QCOMPARE(r.code, 0);
        auto j = hone::Json::parse(r.out.toStdString());
        QByteArray expected;
        QCOMPARE(
            hone::test::runShell(QStringLiteral("python3 '%1/tests/oracles/jinja_reference.py' '%2' '%3'")
                                     .arg(hone::test::sourceDir(), tpl, ctx),
                                 &expected),
            0);
        QCOMPARE(QByteArray::fromStdString(j["text"].get<std::string>()), expected);
    }

    void modelSuppliesSpecialTokens() {
        const QString model = hone::test::fixture(QStringLiteral("tokenizers/llama3"));
        HONE_REQUIRE_PATH(model);
        QTemporaryDir dir;
        QString ctx =
            writeFile(dir, QStringLiteral("c.json"),
                      R"({"messages": [{"role": "user", "content": "hi"}], "add_generation_prompt": true})");
        Run r = runHone({QStringLiteral("template"), QStringLiteral("render"), QStringLiteral("--model"),
                         model, QStringLiteral("--context"), ctx, QStringLiteral("--json")});
        QCOMPARE(r.code, 0);
        auto text = QString::fromStdString(hone::Json::parse(r.out.toStdString())["text"].get<std::string>());
        // Llama 3's template starts with bos_token, which comes from tokenizer_config.json.
        QVERIFY2(text.startsWith(QStringLiteral(
                     "<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nhi<|eot_id|>")),
                 qPrintable(text));
        QVERIFY(text.endsWith(QStringLiteral("<|start_header_id|>assistant<|end_header_id|>\n\n")));
        // The context wins over the tokenizer.
        QString ctx2 = writeFile(dir, QStringLiteral("c2.json"),
                                 R"({"messages": [{"role": "user", "content": "hi"}], "bos_token": "[B]"})");
        r = runHone({QStringLiteral("template"), QStringLiteral("render"), QStringLiteral("--model"), model,
                     QStringLiteral("--context"), ctx2, QStringLiteral("--json")});
        QCOMPARE(r.code, 0);
        QVERIFY(QString::fromStdString(hone::Json::parse(r.out.toStdString())["text"].get<std::string>())
                    .startsWith(QStringLiteral("[B]")));
    }

    void templateErrorsExitNonZeroWithPosition() {
        QTemporaryDir dir;
        QString tpl = writeFile(dir, QStringLiteral("bad.jinja"), "{% if x %}\n{{ 1 + }}\n{% endif %}");
        QString ctx = writeFile(dir, QStringLiteral("c.json"), "{}");
        Run r = runHone({QStringLiteral("template"), QStringLiteral("render"), QStringLiteral("--template"),
                         tpl, QStringLiteral("--context"), ctx, QStringLiteral("--json")});
        QVERIFY(r.code != 0);
        QVERIFY2(r.err.startsWith("error: ") && r.err.contains("line 2, column"), r.err.constData());
        QString raising =
            writeFile(dir, QStringLiteral("raise.jinja"),
                      "ok\n{{ raise_exception('Only user and assistant roles are supported!') }}");
        r = runHone({QStringLiteral("template"), QStringLiteral("render"), QStringLiteral("--template"),
                     raising, QStringLiteral("--context"), ctx, QStringLiteral("--json")});
        QVERIFY(r.code != 0);
        QVERIFY2(r.err.contains("line 2") && r.err.contains("Only user and assistant roles"),
                 r.err.constData());
    }

    void checkReportsPromptEndOfTurnAndDates() {
        const QString model = hone::test::fixture(QStringLiteral("tokenizers/qwen3"));
        const QString llama =
            hone::test::fixture(QStringLiteral("templates/meta-llama-Llama-3.1-8B-Instruct.jinja"));
        HONE_REQUIRE_PATH(model);
        HONE_REQUIRE_PATH(llama);
        Run r = runHone({QStringLiteral("template"), QStringLiteral("check"), QStringLiteral("--model"),
                         model, QStringLiteral("--json")});
        QCOMPARE(r.code, 0);
        auto j = hone::Json::parse(r.out.toStdString());
        QCOMPARE(j["generation_prompt"].get<std::string>(), std::string("<|im_start|>assistant\n"));
        QCOMPARE(j["end_of_turn"].get<std::string>(), std::string("<|im_end|>\n"));
        QCOMPARE(j["end_of_turn_is_stop_token"].get<bool>(), true);
        QCOMPARE(j["per_call_content"].get<bool>(), false);
        // Llama 3.1 writes "Today Date: ..." into the system prompt.
        r = runHone({QStringLiteral("template"), QStringLiteral("check"), QStringLiteral("--template"), llama,
                     QStringLiteral("--json")});
        QCOMPARE(r.code, 0);
        j = hone::Json::parse(r.out.toStdString());
        QCOMPARE(j["per_call_content"].get<bool>(), true);
        QCOMPARE(j["end_of_turn"].get<std::string>(), std::string("<|eot_id|>"));
    }

    // A GGUF's tokenizer.chat_template (and its named variants) with BOS/EOS from the embedded vocabulary.
    void renderFromGgufMetadata() {
        QTemporaryDir dir;
        hone::GgufWriter w;
        w.setString("general.architecture", "llama");
        w.setStringArray("tokenizer.ggml.tokens", {"<s>", "</s>", "hi"});
        w.setU32("tokenizer.ggml.bos_token_id", 0);
        w.setU32("tokenizer.ggml.eos_token_id", 1);
        w.setString("tokenizer.chat_template",
                    "{{ bos_token }}{% for m in messages %}[{{ m.content }}]{% endfor %}{{ eos_token }}");
        w.setString("tokenizer.chat_template.tool_use", "TOOLS {{ tools | length }}{{ eos_token }}");
        const QString gguf = dir.filePath(QStringLiteral("model.gguf"));
        w.write(gguf.toStdString());
        const QString plain = writeFile(dir, QStringLiteral("plain.json"),
                                        R"({"messages": [{"role": "user", "content": "x"}]})");
        Run r = runHone({QStringLiteral("template"), QStringLiteral("render"), QStringLiteral("--model"),
                         gguf, QStringLiteral("--context"), plain, QStringLiteral("--json")});
        QCOMPARE(r.code, 0);
        QCOMPARE(QJsonDocument::fromJson(r.out).object().value(QStringLiteral("text")).toString(),
                 QStringLiteral("<s>[x]</s>"));
        // With tools, transformers' choice picks the tool_use variant.
        const QString tools =
            writeFile(dir, QStringLiteral("tools.json"),
                      R"({"messages": [{"role": "user", "content": "x"}], "tools": [{"type": "function"}]})");
        r = runHone({QStringLiteral("template"), QStringLiteral("render"), QStringLiteral("--model"), gguf,
                     QStringLiteral("--context"), tools, QStringLiteral("--json")});
        QCOMPARE(r.code, 0);
        QCOMPARE(QJsonDocument::fromJson(r.out).object().value(QStringLiteral("text")).toString(),
                 QStringLiteral("TOOLS 1</s>"));
        // A GGUF without a template says so.
        hone::GgufWriter bare;
        bare.setString("general.architecture", "llama");
        const QString none = dir.filePath(QStringLiteral("bare.gguf"));
        bare.write(none.toStdString());
        r = runHone({QStringLiteral("template"), QStringLiteral("render"), QStringLiteral("--model"), none,
                     QStringLiteral("--context"), plain});
        QVERIFY(r.code != 0);
        QVERIFY2(r.err.startsWith("error: ") && r.err.contains("no chat template"), r.err.constData());
    }
};

QTEST_GUILESS_MAIN(TestTemplateCli)
#include "tst_template_cli.moc"
