// The file tools on a real temporary folder: allowed reads, listings and searches work; every way out of the
// shared folder ('..', absolute paths, symlinks to files and folders outside, over-long paths, NUL bytes,
// FIFOs and devices) is refused with a message and never shows the secret file outside.
#include "common/test_support.h"
#include "tools/file_tools.h"

#include "common/error.h"

#include <QDir>
#include <QFile>
#include <sys/stat.h>
#include <unistd.h>

using namespace hone;
using namespace hone::tools;

namespace {

void write(const QString& path, const QByteArray& data) {
    QDir().mkpath(QFileInfo(path).absolutePath());
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(data);
}

} // namespace

class TstFileTools : public QObject {
    Q_OBJECT

    QTemporaryDir tmp_;
    QString root_, outside_;
    std::shared_ptr<Tool> list_, read_, search_;

    ToolResult call(const std::shared_ptr<Tool>& tool, const Json& args) {
        return tool->call(args, Clock::now() + std::chrono::seconds(10));
    }

private Q_SLOTS:
    void initTestCase() {
        QVERIFY(tmp_.isValid());
        root_ = tmp_.filePath("shared");
        outside_ = tmp_.filePath("outside");
        write(root_ + "/a.txt", "hello world\nsecond line\n");
        write(root_ + "/sub/b.md", "# Notes\nNeedle here\n");
        write(root_ + "/sub/deep/c.txt", "deep file\n");
        write(root_ + "/bin.dat", QByteArray("\x7f"
                                             "ELF\0\0\x01\x02",
                                             8));
        write(root_ + "/latin1.txt", "caf\xe9\n");
        write(root_ + "/big.txt", QByteArray(5000, 'x'));
        write(outside_ + "/secret.txt", "TOPSECRET needle\n");
        QVERIFY(QFile::link(root_ + "/sub/b.md", root_ + "/link_in"));
        QVERIFY(QFile::link(outside_ + "/secret.txt", root_ + "/link_out"));
        QVERIFY(QFile::link(outside_, root_ + "/dir_out"));
        QVERIFY(QFile::link("../../outside/secret.txt", root_ + "/sub/rel_out")); // relative link out
        QVERIFY(QFile::link("/dev/zero", root_ + "/zero"));
        QCOMPARE(::mkfifo(QFile::encodeName(root_ + "/fifo").constData(), 0600), 0);
        FileToolLimits limits;
        limits.maxReadBytes = 1000;
        auto tools = makeFileTools(root_.toStdString(), limits);
        QCOMPARE(tools.size(), std::size_t(3));
        list_ = tools[0];
        read_ = tools[1];
        search_ = tools[2];
        QCOMPARE(list_->name(), std::string("list_files"));
        QCOMPARE(read_->name(), std::string("read_file"));
        QCOMPARE(search_->name(), std::string("search_files"));
    }

    void readsInside() {
        ToolResult r = call(read_, {{"path", "a.txt"}});
        QVERIFY2(!r.isError, r.content.c_str());
        QCOMPARE(r.content, std::string("hello world\nsecond line\n"));
        r = call(read_, {{"path", "sub/./b.md"}});
        QCOMPARE(r.content, std::string("# Notes\nNeedle here\n"));
        r = call(read_, {{"path", "link_in"}}); // a symlink that stays inside is fine
        QVERIFY(!r.isError);
        QCOMPARE(r.content, std::string("# Notes\nNeedle here\n"));
    }

    void bigFileIsCut() {
        ToolResult r = call(read_, {{"path", "big.txt"}});
        QVERIFY(!r.isError);
        QVERIFY(r.truncated);
        QCOMPARE(r.content.substr(0, 1000), std::string(1000, 'x'));
        QVERIFY(r.content.find("first 1000 of 5000 bytes") != std::string::npos);
    }

    void binaryIsNotShown() {
        for (const char* name : {"bin.dat", "latin1.txt"}) {
            ToolResult r = call(read_, {{"path", name}});
            QVERIFY2(r.isError, name);
            QVERIFY2(r.content.find("binary file") != std::string::npos, r.content.c_str());
        }
    }

