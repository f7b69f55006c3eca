// The Arena with the real engine: stories260K (built-in alpaca template) on both sides — the base on the
// left, an adapter trained by `hone train` on the right — one prompt to both, both replies stream in, a vote
// is stored in hone.db with both replies and the tally counts it; voting twice on one pair is refused.
#include "common/test_support.h"
#include "services/settings.h"
#include "store/chat_store.h"
#include "store/store.h"
#include "system/app_paths.h"
#include "ui/arena_page.h"

#include <QComboBox>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QPushButton>
#include <QSignalSpy>
#include <QTemporaryDir>

using namespace hone;

class TestArenaPage : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void votesAreStored() {
        QVERIFY(home_.isValid());
        qputenv("HONE_HOME", home_.path().toLocal8Bit());
        const QString model = test::fixture("models/stories260K");
        HONE_REQUIRE_PATH(model);
        QProcess train;
        train.start(qEnvironmentVariable("HONE_BINARY_DIR") + "/bin/hone",
                    {"train", "--model", model, "--data",
                     test::sourceDir() + "/tests/data/train/stories_alpaca.jsonl", "--template", "alpaca",
                     "--max-steps", "6", "--batch-size", "4", "--threads", "1", "--json-progress"});
        QVERIFY(train.waitForFinished(180000));
        QVERIFY2(train.exitCode() == 0, train.readAllStandardError().constData());
        QString adapter;
        for (const QByteArray& line : train.readAllStandardOutput().split('\n')) {
            const QJsonObject o = QJsonDocument::fromJson(line).object();
            if (o.value("event") == QLatin1String("done")) adapter = o.value("adapter").toString();
        }
        QVERIFY(!adapter.isEmpty());

        const AppPaths paths = resolveAppPaths();
        Settings settings(paths);
        Store store(QString::fromStdString(paths.database));
        store.open();
        ui::ArenaPage page(&settings, &store);
        page.resize(1200, 800);
        page.show();
        QVERIFY(QTest::qWaitForWindowExposed(&page));
        page.setModel(model);
        auto* tpl = page.findChild<QComboBox*>("arenaTemplateCombo");
        tpl->setCurrentIndex(tpl->findData(QStringLiteral("alpaca")));
        page.setAdapter(1, adapter); // the run is in the list: the store knows it
        QVERIFY(page.findChild<QComboBox*>("arenaRightAdapter")->currentText().startsWith("run #"));
        QSignalSpy loaded(&page, &ui::ArenaPage::loaded);
        page.load();
        QVERIFY(loaded.wait(60000));
        QVERIFY2(loaded[0][0].toBool(), qPrintable(page.statusText()));
        QVERIFY(!page.vote("left")); // nothing to vote on yet

        QSignalSpy replied(&page, &ui::ArenaPage::bothReplied);
        QVERIFY(page.sendPrompt("Tell a story about a red cat named Sam."));
        QVERIFY(replied.wait(120000));
        QVERIFY(!page.replyText(0).isEmpty() && !page.replyText(1).isEmpty());
        QVERIFY(page.grab().save(test::artifactsDir() + "/arena_page.png"));
        QTest::mouseClick(page.findChild<QPushButton*>("vote_right"), Qt::LeftButton);
        QVERIFY(!page.vote("left")); // one vote per pair
        const auto votes = listArenaVotes(store);
        QCOMPARE(votes.size(), std::size_t(1));
        QCOMPARE(votes[0].winner, std::string("right"));
        QCOMPARE(votes[0].leftLabel, std::string("base"));
        QVERIFY(votes[0].rightLabel.rfind("run #", 0) == 0);
        QCOMPARE(QString::fromStdString(votes[0].leftText), page.replyText(0));
        QCOMPARE(QString::fromStdString(votes[0].rightText), page.replyText(1));
        QCOMPARE(votes[0].prompt, std::string("Tell a story about a red cat named Sam."));
        QVERIFY2(page.tallyText().contains("1 votes") && page.tallyText().contains("right 1"),
                 qPrintable(page.tallyText()));
    }

private:
    QTemporaryDir home_;
};

QTEST_MAIN(TestArenaPage)
#include "tst_arena_page.moc"
