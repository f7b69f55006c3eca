// The Chat page with the real engine: the stories260K fixture (no chat template of its own) loaded with the
// built-in alpaca template; two messages stream into the view, the second reply reuses the first one's KV
// cache (shown in the statistics); Stop is offered while a reply runs; a model folder that is not there is
// reported next to the form; a screenshot is written as a test artifact. Best of 3 at temperature 1 shows
// three different answers side by side and the chosen one is what the conversation and the store hold.
#include "common/test_support.h"
#include "services/chat_service.h"
#include "store/chat_store.h"
#include "store/store.h"
#include "system/app_paths.h"
#include "ui/chat_page.h"

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QGroupBox>
#include <QLabel>
#include <QListWidget>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTemporaryDir>
#include <QTextBrowser>

using namespace hone;

class TestChatPage : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() {
        QVERIFY(home_.isValid());
        qputenv("HONE_HOME", home_.path().toLocal8Bit());
    }

    void missingModelIsReported() {
        ui::ChatPage page(nullptr, nullptr);
        page.setModel(home_.filePath("no-such-model"));
        QSignalSpy loaded(&page, &ui::ChatPage::loaded);
        page.load();
        QVERIFY(loaded.wait(60000));
        QCOMPARE(loaded[0][0].toBool(), false);
        QVERIFY2(page.statusText().contains("no-such-model"), qPrintable(page.statusText()));
        QVERIFY(!page.sendMessage("hello"));
    }

    void streamsRepliesAndReusesTheCache() {
        const QString model = test::fixture("models/stories260K");
        HONE_REQUIRE_PATH(model);
        ui::ChatPage page(nullptr, nullptr);
        page.resize(1200, 800);
        page.show();
        QVERIFY(QTest::qWaitForWindowExposed(&page));
        page.setModel(model);
        auto* tpl = page.findChild<QComboBox*>("chatTemplateCombo");
        tpl->setCurrentIndex(tpl->findData(QStringLiteral("alpaca")));
        QVERIFY(tpl->currentIndex() > 0);
        page.findChild<QSpinBox*>("chatMaxTokens")->setValue(24);
        QSignalSpy loaded(&page, &ui::ChatPage::loaded);
        page.load();
        QVERIFY(loaded.wait(60000));
        QVERIFY2(loaded[0][0].toBool(), qPrintable(page.statusText()));

        QSignalSpy deltas(page.service(), &ChatService::textDelta);
        QSignalSpy done(&page, &ui::ChatPage::replyDone);
        QVERIFY(page.sendMessage("Tell me a story about a cat."));
        QVERIFY(!page.sendMessage("a second message while the first runs is refused"));
        QVERIFY(done.wait(120000));
        QVERIFY(deltas.count() > 1); // streamed, not delivered at once
        QString streamed;
        for (const auto& d : deltas) streamed += d[0].toString();
        QVERIFY(!streamed.trimmed().isEmpty());
        QVERIFY2(page.transcript().contains("Tell me a story") &&
                     page.transcript().contains(streamed.trimmed()),
                 qPrintable(page.transcript()));
        QVERIFY2(page.statsText().contains("TTFT"), qPrintable(page.statsText()));

        QSignalSpy stats(page.service(), &ChatService::replyStats);
        QVERIFY(page.sendMessage("And then?"));
        QVERIFY(done.wait(120000));
        QVERIFY(!stats.isEmpty());
        const QJsonObject s = stats.last()[0].toJsonObject();
        // The first turn (and its reply) came from the cache; only the new part was prefilled.
        QVERIFY2(s.value("reused").toInt() > 0 &&
                     s.value("prefilled").toInt() < s.value("prompt_tokens").toInt(),
                 qPrintable(page.statsText()));
        QVERIFY(page.grab().save(test::artifactsDir() + "/chat_page.png"));

        // While a reply runs, Stop is the enabled button and Send is not.
        QVERIFY(page.sendMessage("Once upon a time"));
        QVERIFY(page.findChild<QPushButton*>("chatStopButton")->isEnabled());
        QVERIFY(!page.findChild<QPushButton*>("chatSendButton")->isEnabled());
        QVERIFY(done.wait(120000));
        QVERIFY(!page.findChild<QPushButton*>("chatStopButton")->isEnabled());
    }

    // Chats are saved in hone.db as they go and come back, model, template and messages, in a new page.
    void storesAndReopensChats() {
        const QString model = test::fixture("models/stories260K");
        HONE_REQUIRE_PATH(model);
        const AppPaths paths = resolveAppPaths();
        Store store(QString::fromStdString(paths.database));
        store.open();
        qint64 id = 0;
        QString firstReply;
        {
            ui::ChatPage page(nullptr, &store);
            page.setModel(model);
            auto* tpl = page.findChild<QComboBox*>("chatTemplateCombo");
            tpl->setCurrentIndex(tpl->findData(QStringLiteral("alpaca")));
            page.findChild<QSpinBox*>("chatMaxTokens")->setValue(16);
            QSignalSpy loaded(&page, &ui::ChatPage::loaded);
            page.load();
            QVERIFY(loaded.wait(60000) && loaded[0][0].toBool());
            QSignalSpy done(&page, &ui::ChatPage::replyDone);
            QVERIFY(page.sendMessage("Tell me about a dog."));
            QVERIFY(done.wait(120000));
            id = page.chatId();
            QVERIFY(id > 0);
            QCOMPARE(page.findChild<QListWidget*>("chatList")->count(), 1);
            const auto msgs = chatMessages(store, id);
            QCOMPARE(msgs.size(), std::size_t(2));
            QCOMPARE(msgs[0].role, std::string("user"));
            QCOMPARE(msgs[1].role, std::string("assistant"));
            firstReply = QString::fromStdString(msgs[1].content);
            QVERIFY(!msgs[1].timingsJson.empty()); // the reply's statistics are kept
        }
        ui::ChatPage page(nullptr, &store);
        auto* list = page.findChild<QListWidget*>("chatList");
        QCOMPARE(list->count(), 1);
        QVERIFY2(list->item(0)->text().contains("Tell me about a dog"), qPrintable(list->item(0)->text()));
        QSignalSpy loaded(&page, &ui::ChatPage::loaded);
        QVERIFY(page.openStoredChat(id));
        QVERIFY(loaded.wait(60000) && loaded[0][0].toBool());
        QVERIFY2(page.transcript().contains("Tell me about a dog") &&
                     page.transcript().contains(firstReply.trimmed()),
                 qPrintable(page.transcript()));
        QSignalSpy stats(page.service(), &ChatService::replyStats);
        QSignalSpy done(&page, &ui::ChatPage::replyDone);
        QVERIFY(page.sendMessage("What happened next?"));
        QVERIFY(done.wait(120000));
        // The restored turn is part of the prompt (it is longer than the new message alone).
        QVERIFY(stats.last()[0].toJsonObject().value("prompt_tokens").toInt() > 20);
        QCOMPARE(page.chatId(), id);
        QCOMPARE(chatMessages(store, id).size(), std::size_t(4));
        QVERIFY(!page.openStoredChat(id + 1000)); // not there: said next to the form
        QVERIFY(page.statusText().contains(QString::number(id + 1000)));
    }

    void bestOfShowsAnswersSideBySide() {
        const QString model = test::fixture("models/stories260K");
        HONE_REQUIRE_PATH(model);
        const AppPaths paths = resolveAppPaths();
        Store store(QString::fromStdString(paths.database));
        store.open();
        ui::ChatPage page(nullptr, &store);
        page.resize(1400, 900);
        page.show();
        QVERIFY(QTest::qWaitForWindowExposed(&page));
        page.setModel(model);
        auto* tpl = page.findChild<QComboBox*>("chatTemplateCombo");
        tpl->setCurrentIndex(tpl->findData(QStringLiteral("alpaca")));
        page.findChild<QSpinBox*>("chatMaxTokens")->setValue(24);
        page.findChild<QDoubleSpinBox*>("chatTemperature")->setValue(1.0);
        page.findChild<QSpinBox*>("chatBestOf")->setValue(3);
        QSignalSpy loaded(&page, &ui::ChatPage::loaded);
        page.load();
        QVERIFY(loaded.wait(60000) && loaded[0][0].toBool());

        QSignalSpy best(page.service(), &ChatService::bestOfFinished);
        QSignalSpy done(&page, &ui::ChatPage::replyDone);
        QVERIFY(page.sendMessage("Tell me a story about a bird."));
        QVERIFY(done.wait(120000));
        QCOMPARE(best.count(), 1);
        const QJsonArray samples = best[0][0].toJsonArray();
        const int chosen = best[0][1].toInt();
        const int votes = best[0][2].toInt();
        QCOMPARE(samples.size(), 3);
        for (const auto& v : samples) // later samples start from the cached prompt: their TTFT is lower
            qInfo("best-of sample: %d tokens, TTFT %.2f ms, %.0f tok/s",
                  v.toObject().value("generated_tokens").toInt(), v.toObject().value("ttft_ms").toDouble(),
                  v.toObject().value("decode_tokens_per_s").toDouble());
        QVERIFY(chosen >= 0 && chosen < 3);
        // Three samples, not one copied three times: different seeds give different stories.
        QSet<QString> distinct;
        for (const auto& v : samples) distinct.insert(v.toObject().value("content").toString());
        QVERIFY2(distinct.size() >= 2, qPrintable(distinct.values().join(" | ")));
        int agreeing = 0;
        for (const auto& v : samples)
            agreeing += v.toObject().value("answer") == samples[chosen].toObject().value("answer");
        QCOMPARE(votes, agreeing);

        // Shown side by side, the chosen one marked, each with its own text.
        const auto boxes = page.findChildren<QGroupBox*>("chatBestOfAnswer");
        QCOMPARE(boxes.size(), 3);
        int marked = 0;
        for (int i = 0; i < 3; ++i) {
            QVERIFY(boxes[i]->isVisible());
            marked += boxes[i]->property("chosen").toBool();
            const QString shown = boxes[i]->findChild<QPlainTextEdit*>()->toPlainText();
            QCOMPARE(shown, samples[i].toObject().value("content").toString());
        }
        QCOMPARE(marked, 1);
        QVERIFY(boxes[chosen]->property("chosen").toBool());
        QVERIFY(boxes[0]->y() == boxes[2]->y() && boxes[0]->x() < boxes[1]->x()); // a row
        QVERIFY(page.grab().save(test::artifactsDir() + "/chat_page_best_of.png"));

        // The chosen answer continues the conversation and is stored like a normal turn.
        const QString chosenText = samples[chosen].toObject().value("content").toString();
        QVERIFY(!chosenText.isEmpty());
        QVERIFY2(page.transcript().contains(chosenText), qPrintable(page.transcript()));
        const auto msgs = chatMessages(store, page.chatId());
        QCOMPARE(msgs.size(), std::size_t(2));
        QCOMPARE(QString::fromStdString(msgs[1].content).trimmed(), chosenText);
        for (int i = 0; i < 3; ++i)
            if (samples[i].toObject().value("content").toString() != chosenText)
                QVERIFY(!page.transcript().contains(samples[i].toObject().value("content").toString()));

        // Back to one answer: the next turn's prompt holds the chosen answer, taken from the KV cache.
        page.findChild<QSpinBox*>("chatBestOf")->setValue(1);
        QSignalSpy stats(page.service(), &ChatService::replyStats);
        QVERIFY(page.sendMessage("And then?"));
        QVERIFY(done.wait(120000));
        QCOMPARE(best.count(), 1);
        QVERIFY(!page.findChild<QWidget*>("chatBestOfRow")->isVisible());
        QVERIFY2(stats.last()[0].toJsonObject().value("reused").toInt() > 0, qPrintable(page.statsText()));
        QCOMPARE(chatMessages(store, page.chatId()).size(), std::size_t(4));
        QCOMPARE(page.toolCallCountsText(), QStringLiteral("Tool calls: none yet"));
    }

private:
    QTemporaryDir home_;
};

QTEST_MAIN(TestChatPage)
#include "tst_chat_page.moc"