    void escapesRefused_data() {
        QTest::addColumn<QByteArray>("path");
        QTest::addColumn<QString>("message");
        QTest::newRow("dotdot") << QByteArray("..") << "'..'";
        QTest::newRow("dotdot file") << QByteArray("../outside/secret.txt") << "'..'";
        QTest::newRow("a/../../x") << QByteArray("a/../../outside/secret.txt") << "'..'";
        QTest::newRow("sub/../..") << QByteArray("sub/../../outside/secret.txt") << "'..'";
        QTest::newRow("absolute") << QByteArray("/etc/passwd") << "absolute";
        QTest::newRow("absolute outside") << (outside_ + "/secret.txt").toUtf8() << "absolute";
        QTest::newRow("home") << QByteArray("~/secret.txt") << "absolute";
        QTest::newRow("symlink out") << QByteArray("link_out") << "outside the shared folder";
        QTest::newRow("relative symlink out") << QByteArray("sub/rel_out") << "outside the shared folder";
        QTest::newRow("symlinked dir out") << QByteArray("dir_out/secret.txt") << "outside the shared folder";
        QTest::newRow("device link") << QByteArray("zero") << "outside the shared folder";
        QTest::newRow("fifo") << QByteArray("fifo") << "a FIFO";
        QTest::newRow("folder") << QByteArray("sub") << "a folder";
        QTest::newRow("missing") << QByteArray("nope.txt") << "no file 'nope.txt'";
        QTest::newRow("very long") << QByteArray("a/").repeated(1500) << "the limit is 1024";
        QTest::newRow("long name") << QByteArray(300, 'n') << "longer than 255";
        QTest::newRow("nul") << QByteArray("a.txt\0/../../outside/secret.txt", 31) << "NUL";
    }
    void escapesRefused() {
        QFETCH(QByteArray, path);
        QFETCH(QString, message);
        const Json args{{"path", path.toStdString()}};
        ToolResult r = call(read_, args);
        QVERIFY2(r.isError, r.content.c_str());
        QVERIFY2(QString::fromStdString(r.content).contains(message), r.content.c_str());
        QVERIFY(r.content.find("TOPSECRET") == std::string::npos);
        for (const auto& tool : {list_, search_}) {
            Json a = args;
            a["query"] = "needle";
            ToolResult l = call(tool, a);
            QVERIFY(l.content.find("TOPSECRET") == std::string::npos);
            if (message != "a FIFO" && message != "a folder" && !message.startsWith("no file"))
                QVERIFY2(l.isError, (tool->name() + ": " + l.content).c_str());
        }
    }

    void sandboxResolvesComponentWise() {
        FileSandbox box(root_.toStdString());
        QVERIFY(box.contains(box.root() / "x"));
        // A sibling whose name starts with the root's name is not inside.
        QVERIFY(!box.contains(std::filesystem::path(box.root().string() + "2") / "x"));
        QVERIFY(!box.contains(box.root().parent_path()));
        QCOMPARE(box.resolve(""), box.root());
        QVERIFY_THROWS_EXCEPTION(Error, FileSandbox(tmp_.filePath("no-such-folder").toStdString()));
    }

    void lists() {
        ToolResult r = call(list_, Json::object());
        QVERIFY2(!r.isError, r.content.c_str());
        const QString out = QString::fromStdString(r.content);
        QVERIFY(out.contains("a.txt (24 bytes)\n"));
        QVERIFY(out.contains("sub/\n"));
        QVERIFY(out.contains("link_in -> sub/b.md\n"));
        QVERIFY(out.contains("link_out -> (outside the folder)\n"));
        QVERIFY(out.contains("dir_out -> (outside the folder)\n"));
        QVERIFY(out.contains("fifo (special file)\n"));
        QVERIFY(!out.contains("sub/deep"));
        QVERIFY(!out.contains("secret"));
        r = call(list_, {{"path", "sub"}, {"recursive", true}});
        QVERIFY(QString::fromStdString(r.content).contains("sub/deep/c.txt (10 bytes)\n"));
        r = call(list_, {{"path", "a.txt"}});
        QVERIFY(r.isError);
        r = call(list_, {{"recursive", "yes"}});
        QVERIFY(r.isError);
        QVERIFY(r.content.find("argument 'recursive': expected a boolean") != std::string::npos);
    }

    void searches() {
        ToolResult r = call(search_, {{"query", "NEEDLE"}});
        QVERIFY2(!r.isError, r.content.c_str());
        QCOMPARE(r.content, std::string("sub/b.md:2: Needle here\n")); // not the secret behind dir_out
        r = call(search_, {{"query", "deep"}, {"path", "sub"}});
        const QString out = QString::fromStdString(r.content);
        QVERIFY(out.contains("sub/deep (name)"));
        QVERIFY(out.contains("sub/deep/c.txt:1: deep file"));
        r = call(search_, {{"query", "zzz-not-there"}});
        QCOMPARE(r.content, std::string("no matches\n"));
        r = call(search_, {{"query", ""}});
        QVERIFY(r.isError);
        r = call(search_, {{"query", "x"}, {"unexpected", 1}});
        QVERIFY(r.isError);
        QVERIFY(r.content.find("unknown argument 'unexpected'") != std::string::npos);
    }
};

QTEST_GUILESS_MAIN(TstFileTools)
#include "tst_file_tools.moc"
