// Chats in hone.db: a chat with its messages (tool calls and timings JSON) written and read back in order,
// listing, renaming, deleting (messages go with it, arena votes stay), arena votes, and refused bad input.
#include "common/error.h"
#include "common/json.h"
#include "common/test_support.h"
#include "store/chat_store.h"
#include "store/migrations.h"
#include "store/store.h"

#include <QThread>

using namespace hone;

class TstChatStore : public QObject {
    Q_OBJECT
    QTemporaryDir tmp_;

private Q_SLOTS:
    void roundTrip() {
        Store store(tmp_.filePath("rt.db"));
        store.open();
        QCOMPARE(store.schemaVersion(), latestSchemaVersion());
        ChatRecord c;
        c.title = "first";
        c.modelPath = "/models/stories260K";
        c.adapterPath = "/runs/3/adapter";
        c.settingsJson = R"({"temperature":0.7})";
        const auto id = createChat(store, c);
        const std::string tool =
            R"([{"id":"c1","type":"function","function":{"name":"calc","arguments":{"x":1}}}])";
        QCOMPARE(appendMessage(store, id, {0, "system", "Be brief.", "", "", ""}), 0);
        QCOMPARE(appendMessage(store, id, {0, "user", "2+2? ünïcödé ✓", "", "", ""}), 1);
        QCOMPARE(appendMessage(store, id, {0, "assistant", "", tool, R"({"ttft_ms":1.5})", ""}), 2);
        QCOMPARE(appendMessage(store, id, {0, "tool", "4", "", "", ""}), 3);

        Store again(tmp_.filePath("rt.db")); // a second connection, as after a restart
        again.open();
        const auto back = loadChat(again, id);
        QCOMPARE(back.title, c.title);
        QCOMPARE(back.modelPath, c.modelPath);
        QCOMPARE(back.adapterPath, c.adapterPath);
        QVERIFY(!back.runId);
        QCOMPARE(Json::parse(back.settingsJson), Json::parse(c.settingsJson));
        const auto msgs = chatMessages(again, id);
        QCOMPARE(msgs.size(), std::size_t(4));
        QCOMPARE(msgs[1].content, std::string("2+2? ünïcödé ✓"));
        QCOMPARE(msgs[2].role, std::string("assistant"));
        QCOMPARE(Json::parse(msgs[2].toolCallsJson), Json::parse(tool));
        QCOMPARE(Json::parse(msgs[2].timingsJson)["ttft_ms"].get<double>(), 1.5);
        QVERIFY(msgs[3].toolCallsJson.empty());
        for (int i = 0; i < 4; ++i) QCOMPARE(msgs[std::size_t(i)].seq, i);
    }

    void listRenameDelete() {
        Store store(tmp_.filePath("list.db"));
        store.open();
        const auto a = createChat(store, {0, "a", "/m", "", std::nullopt, "", "", ""});
        const auto b = createChat(store, {0, "b", "/m", "", std::nullopt, "", "", ""});
        QThread::msleep(5);                                     // updated_at has millisecond resolution
        appendMessage(store, a, {0, "user", "hi", "", "", ""}); // a is now the most recently updated
        auto list = listChats(store);
        QCOMPARE(list.size(), std::size_t(2));
        QCOMPARE(list[0].id, a);
        renameChat(store, b, "renamed");
        QCOMPARE(loadChat(store, b).title, std::string("renamed"));
        const auto vote = addArenaVote(store, {0, a, "hi", "base", "run 1", "x", "y", "right", ""});
        deleteChat(store, a);
        QCOMPARE(listChats(store).size(), std::size_t(1));
        QVERIFY(chatMessages(store, a).empty());
        const auto votes = listArenaVotes(store);
        QCOMPARE(votes.size(), std::size_t(1));
        QCOMPARE(votes[0].id, vote);
        QVERIFY(!votes[0].chatId); // the link is dropped, the vote stays
        QCOMPARE(votes[0].winner, std::string("right"));
        QCOMPARE(votes[0].rightLabel, std::string("run 1"));
    }

    void badInputIsRefused() {
        Store store(tmp_.filePath("bad.db"));
        store.open();
        auto expectError = [](const std::function<void()>& f, const char* needle) {
            try {
                f();
                QFAIL(needle);
            } catch (const Error& e) {
                QVERIFY2(std::string(e.what()).find(needle) != std::string::npos, e.what());
            }
        };
        expectError([&] { createChat(store, {}); }, "path of its model");
        const auto id = createChat(store, {0, "", "/m", "", std::nullopt, "", "", ""});
        expectError([&] { appendMessage(store, id, {0, "robot", "x", "", "", ""}); }, "not one of");
        expectError([&] { appendMessage(store, id, {0, "user", "x", "{oops", "", ""}); }, "not valid JSON");
        expectError([&] { appendMessage(store, id + 99, {0, "user", "x", "", "", ""}); }, "no chat");
        expectError(
            [&] {
                addArenaVote(store, {0, id, "p", "l", "r", "a", "b", "maybe", ""});
            },
            "not one of");
        QVERIFY(chatMessages(store, id).empty());
    }
};

QTEST_GUILESS_MAIN(TstChatStore)
#include "tst_chat_store.moc"
