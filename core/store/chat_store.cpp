// Implementation of the chat rows on Qt Sql.
#include "store/chat_store.h"

#include "common/error.h"
#include "common/json.h"
#include "store/store.h"

#include <QSqlError>
#include <QSqlQuery>
#include <QVariant>

#include <algorithm>

namespace hone {

namespace {

QVariant textOrNull(const std::string& s) {
    return s.empty() ? QVariant() : QVariant(QString::fromStdString(s));
}

std::string textOf(const QVariant& v) {
    return v.isNull() ? std::string() : v.toString().toStdString();
}

QVariant idOrNull(const std::optional<std::int64_t>& id) {
    return id ? QVariant(static_cast<qlonglong>(*id)) : QVariant();
}

[[noreturn]] void sqlFailed(Store& store, const QSqlQuery& q) {
    throw Error("database " + store.path().toStdString() + ": " + q.lastError().text().toStdString() +
                " (check that the file is writable and not used by an older Hone)");
}

// Prepares `sql`, binds `values` in order and runs it.
QSqlQuery run(Store& store, const QString& sql, const QVariantList& values = {}) {
    QSqlQuery q(store.connection());
    if (!q.prepare(sql)) sqlFailed(store, q);
    for (const auto& v : values) q.addBindValue(v);
    if (!q.exec()) sqlFailed(store, q);
    return q;
}

void requireJson(const std::string& text, const std::string& what) {
    if (!text.empty() && !Json::accept(text)) throw Error(what + " is not valid JSON");
}

const QString kChatColumns = QStringLiteral(
    "SELECT id, title, model_path, adapter_path, run_id, settings_json, created_at, updated_at FROM chats");

ChatRecord chatFrom(const QSqlQuery& q) {
    ChatRecord c;
    c.id = q.value(0).toLongLong();
    c.title = textOf(q.value(1));
    c.modelPath = textOf(q.value(2));
    c.adapterPath = textOf(q.value(3));
    if (!q.value(4).isNull()) c.runId = q.value(4).toLongLong();
    c.settingsJson = textOf(q.value(5));
    c.createdAt = textOf(q.value(6));
    c.updatedAt = textOf(q.value(7));
    return c;
}

} // namespace

std::int64_t createChat(Store& store, const ChatRecord& c) {
    if (c.modelPath.empty()) throw Error("a chat needs the path of its model");
    requireJson(c.settingsJson, "the chat settings");
    auto q = run(store,
                 QStringLiteral("INSERT INTO chats (title, model_path, adapter_path, run_id, settings_json) "
                                "VALUES (?, ?, ?, ?, ?)"),
                 {textOrNull(c.title), QString::fromStdString(c.modelPath), textOrNull(c.adapterPath),
                  idOrNull(c.runId), textOrNull(c.settingsJson)});
    return q.lastInsertId().toLongLong();
}

int appendMessage(Store& store, std::int64_t chatId, const StoredMessage& m) {
    static const char* const roles[] = {"system", "user", "assistant", "tool"};
    if (std::find(std::begin(roles), std::end(roles), m.role) == std::end(roles))
        throw Error("message role '" + m.role + "' is not one of system, user, assistant, tool");
    requireJson(m.toolCallsJson, "the message's tool calls");
    requireJson(m.timingsJson, "the message's timings");
    loadChat(store, chatId); // a clear error for an unknown chat
    auto db = store.connection();
    db.transaction();
    try {
        auto q = run(store,
                     QStringLiteral("SELECT COALESCE(MAX(seq), -1) + 1 FROM chat_messages WHERE chat_id = ?"),
                     {static_cast<qlonglong>(chatId)});
        const int seq = q.next() ? q.value(0).toInt() : 0;
        run(store,
            QStringLiteral("INSERT INTO chat_messages (chat_id, seq, role, content, tool_calls_json, "
                           "timings_json) VALUES (?, ?, ?, ?, ?, ?)"),
            {static_cast<qlonglong>(chatId), seq, QString::fromStdString(m.role),
             QString::fromStdString(m.content), textOrNull(m.toolCallsJson), textOrNull(m.timingsJson)});
        run(store,
            QStringLiteral("UPDATE chats SET updated_at = strftime('%Y-%m-%dT%H:%M:%fZ','now') WHERE id = ?"),
            {static_cast<qlonglong>(chatId)});
        db.commit();
        return seq;
    } catch (...) {
        db.rollback();
        throw;
    }
}

ChatRecord loadChat(Store& store, std::int64_t chatId) {
    auto q = run(store, kChatColumns + QStringLiteral(" WHERE id = ?"), {static_cast<qlonglong>(chatId)});
    if (!q.next())
        throw Error("there is no chat " + std::to_string(chatId) + " in " + store.path().toStdString() +
                    "; list the stored chats with `hone chat --list`");
    return chatFrom(q);
}

std::vector<StoredMessage> chatMessages(Store& store, std::int64_t chatId) {
    auto q = run(store,
                 QStringLiteral("SELECT seq, role, content, tool_calls_json, timings_json, created_at FROM "
                                "chat_messages WHERE chat_id = ? ORDER BY seq"),
                 {static_cast<qlonglong>(chatId)});
    std::vector<StoredMessage> out;
    while (q.next())
        out.push_back({q.value(0).toInt(), textOf(q.value(1)), textOf(q.value(2)), textOf(q.value(3)),
                       textOf(q.value(4)), textOf(q.value(5))});
    return out;
}

std::vector<ChatRecord> listChats(Store& store) {
    auto q = run(store, kChatColumns + QStringLiteral(" ORDER BY updated_at DESC, id DESC"));
    std::vector<ChatRecord> out;
    while (q.next()) out.push_back(chatFrom(q));
    return out;
}

void renameChat(Store& store, std::int64_t chatId, const std::string& title) {
    loadChat(store, chatId);
    run(store, QStringLiteral("UPDATE chats SET title = ? WHERE id = ?"),
        {textOrNull(title), static_cast<qlonglong>(chatId)});
}

void deleteChat(Store& store, std::int64_t chatId) {
    loadChat(store, chatId);
    run(store, QStringLiteral("DELETE FROM chats WHERE id = ?"), {static_cast<qlonglong>(chatId)});
}

std::int64_t addArenaVote(Store& store, const ArenaVote& v) {
    if (v.winner != "left" && v.winner != "right" && v.winner != "tie" && v.winner != "both_bad")
        throw Error("arena vote '" + v.winner + "' is not one of left, right, tie, both_bad");
    auto q =
        run(store,
            QStringLiteral("INSERT INTO arena_votes (chat_id, prompt, left_label, right_label, left_text, "
                           "right_text, winner) VALUES (?, ?, ?, ?, ?, ?, ?)"),
            {idOrNull(v.chatId), QString::fromStdString(v.prompt), QString::fromStdString(v.leftLabel),
             QString::fromStdString(v.rightLabel), QString::fromStdString(v.leftText),
             QString::fromStdString(v.rightText), QString::fromStdString(v.winner)});
    return q.lastInsertId().toLongLong();
}

std::vector<ArenaVote> listArenaVotes(Store& store) {
    auto q = run(store, QStringLiteral("SELECT id, chat_id, prompt, left_label, right_label, left_text, "
                                       "right_text, winner, created_at FROM arena_votes ORDER BY id"));
    std::vector<ArenaVote> out;
    while (q.next()) {
        ArenaVote v;
        v.id = q.value(0).toLongLong();
        if (!q.value(1).isNull()) v.chatId = q.value(1).toLongLong();
        v.prompt = textOf(q.value(2));
        v.leftLabel = textOf(q.value(3));
        v.rightLabel = textOf(q.value(4));
        v.leftText = textOf(q.value(5));
        v.rightText = textOf(q.value(6));
        v.winner = textOf(q.value(7));
        v.createdAt = textOf(q.value(8));
        out.push_back(std::move(v));
    }
    return out;
}

} // namespace hone
