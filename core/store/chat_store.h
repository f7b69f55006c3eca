// Chats in hone.db: the chat (model, adapter, the run it came from, settings), its messages in order (role,
// content, tool calls and timings as JSON text), and arena votes between two replies. Qt-free value types.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace hone {

class Store;

struct ChatRecord {
    std::int64_t id = 0; // assigned by createChat
    std::string title;
    std::string modelPath; // required
    std::string adapterPath;
    std::optional<std::int64_t> runId;
    std::string settingsJson; // sampling and template settings, JSON text or empty
    std::string createdAt, updatedAt;
};

struct StoredMessage {
    int seq = 0;      // position in the chat, assigned by appendMessage
    std::string role; // system, user, assistant, tool
    std::string content;
    std::string toolCallsJson; // JSON text or empty
    std::string timingsJson;   // JSON text or empty
    std::string createdAt;
};

struct ArenaVote {
    std::int64_t id = 0;
    std::optional<std::int64_t> chatId;
    std::string prompt;
    std::string leftLabel, rightLabel; // e.g. "base", "run 3"
    std::string leftText, rightText;
    std::string winner; // left, right, tie, both_bad
    std::string createdAt;
};

// Inserts the chat and returns its id. Throws hone::Error for an empty model path or settings that are not
// JSON.
std::int64_t createChat(Store& store, const ChatRecord& chat);
// Appends a message after the chat's last one and returns its seq; touches the chat's updated_at. Throws for
// an unknown chat or role and for tool calls / timings that are not JSON.
int appendMessage(Store& store, std::int64_t chatId, const StoredMessage& message);
// Throws hone::Error ("no chat N; list them with ...") when it does not exist.
ChatRecord loadChat(Store& store, std::int64_t chatId);
std::vector<StoredMessage> chatMessages(Store& store, std::int64_t chatId);
// Most recently updated first.
std::vector<ChatRecord> listChats(Store& store);
void renameChat(Store& store, std::int64_t chatId, const std::string& title);
// Deletes the chat and its messages (arena votes keep their text, losing the link).
void deleteChat(Store& store, std::int64_t chatId);

std::int64_t addArenaVote(Store& store, const ArenaVote& vote);
std::vector<ArenaVote> listArenaVotes(Store& store);

} // namespace hone
